/** Temporary cxreport projects for tests: a folder with a config and data files. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Creates a temp folder holding the given files (paths relative to it); returns its path. */
export function makeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cxreport-test-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** CSV text from a header and rows (fields quoted when needed). */
export function csv(header: string[], rows: (string | number | null)[][]): string {
  const field = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}

/**
 * The hand-checked survey fixture used across tests: 10 valid responses in 2026-10, 8 in
 * 2026-09, 1 in 2026-08, plus 5 invalid rows in 2026-10 and one row with an invalid date.
 */
export const SURVEY_HEADER = ['id', 'submitted_at', 'channel', 'region', 'nps_score', 'csat', 'ces', 'comment'];

export const CURRENT = {
  nps: [10, 10, 9, 9, 9, 8, 7, 6, 3, 0],
  csat: [5, 5, 4, 4, 5, 4, 4, 5, 4, 2],
  ces: [7, 6, 6, 5, 5, 4, 7, 6, 5, 6],
};
export const PREVIOUS = {
  nps: [10, 9, 8, 7, 6, 5, 4, 2],
  csat: [2, 3, 1, 4, 5, 3, 2, 1],
  ces: [3, 4, 2, 5, 3, 4, 3, 4],
};

export const HOSTILE_COMMENT = '<script>alert(1)</script>';

export function surveyRows(): (string | number | null)[][] {
  const rows: (string | number | null)[][] = [];
  let id = 1;
  PREVIOUS.nps.forEach((_, i) => {
    rows.push([id++, `2026-09-${String(i + 2).padStart(2, '0')}T10:00:00Z`, i % 2 === 0 ? 'email' : 'phone', i % 4 === 3 ? 'APAC' : 'EMEA', PREVIOUS.nps[i], PREVIOUS.csat[i], PREVIOUS.ces[i], i === 0 ? 'Great in September' : '']);
  });
  rows.push([id++, '2026-08-15T08:00:00Z', 'email', 'APAC', 9, 5, 6, 'August note']);
  CURRENT.nps.forEach((_, i) => {
    const comment = i === 9 ? HOSTILE_COMMENT : i === 8 ? 'Support was slow & "unhelpful"' : i === 0 ? 'Love it' : '';
    rows.push([id++, `2026-10-${String(i + 2).padStart(2, '0')}T12:30:00Z`, i % 2 === 0 ? 'email' : 'phone', i % 3 === 0 ? 'EMEA' : 'APAC', CURRENT.nps[i], CURRENT.csat[i], CURRENT.ces[i], comment]);
  });
  // invalid rows in October: missing, out of range, not an integer, not a number; and one undatable row
  rows.push([id++, '2026-10-20T09:00:00Z', 'email', 'EMEA', null, null, null, 'no scores']);
  rows.push([id++, '2026-10-21T09:00:00Z', 'email', 'EMEA', 11, 0, 9, 'out of range']);
  rows.push([id++, '2026-10-22T09:00:00Z', 'phone', 'EMEA', '7.5', '4.5', '3.5', 'fractions']);
  rows.push([id++, '2026-10-23T09:00:00Z', 'phone', 'EMEA', 'abc', 'n/a', 'x', 'text']);
  rows.push([id++, 'not-a-date', 'phone', 'EMEA', 9, 5, 7, 'undated']);
  return rows;
}

export const SURVEY_CONFIG = `report:
  title: Test report
  period: { granularity: month, current: latest }
  min_sample: 5
sources:
  responses: { type: csv, path: data/responses.csv }
metrics:
  nps: { type: nps, source: responses, score: nps_score, date: submitted_at, target: 25 }
  csat: { type: csat, source: responses, score: csat, date: submitted_at, scale: 5 }
  ces: { type: ces, source: responses, score: ces, date: submitted_at, scale: 7 }
sections:
  - { type: kpis, metrics: [nps, csat, ces] }
  - { type: trend, metric: nps, periods: 3 }
  - { type: breakdown, metric: csat, by: channel }
  - { type: distribution, metric: nps }
  - { type: verbatims, metric: nps, band: detractors, text: comment, attribute: [region] }
  - type: markdown
    title: Notes
    text: "NPS is **{{metrics.nps.value}}** (n = {{metrics.nps.n}}) in {{period.label}}."
  - type: case-study
    title: EMEA study
    segment: { region: EMEA }
    metrics: [nps]
    before: { from: "2026-09", to: "2026-09" }
    after: { from: "2026-10", to: "2026-10" }
    narrative: "We changed *onboarding*."
`;

/** A project with the survey fixture; `config` replaces the default config text. */
export function surveyProject(config = SURVEY_CONFIG): string {
  return makeProject({ 'cxreport.yaml': config, 'data/responses.csv': csv(SURVEY_HEADER, surveyRows()) });
}
