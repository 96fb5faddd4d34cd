/**
 * Prints the CREATE STATISTICS statement for the month key of a date column (docs/warehouses.md,
 * "Sharded PostgreSQL"): run it on each shard's table and on each foreign partition on the
 * coordinator, then ANALYZE.
 *
 *   npx tsx scripts/shard-statistics.ts <table> <date column> [timestamptz|timestamp|date]
 */
import { monthStatisticsSql } from '../src/metrics/pushdown-shards-sql.js';

const [table, column, kind = 'timestamptz'] = process.argv.slice(2);
if (!table || !column || !['timestamptz', 'timestamp', 'date'].includes(kind)) {
  process.stderr.write('usage: npx tsx scripts/shard-statistics.ts <table> <date column> [timestamptz|timestamp|date]\n');
  process.exit(2);
}
process.stdout.write(`${monthStatisticsSql(table, column, kind)};\n`);
