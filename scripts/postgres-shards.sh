#!/usr/bin/env bash
# A throw-away sharded PostgreSQL on loopback: N shard servers (default 2, at most 8) and a
# coordinator server, each on a free port chosen at start (none hard-coded), data folders under
# /tmp/cxreport-shards.XXXXXX. On the coordinator, database cxreport_test has the postgres_fdw
# extension, one foreign server per shard (shard1 … shardN, user mapping for every role) and
# enable_partitionwise_aggregate on; every shard has an empty database cxreport_test. Tables are
# created by whoever uses the cluster (test/shards.ts `createShardedTable`, bench/sources-case.ts):
# on each shard a plain table, on the coordinator a table partitioned by month whose partitions are
# foreign tables on the shards (docs/warehouses.md).
#
#   bash scripts/postgres-shards.sh start [N]   prints one line: DIR COORDINATOR_URL SHARD_URL…
#   bash scripts/postgres-shards.sh stop DIR     stops every server of DIR and removes it
#
# Runs as root (the servers run as the postgres user) or as the postgres user; installs Debian's
# postgresql package when no server binaries are found (like scripts/postgres-test-server.sh).
set -euo pipefail

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

if [ "${1:-start}" = "stop" ]; then
  dir=${2:?usage: postgres-shards.sh stop DIR}
  case "$dir" in /tmp/cxreport-shards.*) ;; *) echo "not a shard cluster folder: $dir" >&2; exit 2 ;; esac
  bin=$(find_bin)
  for data in "$dir"/*/; do
    [ -f "$data/PG_VERSION" ] && as_postgres "$bin/pg_ctl -D $data -m fast stop" >/dev/null 2>&1 || true
  done
  rm -rf "$dir"
  exit 0
fi

shards=${2:-2}
case "$shards" in [1-8]) ;; *) echo "the number of shards must be 1–8" >&2; exit 2 ;; esac
if [ -z "$(find_bin)" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi
bin=$(find_bin)
dir=$(mktemp -d /tmp/cxreport-shards.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
# on any failure below, stop what was started and remove the folder
trap 'status=$?; [ $status -eq 0 ] || bash "$0" stop "$dir"; exit $status' EXIT

# a port nobody listens on (bash's /dev/tcp fails to connect); pg_ctl start may still lose a race
# for it, so start() retries with another port
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

# start NAME: initdb and start a server in $dir/NAME; prints its port
start() {
  local data=$dir/$1 port
  mkdir -p "$data"
  [ "$(id -u)" -eq 0 ] && chown postgres "$data"
  as_postgres "$bin/initdb -D $data -A trust -U postgres" >/dev/null
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    # default settings otherwise, as scripts/postgres-test-server.sh
    if as_postgres "$bin/pg_ctl -D $data -o '-c listen_addresses=127.0.0.1 -p $port -k $data' -l $data/server.log -w start" >/dev/null; then
      as_postgres "$bin/createdb -h 127.0.0.1 -p $port -U postgres cxreport_test"
      echo "$port"
      return 0
    fi
  done
  echo "could not start $1 (see $data/server.log)" >&2
  return 1
}

psql_at() { as_postgres "$bin/psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $1 -U postgres -d cxreport_test -c \"$2\""; }

urls=()
shard_ports=()
for i in $(seq 1 "$shards"); do
  port=$(start "shard$i")
  shard_ports+=("$port")
done
coordinator=$(start coordinator)
psql_at "$coordinator" "CREATE EXTENSION postgres_fdw"
for i in $(seq 1 "$shards"); do
  port=${shard_ports[$((i - 1))]}
  # fetch_size: rows per round trip when a shard streams rows (the default of 100 is slow for bulk reads);
  # async_capable: the coordinator waits on every shard at once instead of one after the other
  psql_at "$coordinator" "CREATE SERVER shard$i FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '$port', dbname 'cxreport_test', fetch_size '10000', async_capable 'true')"
  psql_at "$coordinator" "CREATE USER MAPPING FOR PUBLIC SERVER shard$i OPTIONS (user 'postgres')"
  urls+=("postgresql://postgres@127.0.0.1:$port/cxreport_test")
done
# lets the planner aggregate each partition on its own and postgres_fdw ship that GROUP BY to the
# partition's shard (it does so only when the GROUP BY holds the partition key)
psql_at "$coordinator" "ALTER DATABASE cxreport_test SET enable_partitionwise_aggregate = on"
echo "$dir postgresql://postgres@127.0.0.1:$coordinator/cxreport_test ${urls[*]}"
