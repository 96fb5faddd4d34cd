/**
 * Golden files of rendered output: the survey fixture's report.html and metrics.json, built with a
 * fixed build time, must equal test/golden/survey/. Any change to templates, charts, text or
 * numbers shows up here as a diff to review; when the change is intended, rewrite the files with
 * `UPDATE_GOLDEN=1 npx vitest run test/golden-report.test.ts` and commit them with the change.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../src/app/pipeline.js';
import { surveyProject } from './project.js';

const dir = join(import.meta.dirname, 'golden', 'survey');
const update = process.env.UPDATE_GOLDEN === '1';

/** The first line where two texts differ, with a little context, for a readable failure. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const i = a.findIndex((line, k) => line !== b[k]);
  const at = i < 0 ? Math.min(a.length, b.length) : i;
  return `line ${at + 1}:\n  golden: ${(a[at] ?? '(end of file)').slice(0, 300)}\n  now:    ${(b[at] ?? '(end of file)').slice(0, 300)}`;
}

describe('golden files of the rendered survey report', () => {
  it.each(['report.html', 'metrics.json'])('%s equals test/golden/survey/%s', async (name) => {
    const project = surveyProject();
    const result = await build({ configPath: join(project, 'cxreport.yaml'), env: { SOURCE_DATE_EPOCH: '1790000000' }, cwd: project });
    const actual = name === 'report.html' ? result.html : result.metrics;
    const file = join(dir, name);
    if (update || !existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, actual);
      if (!update) throw new Error(`${file} did not exist and was written: review and commit it`);
    }
    const golden = readFileSync(file, 'utf8');
    if (golden !== actual) expect.fail(`${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it after review) at ${firstDifference(golden, actual)}`);
  });
});
