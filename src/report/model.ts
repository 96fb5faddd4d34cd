/**
 * The report model: plain data describing every section (text already formatted, charts as
 * Vega-Lite specs). No HTML here; the render stage turns it into HTML, SVG and PDF.
 */
import type { Locale } from '../kernel/i18n.js';
import type { Theme } from '../kernel/theme.js';
import type { CaseDid } from './sections/case-study-did.js';
import type { LinkedSentence } from './sections/highlight-text.js';

export type { Chart, Table, VisualBlock } from '../kernel/visual.js';
import type { Chart, Table, VisualBlock } from '../kernel/visual.js';

export interface KpiCard {
  id: string;
  label: string;
  title: string;
  value: string;
  scaleNote?: string;
  ci: string;
  delta: string;
  /** the previous period's label; empty with granularity all (no change line) */
  previousLabel: string;
  direction: 'up' | 'down' | 'flat' | 'none';
  /** the value misses the target (by the metric's direction): the card says "below target" */
  targetMissed?: boolean;
  /** whether this change is good for this metric (lower effort, higher NPS …) */
  tone: 'good' | 'bad' | 'neutral';
  significant: boolean;
  pText: string;
  n: string;
  lowSample: boolean;
  target?: string;
  targetMet?: boolean;
  sparkline?: Chart;
  description?: string;
  /** a line under the card, e.g. trailing-12-month NRR and GRR beside the monthly value (kpi-notes.ts) */
  note?: string;
}

export interface Quote {
  text: string;
  attribution: string;
  score: string;
  tone: 'bad' | 'neutral' | 'good';
}

interface SectionBase {
  id: string;
  title: string;
  /** heading level in the document outline */
  level: 1 | 2;
  /** the line of the YAML that defined this section (for tooling) */
  sourceLine?: number;
  /** the YAML that defined this section, as written */
  yaml?: string;
}

/** A problem shown in place of a section (preview only). */
export interface ShownError {
  where: string;
  message: string;
  snippet?: string;
  caret?: string;
  hint?: string;
}

export type SectionModel =
  | (SectionBase & { type: 'kpis'; cards: KpiCard[]; sentences: string[]; /** heading over the sentences (default: "What changed") */ sentencesTitle?: string })
  | (SectionBase & { type: 'trend'; /** absent with granularity all (one period: `note` says so) */ chart?: Chart; note?: string; table: Table })
  | (SectionBase & { type: 'breakdown'; chart: Chart; table: Table })
  | (SectionBase & { type: 'distribution'; chart: Chart; summary: string })
  | (SectionBase & { type: 'verbatims'; intro: string; quotes: Quote[]; empty: string | null })
  | (SectionBase & { type: 'markdown'; html: string })
  | (SectionBase & { type: 'metric'; headline: string; sentence: string; blocks: VisualBlock[]; method: string })
  | (SectionBase & { type: 'custom'; partial: string; context: Record<string, unknown> })
  | (SectionBase & { type: 'chart'; chart: Chart })
  | (SectionBase & { type: 'error'; sectionType: string; errors: ShownError[] })
  | (SectionBase & {
      type: 'case-study';
      segment: string;
      segmentName: string;
      /** "Before vs After" window labels */
      windows: string;
      narrativeHtml: string;
      chart: Chart | null;
      table: Table;
      findings: string[];
      /** computed checks that failed (parallel trends), said in the narrative box */
      checks?: string[];
      /** the difference-in-differences per metric, for metrics.json */
      did?: { windows: { before: string[]; after: string[] }; metrics: CaseDid[] };
      caveat: string;
    })
  | (SectionBase & {
      type: 'highlights';
      changesTitle: string;
      items: LinkedSentence[];
      empty?: string;
      /** how the scan was made: tests, dimensions, adjustment, ranking */
      note: string;
      anomaliesTitle: string;
      anomalies: LinkedSentence[];
      noAnomalies?: string;
      anomalyNote: string;
      table: Table;
    })
  | (SectionBase & { type: 'summary'; cards: KpiCard[]; blocks: { title: string; items: LinkedSentence[]; empty?: string }[]; chart: Chart | null })
  | (SectionBase & {
      type: 'methods';
      /** the one-page lookup table (methods-glance.ts) */
      glance?: { title: string; note: string; table: Table };
      detailTitle?: string;
      /** `heading` names the metric (or the metrics that share this method), `nLines` their n and exclusions */
      metrics: { label: string; title: string; method: string; n: string; excluded: string; heading?: string; nLines?: string[] }[];
      sources: { name: string; file: string; rows: string; columns: string; through?: string }[];
      /** header of the sources' "data through" column */
      sourcesThroughLabel?: string;
      notes: string[];
    });

export interface ReportModel {
  /** BCP 47 language of the built-in text: the report locale (`report.locale`) */
  lang: Locale;
  theme: Theme;
  /** user templates folder whose partials override the defaults */
  templatesDir?: string;
  title: string;
  subtitle?: string;
  organisation?: string;
  author?: string;
  confidentiality?: string;
  /** data: URI of the logo, embedded */
  logo?: string;
  period: { key: string; label: string };
  previousPeriod: { key: string; label: string };
  /** date the data runs to (latest valid timestamp), e.g. "31 October 2026" */
  dataThrough: string;
  /** ISO date the build is stamped with (SOURCE_DATE_EPOCH or the data's last day) */
  generated: string;
  generatedLabel: string;
  sections: SectionModel[];
  toc: { id: string; title: string; level: number }[];
}
