/**
 * The methods appendix for a reader who looks things up: a one-page table (metric, definition,
 * formula, n, test, source and how recent its data is), then each metric's method once, without the
 * boilerplate every module repeats (how invalid rows are excluded is said once, in the notes), without
 * words only the code knows (file paths of our own docs, field names, generator names, backticks),
 * and with "Source:" kept for data sources: a module's closing "Source: <formula>" becomes
 * "Formula: …", a literature citation "Reference: …", and one that only pointed at our docs goes.
 */
import type { MetricResult } from '../../metrics/results.js';
import type { SectionContext } from '../context.js';
import { dayLabelIn, localTranslator, type Locale } from '../../kernel/i18n.js';
import { MESSAGES } from './methods-glance.messages.js';

type Key = keyof (typeof MESSAGES)['en'];

/** The kind of a metric for the lookup table: its type, with the variant that changes its definition. */
export function kindOf(r: MetricResult, def: Record<string, unknown>): string {
  const extra = r.extra as { measure?: string; clvMethod?: string };
  if (r.type === 'revenue-retention') return `revenue-retention.${String(def.measure ?? extra.measure ?? 'nrr')}`;
  if (r.type === 'clv') return `clv.${String(def.method ?? extra.clvMethod ?? 'simple')}`;
  if (r.type === 'tickets') return `tickets.${String(def.measure ?? 'first_response')}`;
  if (r.type === 'reviews') return `reviews.${String(def.measure ?? 'mean')}`;
  return r.type;
}

/** A change test's short name for the table: the module's name up to its first qualification. */
export function shortTest(test: string | null | undefined, locale: Locale): string {
  const tl = localTranslator(MESSAGES, locale);
  if (!test) return '—';
  // the module's test in either language (a zh-CN build carries the Chinese wording)
  if (/^not tested|不作检验|没有适用的独立样本检验/i.test(test)) return tl('notTested');
  const zh = locale === 'zh-CN';
  const known: [RegExp, string, string][] = [
    [/^z-test for the difference of two NPS/i, 'z-test (two NPS)', 'z 检验（两个 NPS）'],
    [/^z-test for the difference of two net sentiment|^两个净情感值之差的 z 检验/i, 'z-test (two net scores)', 'z 检验（两个净值）'],
    [/^two-proportion z-test|^双比例 z 检验/i, 'two-proportion z-test', '双比例 z 检验'],
    [/^pooled two-proportion z-test, cohorts|^合并比例的双比例 z 检验，两个窗口/i, 'pooled z-test, shared cohorts once', '合并 z 检验（共享同期群只计一次）'],
    [/^Welch/i, 'Welch’s t-test', 'Welch t 检验'],
    [/^paired t-test|^配对 t 检验/i, 'paired t-test', '配对 t 检验'],
    [/^bootstrap|自助法检验/i, 'bootstrap over customers', '对客户自助法重抽样'],
    [/^Mood/i, 'Mood’s median test', 'Mood 中位数检验'],
    [/^exact conditional binomial/i, 'exact Poisson test', '精确泊松检验'],
    [/^log-rank/i, 'log-rank test', 'log-rank 检验'],
  ];
  const hit = known.find(([re]) => re.test(test));
  if (hit) return zh ? hit[2] : hit[1];
  return test.split(/\s*[(:：（]/)[0].trim();
}

/** Sentences of a paragraph (en ". " or zh "。"), keeping their end marks. */
function sentences(text: string): string[] {
  return text.match(/[^。]+?(?:[.。](?=\s+[A-Z(“"]|$)|。|$)/g)?.map((s) => s.trim()).filter(Boolean) ?? [text];
}

/** Exclusion boilerplate: how a module's invalid rows are excluded and counted (said once in the notes). */
function isExclusionBoilerplate(s: string): boolean {
  if (/^(Rows|Revenue rows|Orders|Empty comments and rows|Ratings that are missing)\b/.test(s) && /\bexcluded\b/.test(s)) return true;
  // zh-CN: the same sentences; an account-level rule (health score) is the metric's own and stays
  return /排除/.test(s) && /(从不修正|从不强制|并计数|并按原因计数)/.test(s) && !/账户/.test(s);
}

/** The generic breakdown sentence (the notes say how breakdowns are tested). */
function isBreakdownBoilerplate(s: string): boolean {
  return /^Breakdowns group customers by their value of the column, with Benjamini–Hochberg adjusted p-values\.$/.test(s) || /^细分分析按客户在该列上的取值分组，p 值经 Benjamini–Hochberg 法校正。$/.test(s);
}

/** Words only the code or its docs know, said plainly. */
export function plainWords(text: string, locale: Locale): string {
  const tl = localTranslator(MESSAGES, locale);
  return text
    .replace(/`/g, '')
    .replace(/,? ?seeded Mulberry32 generator, seed \d+/g, `, ${tl('seeded')}`)
    .replace(/，?(?:使用)?带种子的 ?Mulberry32 ?生成器，随机种子 ?\d+/g, `，${tl('seeded')}`)
    .replace(/ (is reported beside it )?as retainedOfStart/g, (_, beside: string | undefined) => (beside ? ' is reported beside it' : ''))
    .replace(/\s*作为 ?retainedOfStart ?/g, '')
    .replace(/\(\s*,\s*/g, '(')
    .replace(/（\s*，\s*/g, '（');
}

/**
 * A module's method paragraph for the appendix: exclusion and breakdown boilerplate out, internal
 * words out, and a closing "Source: …" that is really a formula or a citation renamed (or dropped
 * when it only pointed at our own docs).
 */
export function cleanMethod(text: string, locale: Locale): string {
  const tl = localTranslator(MESSAGES, locale);
  const kept: string[] = [];
  for (const raw of sentences(plainWords(text, locale))) {
    if (isExclusionBoilerplate(raw) || isBreakdownBoilerplate(raw)) continue;
    const source = /^(?:Source|Formula|Definition|来源|公式|定义)[:：]\s*(.*?)[.。]?$/.exec(raw);
    if (!source) {
      kept.push(raw);
      continue;
    }
    const body = source[1]
      .replace(/\s*[(（]\s*reference\/metrics\.md\s*[;；]\s*/g, ' (')
      .replace(/\s*[(（]\s*reference\/metrics\.md\s*[)）]/g, '')
      .replace(/\s*[(（]?\s*cxreport (?:metrics reference|指标参考)\s*[,，(（]?\s*(?:["“][^"”]*["”])?\s*[)）]?/g, '')
      .trim();
    const zh = locale === 'zh-CN';
    const end = zh ? '。' : '.';
    if (body.includes('=')) kept.push(tl('formula', { text: body }) + end);
    else if (/\b(1[89]|20)\d\d\b/.test(body)) kept.push(tl('reference', { text: body.replace(/^.*?[(（]([^()（）]*\b(?:1[89]|20)\d\d\b[^()（）]*)[)）]$/, '$1') }) + end);
  }
  return kept.join(locale === 'zh-CN' ? '' : ' ');
}

/** A model's fitted parameters (CLV by BG/NBD + Gamma-Gamma), which the body leaves to the appendix; '' for other metrics. */
export function modelFit(r: MetricResult, locale: Locale, period: string): string {
  const bg = r.extra.bgnbd as { r: number; alpha: number; a: number; b: number; logLikelihood: number } | undefined;
  const gg = r.extra.gammaGamma as { p: number; q: number; gamma: number } | undefined;
  if (!bg || !gg) return '';
  const f = (v: number) => (Math.abs(v) >= 1000 || Math.abs(v) < 0.001 ? v.toExponential(3) : v.toPrecision(4)).replace('-', '−');
  return localTranslator(MESSAGES, locale)('fit', { period, r: f(bg.r), alpha: f(bg.alpha), a: f(bg.a), b: f(bg.b), ll: bg.logLikelihood.toFixed(1).replace('-', '−'), p: f(gg.p), q: f(gg.q), gamma: f(gg.gamma) });
}

/** The latest timestamp the report used from each source (ms), from the metrics built on it. */
export function sourceDataThrough(ctx: SectionContext): Map<string, number> {
  const through = new Map<string, number>();
  for (const [id, prepared] of ctx.computed.prepared) {
    const source = (ctx.config.metrics[id] as { source?: string } | undefined)?.source;
    const ts = prepared.lastTimestamp(ctx.computed.period);
    if (!source || ts === undefined || !Number.isFinite(ts)) continue;
    through.set(source, Math.max(through.get(source) ?? -Infinity, ts));
  }
  return through;
}

/** "31 Oct 2026" (zh-CN "2026年10月31日") of a source, or "—" when no metric read a date from it. */
export function throughLabel(ctx: SectionContext, through: Map<string, number>, source: string): string {
  const ts = through.get(source);
  if (ts === undefined) return '—';
  return ctx.locale === 'en' ? new Date(ts).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }) : dayLabelIn(ctx.locale, ts);
}

export interface GlanceRow {
  metric: string;
  definition: string;
  formula: string;
  n: string;
  test: string;
  source: string;
}

/** One row per metric for the lookup table. */
export function glanceRows(ctx: SectionContext, names: Map<string, string>, through: Map<string, number>): GlanceRow[] {
  const tl = localTranslator(MESSAGES, ctx.locale);
  const maybe = (key: string) => (key in MESSAGES.en ? tl(key as Key) : '');
  return [...ctx.computed.results.values()].map((r) => {
    const def = (ctx.config.metrics[r.id] ?? {}) as Record<string, unknown>;
    const kind = kindOf(r, def);
    const description = typeof def.description === 'string' && ctx.locale === 'en' ? def.description.replace(/\.$/, '') : '';
    const source = typeof def.source === 'string' ? def.source : '';
    return {
      metric: names.get(r.id) ?? r.label,
      definition: description || maybe(`def.${kind}`) || '—',
      formula: maybe(`formula.${kind}`) || '—',
      n: ctx.fmt.count(r.n),
      test: shortTest(r.test, ctx.locale),
      source: source ? tl('sourceCell', { source, date: throughLabel(ctx, through, source) }) : '—',
    };
  });
}

/**
 * Each metric's heading in the appendix: its label, then its title when that says more ("SLA
 * attainment", not "SLA attainment — SLA attainment"); two metrics that would read the same are
 * told apart by their source ("Net sentiment (reviews)", "Net sentiment (responses)"). Without
 * `titleOf`, the labels alone (the lookup table's short names), told apart the same way.
 */
export function metricHeadings(ctx: SectionContext, titleOf: ((r: MetricResult) => string) | null): Map<string, string> {
  const tl = localTranslator(MESSAGES, ctx.locale);
  const results = [...ctx.computed.results.values()];
  const base = new Map(results.map((r) => {
    const title = titleOf ? titleOf(r) : r.label;
    const same = title.trim().toLowerCase() === r.label.trim().toLowerCase();
    return [r.id, same ? r.label : `${r.label} — ${title}`];
  }));
  const count = new Map<string, number>();
  for (const h of base.values()) count.set(h, (count.get(h) ?? 0) + 1);
  return new Map(results.map((r) => {
    const h = base.get(r.id)!;
    const source = (ctx.config.metrics[r.id] as { source?: string } | undefined)?.source;
    return [r.id, (count.get(h) ?? 0) > 1 && source ? tl('duplicateHeading', { label: r.label, source }) : h];
  }));
}

