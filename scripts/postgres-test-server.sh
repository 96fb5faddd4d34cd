#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server on 127.0.0.1:55432 for the tests (installed from Debian's
# packages when missing) and prints the connection string to use as CXREPORT_TEST_PG; `stop DIR`
# stops it and removes its data folder. Used by .ci/run. CXREPORT_PG_PORT picks another port; without
# it, a port other than 55432 is chosen when something already listens there (the printed
# connection string always names the port in use).
set -euo pipefail
port=${CXREPORT_PG_PORT:-55432}
if [ -z "${CXREPORT_PG_PORT:-}" ]; then
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
    port=$((20000 + RANDOM % 40000))
  done
fi
if [ "${1:-start}" = "stop" ]; then
  dir=$2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  su postgres -s /bin/sh -c "$bin/pg_ctl -D $dir -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d /tmp/cxreport-pg.XXXXXX)
chown postgres "$dir"
su postgres -s /bin/sh -c "$bin/initdb -D $dir -A trust -U postgres" >/dev/null
su postgres -s /bin/sh -c "$bin/pg_ctl -D $dir -o '-c listen_addresses=127.0.0.1 -p $port -k $dir' -l $dir/server.log -w start" >/dev/null
su postgres -s /bin/sh -c "$bin/createdb -h 127.0.0.1 -p $port -U postgres cxreport_test"
# trust authentication accepts any password; the tests check this one is never printed
echo "$dir postgresql://postgres:not-printed-5ecret@127.0.0.1:$port/cxreport_test"
