/**
 * A throw-away sharded PostgreSQL for tests and benchmarks: scripts/postgres-shards.sh starts the
 * servers (each on a free port), `shardedTable` lays a table out over them the way
 * docs/warehouses.md describes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { monthStatisticsSql } from '../src/metrics/pushdown-shards-sql.js';

const script = resolve(import.meta.dirname, '..', 'scripts', 'postgres-shards.sh');

/** Why the sharded tests cannot run here, or undefined when PostgreSQL's server binaries and postgres_fdw are installed. */
export function shardsUnavailable(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) return `no PostgreSQL server binaries in ${root}/*/bin (Debian's postgresql package)`;
  if (!versions.some((v) => existsSync(join(root, v, 'lib', 'postgres_fdw.so')))) return 'no postgres_fdw extension beside the PostgreSQL server binaries';
  if (process.getuid && process.getuid() !== 0 && process.env.USER !== 'postgres') return 'the servers run as the postgres user: run as root or as postgres';
  return undefined;
}

export interface ShardCluster {
  dir: string;
  coordinator: string;
  shards: string[];
  stop(): void;
}

/** Starts a coordinator and `n` shards (scripts/postgres-shards.sh); `stop` removes them. */
export function startShards(n: number): ShardCluster {
  const [dir, coordinator, ...shards] = execFileSync('bash', [script, 'start', String(n)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split(' ');
  return { dir, coordinator, shards, stop: () => void execFileSync('bash', [script, 'stop', dir], { stdio: 'ignore' }) };
}

/** Runs statements on one server. */
export async function onServer<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/**
 * `name` as a table partitioned by HASH(`key`) on the coordinator, one partition per shard, each
 * a postgres_fdw foreign table over a plain table of the same name on its shard, with the month
 * key's statistics (pushdown-shards-sql.ts `monthStatisticsSql`) on both sides, as docs/warehouses.md
 * describes. ANALYZE after loading the rows.
 */
export async function shardedTable(cluster: ShardCluster, name: string, columns: string, key: string, date: string, kind = 'timestamptz'): Promise<void> {
  for (const shard of cluster.shards) {
    await onServer(shard, async (c) => {
      await c.query(`create table ${name} (${columns})`);
      await c.query(monthStatisticsSql(name, date, kind));
    });
  }
  await onServer(cluster.coordinator, async (c) => {
    await c.query(`create table ${name} (${columns}) partition by hash (${key})`);
    for (let i = 0; i < cluster.shards.length; i++) {
      await c.query(`create foreign table ${name}_s${i + 1} partition of ${name} for values with (modulus ${cluster.shards.length}, remainder ${i}) server shard${i + 1} options (table_name '${name}')`);
      await c.query(monthStatisticsSql(`${name}_s${i + 1}`, date, kind));
    }
  });
}

/** ANALYZE on every shard and then on the coordinator (which samples the shards' rows through postgres_fdw). */
export async function analyzeSharded(cluster: ShardCluster, name: string): Promise<void> {
  for (const shard of cluster.shards) await onServer(shard, (c) => c.query(`analyze ${name}`));
  await onServer(cluster.coordinator, (c) => c.query(`analyze ${name}`));
}
