/** Completion in the VS Code notebook's cells from schema/cxreport.schema.json (vscode/src/complete.ts). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cellSchema, complete, cursorAt, namesIn, type Schema } from '../vscode/src/complete.js';

const schema = JSON.parse(readFileSync(new URL('../schema/cxreport.schema.json', import.meta.url), 'utf8')) as Schema;
const section = cellSchema(schema, 'section');
const names = { metrics: ['nps', 'csat'], sources: ['responses'] };
/** Completions where `|` is in the text. */
const at = (root: Schema, text: string) => complete(root, text.replace('|', ''), text.indexOf('|'), names);
const labels = (root: Schema, text: string) => at(root, text).map((c) => c.label);

describe('cursor position in a cell', () => {
  it('finds key and value positions in block and flow YAML', () => {
    expect(cursorAt('type: kpis\n', 11)).toMatchObject({ path: [], position: 'key' });
    expect(cursorAt('report:\n  ti', 12)).toMatchObject({ path: ['report'], position: 'key', prefix: 'ti' });
    expect(cursorAt('metrics:\n  - nps\n  - ', 22)).toMatchObject({ path: ['metrics', 1], position: 'value' });
    expect(cursorAt('type: ', 6)).toMatchObject({ path: ['type'], position: 'value' });
    expect(cursorAt('{ type: kpis, me }', 16)).toMatchObject({ path: [], position: 'key', prefix: 'me' });
    expect(cursorAt('metrics: [nps, ]', 15)).toMatchObject({ path: ['metrics', 1], position: 'value' });
    expect(cursorAt('metrics:\n  nps:\n    type: nps\n    ', 35)).toMatchObject({ path: ['metrics', 'nps'], position: 'key' });
  });
});

describe('completion from the JSON schema', () => {
  it('a section cell: the section types with their descriptions, then the keys of that type', () => {
    const types = at(section, 'type: |');
    expect(types.map((c) => c.label)).toEqual(expect.arrayContaining(['kpis', 'trend', 'breakdown', 'distribution', 'verbatims', 'markdown', 'case-study', 'metric']));
    expect(types.find((c) => c.label === 'kpis')!.documentation).toMatch(/KPI/);
    const keys = at(section, 'type: kpis\n|');
    expect(keys.map((c) => c.label)).toEqual(expect.arrayContaining(['metrics', 'title', 'sparkline_periods']));
    expect(keys.map((c) => c.label)).not.toContain('type');
    expect(keys.find((c) => c.label === 'metrics')).toMatchObject({ insertText: 'metrics: ', detail: 'required' });
    expect(labels(section, 'type: breakdown\nmetric: nps\n|')).toEqual(expect.arrayContaining(['by']));
    expect(labels(section, '{ type: trend, | }')).toEqual(expect.arrayContaining(['metric', 'periods', 'annotations']));
  });

  it('references: metric and source names of the config', () => {
    expect(labels(section, 'type: kpis\nmetrics: [nps, |]')).toEqual(['nps', 'csat']);
    expect(labels(section, 'type: trend\nmetric: |')).toEqual(expect.arrayContaining(['nps', 'csat']));
    expect(labels(schema, 'metrics:\n  nps:\n    type: nps\n    source: |')).toContain('responses');
  });

  it('a header cell: top-level keys, metric types and their keys, enums', () => {
    expect(labels(schema, 'report:\n  |')).toEqual(expect.arrayContaining(['title', 'subtitle', 'period', 'min_sample', 'locale']));
    expect(labels(schema, 'metrics:\n  nps:\n    type: |')).toEqual(expect.arrayContaining(['nps', 'csat', 'ces', 'churn', 'clv']));
    expect(labels(schema, 'metrics:\n  nps:\n    type: nps\n    |')).toEqual(expect.arrayContaining(['source', 'score', 'date', 'target']));
    expect(labels(schema, 'report:\n  period: { granularity: | }')).toEqual(expect.arrayContaining(['month', 'quarter', 'year', 'all']));
  });

  it('names of a config text, read leniently', () => {
    expect(namesIn('sources:\n  a: {}\nmetrics:\n  m1: {}\n  m2: {}\nsections: [')).toEqual({ metrics: ['m1', 'm2'], sources: ['a'] });
    expect(namesIn('- just a list')).toEqual({ metrics: [], sources: [] });
    expect(namesIn('sources:\n  a: {}\nmetrics:\n  m1: {}\n  m2: {}\n')).toEqual({ metrics: ['m1', 'm2'], sources: ['a'] });
  });
});
