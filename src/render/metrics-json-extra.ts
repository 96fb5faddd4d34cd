/** The report-wide parts of metrics.json beyond the metrics: the highlights scan and the case studies' difference-in-differences. */
import type { ComputedMetrics } from '../metrics/index.js';
import type { ReportModel } from '../report/model.js';
import { DETECTION_RULE } from '../metrics/dimensions.js';

export function extraJson(computed: ComputedMetrics, model: ReportModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const h = computed.highlights;
  if (h) {
    out.highlights = {
      rule: h.rule,
      ...(h.rule === 'detected' ? { detection: DETECTION_RULE } : {}),
      dimensions: h.dimensions,
      alpha: h.alpha,
      adjustment: 'Benjamini–Hochberg across every test of the scan',
      ranking: 'effect × volume: |Δ| / σ̂ (σ̂ = √n · CI width / 3.92) × the group’s share of the metric’s n',
      tests: h.items.length,
      significant: h.items.filter((i) => i.significant).length,
      items: h.items,
      anomalies: h.anomalies,
    };
  }
  const cases = model.sections.flatMap((s) => (s.type === 'case-study' && s.did ? [{ id: s.id, title: s.title, ...s.did }] : []));
  if (cases.length > 0) out.caseStudies = cases;
  return out;
}
