/** The result fields churn and retention share, whichever form they are computed from (customers' dates or yes/no flags). */
export function rateHeader(kind: 'churn' | 'retention', id: string, def: { label?: string; target?: number }, t: (key: 'label.churn' | 'label.retention' | 'title.churn' | 'title.retention') => string) {
  return {
    id,
    type: kind,
    label: def.label ?? t(kind === 'churn' ? 'label.churn' : 'label.retention'),
    title: t(kind === 'churn' ? 'title.churn' : 'title.retention'),
    unit: 'percent' as const,
    higherIsBetter: kind === 'retention',
    domain: [0, 100] as [number, number],
    target: def.target ?? null,
  };
}
