import fc from 'fast-check';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { parquetMetadata, parquetSchema } from 'hyparquet';
import { loadParquet } from '../src/sources/parquet.ts';
import { writeFileSync } from 'node:fs';
import { SURVEY_HEADER, surveyRows } from './project.ts';
const rows = surveyRows();
const objects = rows.map((r) => Object.fromEntries(SURVEY_HEADER.map((h, j) => [h, r[j] === '' ? null : r[j]])));
const asText = (v: unknown) => (v === null || v === undefined ? null : String(v));
const base = new Uint8Array(parquetWriteBuffer({ columnData: SURVEY_HEADER.map((name) => ({ name, data: objects.map((o) => asText(o[name])), type: 'STRING' as const })) }));
let current = '';
process.on('unhandledRejection', (e) => { console.log('UNHANDLED', (e as Error).message, current); });
const cases: [string, Uint8Array][] = [];
fc.sample(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }), { numRuns: 3000, seed: 1 }).forEach((flips, k) => { const b = base.slice(); for (const [p, x] of flips) b[p % b.length] ^= x; cases.push([`flip ${k}`, b]); });
for (let n = 0; n < base.length; n += 7) { for (const len of [1, 16, 200]) { const b = base.slice(); b.fill(0, n, n + len); cases.push([`zero ${n}+${len}`, b]); } }
let i = 0;
for (const [what, b] of cases) {
  current = what;
  writeFileSync('/tmp/deep/x.parquet', b);
  try { await loadParquet({ name: 'r', path: '/tmp/deep/x.parquet' }); } catch (e) {}
  await new Promise((r) => setTimeout(r, 0));
  if (process.argv[2] && what === process.argv[2]) { const md = parquetMetadata(b.buffer); console.log(JSON.stringify(parquetSchema(md).children.map((c: any) => c.element.name)), JSON.stringify(md.row_groups.map((g: any) => g.columns.map((c: any) => c.meta_data?.path_in_schema)))); }
  i++;
}
console.log('done', i);
