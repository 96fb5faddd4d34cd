/**
 * Links from sentences about a metric (the highlights and the executive summary) to the section
 * that shows it: the breakdown by the sentence's dimension, else the drivers section for a driver,
 * else the metric's own section, its trend, a case study or a KPI card section, in that order.
 */
import type { SectionDef } from './sections/index.js';
import type { SectionModel } from './model.js';
import type { LinkedSentence } from './sections/highlight-text.js';

type Def = SectionDef & { metric?: string; metrics?: string[]; by?: string };

/** The anchor of the section that best shows `metric` (and `dimension`), if any. */
export function sectionAnchor(defs: SectionDef[], models: SectionModel[], metric: string, dimension: string | null): string | undefined {
  const order: ((d: Def) => boolean)[] = [
    (d) => d.type === 'breakdown' && d.metric === metric && dimension !== null && d.by === dimension,
    (d) => d.type === 'drivers' && d.metric === metric && dimension === 'drivers',
    (d) => d.type === 'metric' && d.metric === metric,
    (d) => d.type === 'trend' && d.metric === metric,
    (d) => d.type === 'breakdown' && d.metric === metric,
    (d) => d.type === 'case-study' && (d.metrics ?? []).includes(metric),
    (d) => d.type === 'kpis' && (d.metrics ?? []).includes(metric),
  ];
  for (const test of order) {
    const i = defs.findIndex((d, k) => test(d as Def) && models[k] && models[k].type !== 'error');
    if (i >= 0) return `#${models[i].id}`;
  }
  return undefined;
}

/** Fills `href` of every linked sentence of the highlights and summary sections, in place. */
export function linkSentences(defs: SectionDef[], models: SectionModel[]): void {
  const link = (s: LinkedSentence) => {
    s.href = sectionAnchor(defs, models, s.metric, s.dimension);
  };
  for (const m of models) {
    if (m.type === 'highlights') [...m.items, ...m.anomalies].forEach(link);
    if (m.type === 'summary') m.blocks.forEach((b) => b.items.forEach(link));
  }
}
