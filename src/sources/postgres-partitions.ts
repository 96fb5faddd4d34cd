/**
 * A PostgreSQL table whose rows live on other servers: a foreign table (postgres_fdw or any other
 * foreign-data wrapper), or a partitioned table whose partitions are all foreign tables — the
 * sharded set-up of docs/warehouses.md, where each partition is a table on one shard.
 *
 * postgres_fdw ships an aggregate to the partition's server only when the whole GROUP BY can run
 * there: the statement must aggregate the foreign table itself (not the partitioned parent: the
 * parent's partial aggregates are never shipped, and its partitionwise aggregation only when the
 * GROUP BY holds the partition key), with built-in immutable expressions that take no collatable
 * (text) argument — so not DATE_TRUNC('month', …), whose 'month' is text. For such a table the
 * score metrics' statement (metrics/pushdown-shards-sql.ts) and the source's row count aggregate each
 * partition on its own and combine the results on the coordinator.
 */
import { literal, subquery } from './sql-text.js';

/** What the partition lookup needs of a connection (sql.ts SqlRunner). */
interface Runner {
  run(sql: string): Promise<{ rows: unknown[][] }>;
}

/**
 * The foreign tables (schema-qualified, quoted) that hold the rows of `table` (as written in the
 * config, already quoted by `quoteTable`), or undefined when any of its rows are local (a plain
 * table, a view, a partitioned table with a local partition) or the table does not exist (the
 * source's own statements then report it).
 */
export async function foreignPartitions(runner: Runner, quotedTable: string): Promise<string[] | undefined> {
  // pg_inherits rather than pg_partition_tree (PostgreSQL 12+), so that older servers answer too;
  // to_regclass gives NULL for a name that does not resolve, and the statement then returns no row.
  // A server that speaks PostgreSQL's protocol without its catalogue (Redshift lacks to_regclass)
  // fails the statement: its table is then not sharded, as far as cxreport knows.
  const rows = await runner.run(`WITH RECURSIVE cx_tree(oid) AS (
  SELECT to_regclass(${literal(quotedTable)})::oid
  UNION ALL SELECT i.inhrelid FROM pg_inherits i JOIN cx_tree t ON i.inhparent = t.oid
)
SELECT format('%I.%I', n.nspname, c.relname), c.relkind::text, t.oid = to_regclass(${literal(quotedTable)})::oid
FROM cx_tree t JOIN pg_class c ON c.oid = t.oid JOIN pg_namespace n ON n.oid = c.relnamespace
ORDER BY 1`).then(
    (result) => result.rows,
    () => [],
  );
  const root = rows.find((r) => r[2] === true);
  if (!root || (root[1] !== 'f' && root[1] !== 'p')) return undefined;
  const leaves = rows.filter((r) => r[1] !== 'p');
  if (leaves.length === 0 || leaves.some((r) => r[1] !== 'f')) return undefined;
  return leaves.map((r) => String(r[0]));
}

/** One partition as the source's rows would be: the relation's row conditions (a matrix segment) kept. */
export function partitionFrom(partition: string, where: string[]): string {
  const base = `${subquery(`SELECT * FROM ${partition}`)} AS cx_source`;
  return where.length === 0 ? base : `(SELECT * FROM ${base} WHERE ${where.map((w) => `(${w})`).join(' AND ')}) AS cx_rows`;
}

/** The row count of the partitions, each counted where it lives (a foreign-data wrapper ships COUNT(*) over one foreign table). */
export function partitionedCountSql(partitions: string[], where: string[] = []): string {
  return `SELECT SUM(cx_n) FROM (${partitions.map((p) => `SELECT COUNT(*) AS cx_n FROM ${partitionFrom(p, where)}`).join(' UNION ALL ')}) AS cx_counts`;
}
