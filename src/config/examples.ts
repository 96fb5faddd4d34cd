/**
 * Example values shown by editors for config keys that declare none in their own schema (keyed by
 * the key's name); added when the JSON Schema is generated. Keys with a default, a fixed set of
 * values or their own examples keep those.
 */
export const KEY_EXAMPLES: Record<string, unknown[]> = {
  $schema: ['./schema/cxreport.schema.json'],
  title: ['Customer Experience Report'],
  subtitle: ['Survey results — NPS, satisfaction and effort'],
  organisation: ['Acme Cloud'],
  author: ['Customer Insights team'],
  confidentiality: ['Confidential — internal use only'],
  logo: ['brand/logo.svg'],
  label: ['NPS'],
  description: ['How likely customers are to recommend us (0–10).'],
  target: [30],
  min_sample: [30],
  dir: ['reports/{period}'],
  templates: ['templates'],
  font: ['Inter, Noto Sans, sans-serif'],
  primary: ['#1f4e79'],
  accent: ['#e69f00'],
  good: ['#007a5a'],
  bad: ['#c4461a'],
  neutral: ['#8c8c8c'],
  ink: ['#1d2630'],
  from: ['2025-11'],
  to: ['2026-04'],
  period: ['2026-05'],
  id: ['nps-trend'],
  metric: ['nps'],
  by: ['channel'],
  band: ['detractors'],
  caption: ['Monthly NPS with 95% interval band. Source: survey responses.'],
  caveat: ['Other regions changed their pricing in the same months.'],
  chart_metric: ['nps'],
  file: ['narrative/notes.md'],
  narrative: ['**Situation.** EMEA lagged every other region. **What was done.** A new onboarding programme from May.'],
  narrative_file: ['narrative/emea-onboarding.md'],
  text: ['NPS is **{{metrics.nps.value}}** (95% CI {{metrics.nps.ci}}) in {{period.label}}.'],
  top: ['20mm'],
  right: ['18mm'],
  bottom: ['20mm'],
  left: ['18mm'],
};

type Node = Record<string, unknown>;

const hasValues = (s: Node): boolean =>
  s.examples !== undefined || s.default !== undefined || s.const !== undefined || s.enum !== undefined || s.type === 'object' || s.type === 'array' || s.type === 'boolean' ||
  ([...((s.anyOf as Node[]) ?? []), ...((s.oneOf as Node[]) ?? [])] as Node[]).some(hasValues);

/** Adds KEY_EXAMPLES to every property without examples of its own (in place). */
export function addExamples(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  const n = node as Node;
  for (const key of ['anyOf', 'oneOf', 'allOf']) for (const sub of (n[key] as unknown[]) ?? []) addExamples(sub);
  addExamples(n.items);
  if (n.additionalProperties && typeof n.additionalProperties === 'object') addExamples(n.additionalProperties);
  for (const [key, sub] of Object.entries((n.properties as Record<string, Node>) ?? {})) {
    if (!hasValues(sub) && KEY_EXAMPLES[key]) sub.examples = KEY_EXAMPLES[key];
    addExamples(sub);
  }
}
