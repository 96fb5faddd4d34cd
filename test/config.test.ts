/** Config errors: each names file:line:column, shows the line, and gives a hint. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/app/config.js';
import { configJsonSchema } from '../src/app/schema.js';
import { CxError, CxErrors, formatError } from '../src/kernel/errors.js';
import { makeProject } from './project.js';

const BASE = (metrics: string, extra = '') => `report:
  title: T
sources:
  responses: { type: csv, path: data.csv }
metrics:
${metrics}
sections:
  - { type: kpis, metrics: [nps] }
${extra}`;

/** The errors a config text produces (it must produce some). */
function errorsOf(text: string, env: Record<string, string> = {}): CxError[] {
  try {
    parseConfig(text, { file: '/project/cxreport.yaml', shownAs: 'cxreport.yaml', env });
  } catch (error) {
    if (error instanceof CxErrors) return error.errors;
    if (error instanceof CxError) return [error];
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

const where = (e: CxError) => `${e.location?.file}:${e.location?.line}:${e.location?.column}`;

describe('config errors are located and actionable', () => {
  it('unknown metric type: points at the value and lists the types', () => {
    const [e] = errorsOf(BASE('  nps: { type: nsp, source: responses, score: s, date: d }'));
    expect(where(e)).toBe('cxreport.yaml:6:16');
    expect(e.message).toBe('unknown metric type "nsp" at metrics.nps.type');
    expect(e.hint).toMatch(/^did you mean `nps`\? \(metric types: nps, csat, ces, churn, retention, /);
  });

  it('unknown key: points at the key and suggests the nearest valid one', () => {
    const [e] = errorsOf(BASE('  nps:\n    type: nps\n    source: responses\n    scor: nps_score\n    score: s\n    date: d'));
    expect(where(e)).toBe('cxreport.yaml:9:5');
    expect(e.message).toBe('unknown key "scor" in metrics.nps');
    expect(e.hint).toMatch(/^did you mean `score`\?/);
    expect(formatError(e)).toContain('  9 |     scor: nps_score\n    |     ^');
  });

  it('unknown section type lists the section types', () => {
    const [e] = errorsOf(BASE('  nps: { type: nps, source: responses, score: s, date: d }', '  - { type: trends, metric: nps }\n'));
    expect(where(e)).toBe('cxreport.yaml:9:13');
    expect(e.hint).toBe('did you mean `trend`? (section types: kpis, trend, breakdown, distribution, verbatims, markdown, case-study, metric, custom, chart, drivers, highlights, summary)');
  });

  it('missing required key names the key and what it is for', () => {
    const [e] = errorsOf(BASE('  nps: { type: nps, source: responses, date: d }'));
    expect(where(e)).toBe('cxreport.yaml:6:3');
    expect(e.message).toBe('missing required key "score" in metrics.nps');
    expect(e.hint).toBe('add `score: ...` (Column holding the score.)');
  });

  it('a quoted number is caught with the fix', () => {
    const [e] = errorsOf(BASE('  csat: { type: csat, source: responses, score: s, date: d, scale: "5" }').replace('metrics: [nps]', 'metrics: [csat]'));
    expect(where(e)).toBe('cxreport.yaml:6:68');
    expect(e.hint).toBe('remove the quotes: scale: 5');
  });

  it('a reference to an undefined metric suggests the defined one', () => {
    const [e] = errorsOf(BASE('  nps: { type: nps, source: responses, score: s, date: d }', '  - { type: trend, metric: npss }\n'));
    expect(where(e)).toBe('cxreport.yaml:9:28');
    expect(e.message).toBe('section 2 (trend) refers to metric "npss", which is not defined');
    expect(e.hint).toMatch(/did you mean `nps`/);
  });

  it('a metric on an undefined source suggests the defined sources', () => {
    const [e] = errorsOf(BASE('  nps: { type: nps, source: respones, score: s, date: d }'));
    expect(where(e)).toBe('cxreport.yaml:6:29');
    expect(e.hint).toBe('did you mean `responses`? (defined sources: responses)');
  });

  it('YAML syntax errors carry their position', () => {
    const [e] = errorsOf('report:\n  title: T\n  period: { granularity: month\nsources: {}\n');
    expect(e.location?.line).toBeGreaterThanOrEqual(3);
    expect(e.message).toMatch(/^YAML syntax:/);
  });

  it('duplicate keys are rejected', () => {
    const [e] = errorsOf('report:\n  title: T\n  title: U\n');
    expect(where(e)).toBe('cxreport.yaml:3:3');
    expect(e.hint).toMatch(/each key may appear once/);
  });

  it('reports all errors at once', () => {
    const errors = errorsOf(BASE('  nps: { type: nps, source: nope, score: s, date: d, colour: red }'));
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.map((e) => e.message).join('\n')).toContain('unknown key "colour"');
  });
});

describe('environment variables', () => {
  it('expands ${VAR} and ${VAR:-default}', () => {
    const config = parseConfig(BASE('  nps: { type: nps, source: responses, score: "${SCORE}", date: "${DATE:-submitted_at}" }'), { file: '/p/cxreport.yaml', env: { SCORE: 'nps_score' } });
    expect(config.metrics.nps).toMatchObject({ score: 'nps_score', date: 'submitted_at' });
  });
  it('a missing variable is an error at its position, naming it', () => {
    const [e] = errorsOf(BASE('  nps: { type: nps, source: responses, score: "${NPS_COLUMN}", date: d }'));
    expect(e.message).toBe('environment variable NPS_COLUMN is not set');
    expect(where(e)).toBe('cxreport.yaml:6:48');
    expect(e.hint).toContain('export NPS_COLUMN=');
  });
});

describe('paths', () => {
  it('relative paths resolve against the config file, not the working directory', async () => {
    const dir = makeProject({ 'sub/cxreport.yaml': BASE('  nps: { type: nps, source: responses, score: s, date: d }') });
    const config = await loadConfig('sub/cxreport.yaml', { cwd: dir, env: {} });
    expect(config.sources.responses.path).toBe(join(dir, 'sub', 'data.csv'));
  });
  it('a missing config file is a clear error', async () => {
    await expect(loadConfig('nope.yaml', { cwd: '/tmp', env: {} })).rejects.toThrow(/config file not found: nope.yaml/);
  });
});

describe('JSON Schema', () => {
  it('is generated from the same zod schema and knows every metric and section type', () => {
    const schema = configJsonSchema() as any;
    const text = JSON.stringify(schema);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    for (const type of ['nps', 'csat', 'ces', 'kpis', 'trend', 'breakdown', 'distribution', 'verbatims', 'markdown', 'case-study', 'metric']) {
      expect(text).toContain(`"const":"${type}"`);
    }
    expect(schema.required).toEqual(expect.arrayContaining(['report', 'sources', 'metrics', 'sections']));
    expect(schema.properties.report.description).toBe('Report metadata.');
  });
});

describe('committed JSON Schema', () => {
  it('schema/cxreport.schema.json is in sync with the zod schema (regenerate: npx cxreport schema > schema/cxreport.schema.json)', async () => {
    const { readFileSync } = await import('node:fs');
    const committed = JSON.parse(readFileSync(join(__dirname, '..', 'schema', 'cxreport.schema.json'), 'utf8'));
    expect(committed).toEqual(configJsonSchema());
  });
});
