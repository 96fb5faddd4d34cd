/**
 * Input → output cases: each folder of test/cases/ holds a `cxreport.yaml` (with its data beside
 * it) and `expected/` — either the report.html and metrics.json the build must produce, byte for
 * byte (built with a fixed build time), or `error.txt`, the located error(s) the build must stop
 * with. Any change to templates, charts, text or numbers shows up here as a diff to review; when
 * the change is intended, rewrite the files with `UPDATE_GOLDEN=1 npx vitest run test/cases.test.ts`
 * and commit them with the change. Adding a case is adding a folder.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../src/app/pipeline.js';
import { CxError, CxErrors } from '../src/kernel/errors.js';
import { csv, SURVEY_CONFIG, SURVEY_HEADER, surveyRows } from './project.js';

const root = join(import.meta.dirname, 'cases');
const update = process.env.UPDATE_GOLDEN === '1';
const cases = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

/** The first line where two texts differ, with a little context, for a readable failure. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const i = a.findIndex((line, k) => line !== b[k]);
  const at = i < 0 ? Math.min(a.length, b.length) : i;
  return `line ${at + 1}:\n  golden: ${(a[at] ?? '(end of file)').slice(0, 300)}\n  now:    ${(b[at] ?? '(end of file)').slice(0, 300)}`;
}

/** A build error as error.txt holds it: one "file:line:column: message" line per error, and its hint. */
function errorText(error: unknown): string {
  const list = error instanceof CxErrors ? error.errors : error instanceof CxError ? [error] : undefined;
  if (!list) throw error;
  return list.map((e) => `${e.location ? `${e.location.file}:${e.location.line ?? ''}:${e.location.column ?? ''}: ` : ''}${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`).join('\n') + '\n';
}

function compare(file: string, actual: string, name: string): void {
  if (update || !existsSync(file)) {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, actual);
    if (!update) throw new Error(`${file} did not exist and was written: review and commit it`);
  }
  const golden = readFileSync(file, 'utf8');
  if (golden !== actual) expect.fail(`${name} differs from its expected file (UPDATE_GOLDEN=1 rewrites it after review) at ${firstDifference(golden, actual)}`);
}

describe.each(cases)('case %s', (name) => {
  const dir = join(root, name);
  const expected = join(dir, 'expected');
  const fails = existsSync(join(expected, 'error.txt'));
  const run = () => build({ configPath: join(dir, 'cxreport.yaml'), env: { SOURCE_DATE_EPOCH: '1790000000' }, cwd: dir });

  if (fails) {
    it('stops with the located error of expected/error.txt', async () => {
      const outcome = await run().then(
        () => 'built',
        (error: unknown) => errorText(error),
      );
      expect(outcome).not.toBe('built');
      compare(join(expected, 'error.txt'), outcome, 'error.txt');
    });
  } else {
    it.each(['report.html', 'metrics.json'])('%s equals its file in expected/', async (file) => {
      const result = await run();
      compare(join(expected, file), file === 'report.html' ? result.html : result.metrics, file);
    });
  }
});

describe('the survey case', () => {
  it('holds the survey fixture that the other tests generate (test/project.ts)', () => {
    expect(readFileSync(join(root, 'survey', 'cxreport.yaml'), 'utf8')).toBe(SURVEY_CONFIG);
    expect(readFileSync(join(root, 'survey', 'data', 'responses.csv'), 'utf8')).toBe(csv(SURVEY_HEADER, surveyRows()));
  });
});
