/**
 * A project that puts each of a batch of XSS vectors in every customer-text field (data values,
 * column names and the question-text labels of a survey export) and every analyst-text field (the
 * config's report, metric, section, column and chart texts, Markdown sections and files, a case
 * study, a custom partial's data, trend annotations) — for test/xss.test.ts.
 *
 * Each value is a unique tag and the vector ("ZCH007Z <svg onload=…>"; for region values the tag
 * comes after the vector), so that the test can check that every (field, vector) pair reached the
 * report as text. Vectors that are not valid Handlebars are written with `\{{` where the field is
 * a Handlebars template (Markdown, narratives): the analyst asked for the literal braces.
 */
import Handlebars from 'handlebars';
import { stringify } from 'yaml';
import { csv, makeProject } from './project.js';

/** Customer-text fields: values in the data files. */
export const CUSTOMER_FIELDS = {
  CM: 'survey comment (verbatims, comment themes)',
  CH: 'survey channel (breakdown groups, sentiment groups, attribution)',
  RG: 'survey region (breakdown groups, attribution; tag after the vector)',
  PR: 'review product (ratings and sentiment by product)',
  RV: 'review text (example quotes of review themes: a sample, not every review)',
  TC: 'ticket channel (volume by channel)',
  TP: 'ticket priority',
  QL: 'question text of a Qualtrics export (header row 2, shown as the column label)',
  CN: 'column name in a header row (breakdown by it, no label)',
} as const;

/** Analyst-text fields: values in the config and the files it names. */
export const ANALYST_FIELDS = {
  TI: 'report.title',
  ST: 'report.subtitle',
  AU: 'report.author',
  OR: 'report.organisation',
  CO: 'report.confidentiality',
  ML: 'metric label (methods appendix, KPI cards, chart titles)',
  HL: 'health-score component label',
  SE: 'section title',
  MK: 'Markdown section text',
  MF: 'Markdown section file',
  AN: 'trend annotation label',
  CL: 'column label (columns: { x: { label } })',
  CS: 'case study: title, window labels, intervention label, caveat, narrative',
  NF: 'case study narrative_file',
  PD: 'custom partial data (text and attributes)',
  CT: 'chart spec title and section caption',
} as const;

export type FieldCode = keyof typeof CUSTOMER_FIELDS | keyof typeof ANALYST_FIELDS;

export const tagOf = (code: FieldCode, index: number) => `Z${code}${String(index).padStart(3, '0')}Z`;
const value = (code: FieldCode, index: number, vector: string) => `${tagOf(code, index)} ${vector}`;

/** Is `text` a Handlebars template that renders (with the interpolation context's shape)? */
function validTemplate(text: string): boolean {
  try {
    Handlebars.compile(text, { strict: true })({ metrics: {}, period: { key: 'p', label: 'p' }, previous: { key: 'p', label: 'p' }, report: { title: 't', organisation: 'o' } });
    return true;
  } catch {
    return false;
  }
}
/** Analyst Markdown: the vector as written when it is a valid template, else with its mustaches escaped. */
const markdownOf = (text: string) => (validTemplate(text) ? text : text.replaceAll('{{', '\\{{'));

const MONTHS = Array.from({ length: 24 }, (_, i) => {
  const d = new Date(Date.UTC(2024, 10 + i, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
});

export interface XssBatch {
  dir: string;
  /** global index of each vector of the batch */
  indexes: number[];
}

/** The project for `vectors` (global indexes from `offset`). */
export function xssProject(vectors: string[], offset: number): XssBatch {
  const indexes = vectors.map((_, i) => offset + i);
  const each = <T>(f: (v: string, i: number) => T) => vectors.map((v, j) => f(v, indexes[j]));
  const joined = (code: FieldCode) => each((v, i) => value(code, i, v)).join(' | ');
  // the CSV reader refuses a NUL byte as "not a text file" (a located data error): in data files
  // those vectors go without it; in the config (YAML "\0") they keep it
  const data = <T>(f: (v: string, i: number) => T) => vectors.map((v, j) => f(v.replaceAll('\u0000', ''), indexes[j]));
  const joinedData = (code: FieldCode) => data((v, i) => value(code, i, v)).join(' | ');

  // survey responses: a background over 24 months, then six current-month rows per vector
  const responses: (string | number)[][] = [];
  let id = 1;
  for (const month of MONTHS) {
    for (let k = 0; k < 12; k++) {
      responses.push([id++, `${month}-${String(2 + k).padStart(2, '0')}T10:00:00Z`, k % 2 ? 'email' : 'phone', k % 3 ? 'EMEA' : 'APAC', (k * 7) % 11, 1 + (k % 5), 1 + (k % 7), month === '2026-10' ? '' : 'Fine service, good support']);
    }
  }
  data((v, i) => {
    // the commented answer is a detractor's (even vectors) or a passive's (odd ones): each verbatims section quotes at most 50
    for (let k = 0; k < 6; k++) responses.push([id++, `2026-10-${String(3 + (k % 20)).padStart(2, '0')}T11:00:00Z`, value('CH', i, v), `${v} ${tagOf('RG', i)}`, k === 0 ? (i % 2 ? 7 : 0) : 9, 1 + (k % 5), 1 + (k % 7), k === 0 ? `${value('CM', i, v)} terrible awful support` : '']);
  });

  const reviews: (string | number)[][] = [];
  id = 1;
  for (const month of MONTHS.slice(-3)) for (let k = 0; k < 10; k++) reviews.push([id++, k % 2 ? 'Cloud' : 'Mobile', 1 + (k % 5), `${month}-${String(2 + k).padStart(2, '0')}T09:00:00Z`, 'Good product, nice support']);
  data((v, i) => {
    for (let k = 0; k < 3; k++) reviews.push([id++, value('PR', i, v), 1 + k, `2026-10-${String(5 + k).padStart(2, '0')}T09:00:00Z`, `${value('RV', i, v)} terrible awful support`]);
  });

  const tickets: (string | number)[][] = [];
  id = 1;
  for (const month of MONTHS.slice(-3)) for (let k = 0; k < 10; k++) tickets.push([id++, k % 2 ? 'email' : 'chat', 'normal', `${month}-${String(2 + k).padStart(2, '0')}T09:00:00Z`, `${month}-${String(2 + k).padStart(2, '0')}T10:00:00Z`, `${month}-${String(3 + k).padStart(2, '0')}T09:00:00Z`]);
  data((v, i) => {
    for (let k = 0; k < 3; k++) tickets.push([id++, value('TC', i, v), value('TP', i, v), `2026-10-0${5 + k}T09:00:00Z`, `2026-10-0${5 + k}T11:00:00Z`, `2026-10-${10 + k}T09:00:00Z`]);
  });

  // a Qualtrics export: header row 2 holds question text (the label of column q), row 3 ImportIds;
  // column a is labelled in the config; the last column is named by the vectors themselves (one
  // breakdown each: a label is one text, so these three hold every vector of the batch, joined)
  const named = joinedData('CN');
  const surveyHeader = ['id', 'submitted_at', 'score', 'q', 'a', named];
  const surveyLabels = ['', '', '', joinedData('QL'), '', ''];
  const importIds = surveyHeader.map((_, j) => `{"ImportId":"QID${j}"}`);
  const survey: (string | number)[][] = [];
  for (const month of ['2026-09', '2026-10']) {
    for (let k = 0; k < 16; k++) survey.push([`${month}-${k}`, `${month}-${String(2 + k).padStart(2, '0')}T08:00:00Z`, (k * 3) % 11, k % 2 ? 'yes' : 'no', k % 3 ? 'left' : 'right', k % 2 ? 'on' : 'off']);
  }

  const health: (string | number)[][] = [];
  for (const month of ['2026-09', '2026-10']) for (let c = 0; c < 12; c++) health.push([`C${c}`, month, ...each((_, i) => (c + i) % 11)]);

  const config = {
    report: {
      title: joined('TI'),
      subtitle: joined('ST'),
      author: joined('AU'),
      organisation: joined('OR'),
      confidentiality: joined('CO'),
      period: { granularity: 'month', current: '2026-10' },
      min_sample: 3,
    },
    sources: {
      responses: { type: 'csv', path: 'data/responses.csv', delimiter: ',' },
      reviews: { type: 'csv', path: 'data/reviews.csv', delimiter: ',' },
      tickets: { type: 'csv', path: 'data/tickets.csv', delimiter: ',' },
      survey: { type: 'csv', path: 'data/survey.csv', delimiter: ',', columns: { a: { label: joined('CL') } } },
      health: { type: 'csv', path: 'data/health.csv', delimiter: ',' },
    },
    metrics: {
      nps: { type: 'nps', source: 'responses', score: 'nps_score', date: 'submitted_at' },
      csat: { type: 'csat', source: 'responses', score: 'csat', date: 'submitted_at', scale: 5 },
      ...Object.fromEntries(each((v, i) => [`m_${i}`, { type: 'nps', source: 'responses', score: 'nps_score', date: 'submitted_at', label: value('ML', i, v) }])),
      comments: { type: 'sentiment', source: 'responses', text: 'comment', date: 'submitted_at', group: 'channel', themes: { min_count: 2, top: 50, examples: 5 } },
      rating: { type: 'reviews', source: 'reviews', rating: 'rating', date: 'submitted_at', product: 'product' },
      review_sentiment: { type: 'sentiment', source: 'reviews', text: 'text', date: 'submitted_at', group: 'product', themes: { min_count: 2, top: 50, examples: 5 } },
      support: { type: 'tickets', source: 'tickets', created: 'created_at', first_response: 'first_response_at', resolved: 'resolved_at', channel: 'channel', priority: 'priority' },
      survey_nps: { type: 'nps', source: 'survey', score: 'score', date: 'submitted_at' },
      health: { type: 'health-score', source: 'health', id: 'customer_id', period: 'month', components: each((v, i) => ({ column: `c_${i}`, min: 0, max: 10, label: value('HL', i, v) })) },
    },
    sections: [
      // every metric's label and description are in the methods appendix; a few are cards too
      { type: 'kpis', metrics: ['nps', 'csat', ...each((_, i) => `m_${i}`).slice(0, 4)] },
      // the executive summary and the highlights quote group names (the scan's dimensions), labels and themes
      { type: 'summary', metrics: ['nps', 'csat'] },
      { type: 'highlights', top: 20, anomaly_periods: 12 },
      // annotations are costly to draw: one per period holds the vectors of the batch, joined
      { type: 'trend', metric: 'nps', periods: 12, annotations: [{ period: '2026-06', label: joined('AN') }] },
      { type: 'breakdown', metric: 'csat', by: 'channel', chart_limit: 40 },
      { type: 'breakdown', metric: 'nps', by: 'region', chart_limit: 40 },
      { type: 'verbatims', metric: 'nps', band: 'detractors', text: 'comment', attribute: ['region', 'channel'], limit: 50 },
      { type: 'verbatims', metric: 'nps', band: 'passives', text: 'comment', attribute: ['region', 'channel'], limit: 50 },
      { type: 'metric', metric: 'comments' },
      { type: 'metric', metric: 'rating' },
      { type: 'metric', metric: 'review_sentiment' },
      { type: 'metric', metric: 'support' },
      { type: 'breakdown', metric: 'support', by: 'priority', chart_limit: 40 },
      // the metrics' own tables show the 25 largest groups; a breakdown shows every group
      { type: 'breakdown', metric: 'support', by: 'channel', chart_limit: 40 },
      { type: 'breakdown', metric: 'rating', by: 'product', chart_limit: 40 },
      { type: 'metric', metric: 'health' },
      { type: 'breakdown', metric: 'survey_nps', by: 'q' },
      { type: 'breakdown', metric: 'survey_nps', by: 'a' },
      { type: 'breakdown', metric: 'survey_nps', by: named },
      ...each((v, i) => ({ type: 'markdown', title: value('SE', i, v), text: markdownOf(value('MK', i, v)) })),
      ...each((_, i) => ({ type: 'markdown', file: `notes/v${i}.md` })),
      {
        type: 'case-study',
        title: joined('CS'),
        segment: { region: 'EMEA' },
        metrics: ['nps'],
        before: { label: joined('CS'), from: '2026-07', to: '2026-08' },
        after: { label: joined('CS'), from: '2026-09', to: '2026-10' },
        intervention: { period: '2026-09', label: joined('CS') },
        caveat: joined('CS'),
        narrative: markdownOf(joined('CS')),
      },
      { type: 'case-study', title: 'Narrative file', segment: { region: 'EMEA' }, metrics: ['nps'], before: { from: '2026-07', to: '2026-08' }, after: { from: '2026-09', to: '2026-10' }, narrative_file: 'notes/narrative.md' },
      { type: 'custom', partial: 'vectors', title: 'Partial data', data: Object.fromEntries(each((v, i) => [`v${i}`, value('PD', i, v)])) },
      { type: 'chart', metric: 'nps', spec: 'charts/area.vl.json', title: 'Own chart', caption: joined('CT') },
    ],
  };

  const files: Record<string, string> = {
    'cxreport.yaml': stringify(config, { lineWidth: 0 }),
    'data/responses.csv': csv(['id', 'submitted_at', 'channel', 'region', 'nps_score', 'csat', 'ces', 'comment'], responses),
    'data/reviews.csv': csv(['review_id', 'product', 'rating', 'submitted_at', 'text'], reviews),
    'data/tickets.csv': csv(['ticket_id', 'channel', 'priority', 'created_at', 'first_response_at', 'resolved_at'], tickets),
    'data/survey.csv': csv(surveyHeader, [surveyLabels, importIds, ...survey]),
    'data/health.csv': csv(['customer_id', 'month', ...each((_, i) => `c_${i}`)], health),
    'notes/narrative.md': markdownOf(joined('NF')),
    // the analyst's own partial: every value in text and in attributes of both quote kinds
    'templates/partials/vectors.hbs': '<ul>{{#each data}}<li title="{{this}}" data-v=\'{{this}}\'>{{this}}</li>{{/each}}</ul>',
    'charts/area.vl.json': JSON.stringify({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: joined('CT'), mark: 'area', encoding: { x: { field: 'period', type: 'ordinal', title: joined('CT') }, y: { field: 'value', type: 'quantitative' } } }),
  };
  each((v, i) => (files[`notes/v${i}.md`] = markdownOf(value('MF', i, v))));
  return { dir: makeProject(files), indexes };
}

/**
 * A light project for a real print: every vector (indexes from 0) in the report's title,
 * organisation and confidentiality (cover, running header and footer), a Markdown section and the
 * channel values of a breakdown table.
 */
export function xssPrintProject(vectors: string[]): string {
  // in the running header and footer (every page) each vector is cut to 200 characters
  const all = (code: FieldCode) => vectors.map((v, i) => value(code, i, v.slice(0, 200))).join(' | ');
  const rows: (string | number)[][] = [];
  let id = 1;
  for (const month of ['2026-09', '2026-10']) for (let k = 0; k < 20; k++) rows.push([id++, `${month}-${String(2 + k).padStart(2, '0')}T10:00:00Z`, k % 2 ? 'email' : 'phone', (k * 7) % 11]);
  vectors.forEach((v, i) => rows.push([id++, '2026-10-03T11:00:00Z', value('CH', i, v.replaceAll('\u0000', '')), 0]));
  const config = {
    report: { title: all('TI'), organisation: all('OR'), confidentiality: all('CO'), period: { granularity: 'month', current: '2026-10' }, min_sample: 3 },
    sources: { responses: { type: 'csv', path: 'data/responses.csv', delimiter: ',' } },
    metrics: { nps: { type: 'nps', source: 'responses', score: 'nps_score', date: 'submitted_at' } },
    sections: [
      { type: 'markdown', title: 'Vectors', text: vectors.map((v, i) => markdownOf(value('MK', i, v))).join('\n\n') },
      { type: 'breakdown', metric: 'nps', by: 'channel', chart_limit: 5 },
    ],
  };
  return makeProject({
    'cxreport.yaml': stringify(config, { lineWidth: 0 }),
    'data/responses.csv': csv(['id', 'submitted_at', 'channel', 'nps_score'], rows),
  });
}
