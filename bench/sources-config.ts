/** The config every cxreport case of the sources benchmark builds (also printed in docs/benchmarks.md). */
export function benchConfig(title: string, source: string): string {
  return `report:
  title: ${title}
  period: { granularity: month, current: latest }
sources:
  responses: ${source}
metrics:
  nps: { type: nps, source: responses, score: nps_score, date: submitted_at }
  csat: { type: csat, source: responses, score: csat, date: submitted_at, scale: 5 }
  ces: { type: ces, source: responses, score: ces, date: submitted_at, scale: 7 }
sections:
  - { type: kpis, metrics: [nps, csat, ces] }
  - { type: breakdown, metric: nps, by: region }
`;
}
