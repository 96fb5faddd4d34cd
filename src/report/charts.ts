/**
 * Vega-Lite specs for the default visuals. Specs are plain data (compiled to SVG by the render
 * stage); every chart's data is inlined, so the compiled output needs no network or script.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Band } from '../kernel/types.js';
import { palette, toneColour } from '../kernel/theme.js';
import { formatter, type Unit } from '../kernel/format.js';
import { translator, type Translator } from '../kernel/i18n.js';

const WIDTH = 600;

function axisFormat(unit: Unit): string {
  return unit === 'score' ? '.1f' : unit === 'points' ? '+.0f' : unit === 'count' || unit === 'currency' ? ',.0f' : '.0f';
}

/** Built-in chart text (axis titles, legends, "Target") is in the locale of `t`; English by default. */
const EN = translator('en');

const unitSuffix = (unit: Unit, t: Translator = EN) => (unit === 'percent' || unit === 'ratio' ? t('axis.percent') : unit === 'points' ? t('axis.points') : unit === 'duration' ? t('axis.hours') : '');

export interface SeriesPoint {
  label: string;
  value: number | null;
  lo: number | null;
  hi: number | null;
  n: number;
  lowSample?: boolean;
  /** the point's tooltip: "October 2026: +45.0 (95% CI …, n = 220)" */
  tip?: string;
  /** outside the prediction interval of the periods before it (metrics/highlights.ts): drawn ringed */
  anomaly?: boolean;
}

/** An SVG `<title>` tooltip for every datum of a mark: its `tip` field as the mark's description (shown on hover; see render/charts.ts). */
const tipped = (points: { tip?: string }[]) => (points.length > 0 && points.every((p) => p.tip) ? { description: { field: 'tip' } } : {});

/** Line with a 95% interval band, optional target line and dated annotations. */
export function trendSpec(points: SeriesPoint[], options: { metric: string; unit: Unit; target?: number | null; annotations?: { label: string; text: string }[]; domain?: [number, number]; t?: Translator }): TopLevelSpec {
  const t = options.t ?? EN;
  const values = points.filter((p) => p.value !== null);
  const order = points.map((p) => p.label);
  const last = JSON.stringify(order[order.length - 1] ?? '');
  // with many periods every other label is shown, counted back from the current one so that it is always labelled
  const ticks = order.length > 8 ? { values: order.filter((_, i) => (order.length - 1 - i) % 2 === 0) } : {};
  const x = { field: 'label', type: 'ordinal' as const, sort: order, title: null, axis: { labelAngle: 0, labelOverlap: true, ...ticks, labelFontWeight: { condition: { test: `datum.value === ${last}`, value: 'bold' }, value: 'normal' } } };
  const extent = values.flatMap((p) => [p.lo ?? p.value!, p.hi ?? p.value!]).concat(options.target != null ? [options.target] : []);
  const lo = Math.min(...extent);
  const hi = Math.max(...extent);
  const pad = (hi - lo) * 0.15 || 1;
  let domain: [number, number] = [lo - pad, hi + pad];
  if (options.domain) domain = [Math.max(options.domain[0], domain[0]), Math.min(options.domain[1], domain[1])];
  const y = { type: 'quantitative' as const, scale: { domain, zero: false, nice: true }, title: `${options.metric}${unitSuffix(options.unit, t)}`, axis: { format: axisFormat(options.unit), tickCount: 5 } };
  const layers: any[] = [
    { mark: { type: 'area', color: palette.band, opacity: 0.9 }, encoding: { x, y: { field: 'lo', ...y }, y2: { field: 'hi' } } },
    { mark: { type: 'line', color: palette.primary, strokeWidth: 2.5, point: { filled: true, size: 36, color: palette.primary }, aria: true }, encoding: { x, y: { field: 'value', ...y }, ...tipped(values) } },
  ];
  const anomalies = values.filter((p) => p.anomaly);
  if (anomalies.length > 0) layers.push({ data: { values: anomalies }, mark: { type: 'point', filled: false, size: 260, strokeWidth: 2, color: palette.accent }, encoding: { x, y: { field: 'value', ...y } } });
  // the current (last) period is labelled with its value, so the month the report is about stands out
  const current = values[values.length - 1];
  if (current && order[order.length - 1] === current.label) {
    const text = formatter(t.locale).value(current.value, options.unit);
    layers.push({ data: { values: [{ label: current.label, value: current.value, text }] }, mark: { type: 'point', filled: true, size: 90, color: palette.primary, stroke: '#ffffff', strokeWidth: 1.5 }, encoding: { x, y: { field: 'value', ...y } } });
    layers.push({ data: { values: [{ label: current.label, value: current.value, text }] }, mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -6, dy: -8, fontSize: 11, fontWeight: 'bold', color: palette.primary }, encoding: { x, y: { field: 'value', ...y }, text: { field: 'text' } } });
  }
  if (options.target != null) {
    layers.push({ data: { values: [{ target: options.target }] }, mark: { type: 'rule', color: palette.accent, strokeDash: [6, 4], strokeWidth: 1.5, aria: true }, encoding: { y: { field: 'target', ...y }, description: { value: t('chart.target', { value: options.target }) } } });
    layers.push({ data: { values: [{ target: options.target, label: t('chart.target', { value: options.target }) }] }, mark: { type: 'text', color: palette.accent, align: 'left', dx: 4, dy: -7, fontSize: 10, x: 0, aria: true }, encoding: { y: { field: 'target', ...y }, text: { field: 'label' }, description: { field: 'label' } } });
  }
  for (const a of options.annotations ?? []) {
    if (!order.includes(a.label)) continue;
    layers.push({ data: { values: [{ label: a.label, text: a.text }] }, mark: { type: 'rule', color: palette.ink, strokeDash: [2, 3], opacity: 0.7 }, encoding: { x } });
    layers.push({ data: { values: [{ label: a.label, text: a.text }] }, mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, y: 2, fontSize: 10, color: palette.ink }, encoding: { x, text: { field: 'text' } } });
  }
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: WIDTH, height: 220, data: { values }, layer: layers } as TopLevelSpec;
}

/** A 12-period sparkline for a KPI card. */
export function sparklineSpec(points: SeriesPoint[]): TopLevelSpec {
  const values = points.filter((p) => p.value !== null);
  return {
    width: 150,
    height: 34,
    padding: 2,
    data: { values },
    config: { view: { stroke: null } },
    // invisible points carry each period's tooltip
    mark: { type: 'line', color: palette.primary, strokeWidth: 1.6, point: values.every((p) => p.tip) ? { filled: true, size: 40, opacity: 0 } : false, aria: true },
    encoding: {
      x: { field: 'label', type: 'ordinal', sort: points.map((p) => p.label), axis: null },
      y: { field: 'value', type: 'quantitative', scale: { zero: false }, axis: null },
      ...tipped(values),
    },
  } as TopLevelSpec;
}

export interface BarRow {
  group: string;
  value: number;
  lo: number | null;
  hi: number | null;
  n: number;
  lowSample: boolean;
  label: string;
}

/** Horizontal bars sorted by value, with 95% whiskers, n labels, and low-n groups greyed. */
export function breakdownSpec(rows: BarRow[], options: { metric: string; unit: Unit; domain?: [number, number]; minSample: number; target?: number | null; t?: Translator }): TopLevelSpec {
  const t = options.t ?? EN;
  const count = formatter(t.locale).count;
  const sorted = [...rows].sort((a, b) => b.value - a.value);
  const order = sorted.map((r) => r.group);
  const fmt = formatter(t.locale);
  const data = sorted.map((r) => ({
    ...r,
    nLabel: r.lowSample ? `${t('common.n', { n: r.n })} (${t('common.lowN', { min: options.minSample })})` : t('common.n', { n: count(r.n) }),
    tip: t('chart.tip', { label: r.group, value: fmt.value(r.value, options.unit), ci: r.lo !== null && r.hi !== null ? t('change.ci', { ci: fmt.interval([r.lo, r.hi], options.unit) }) : '', n: count(r.n) }),
  }));
  const extent = data.flatMap((r) => [r.lo ?? r.value, r.hi ?? r.value, 0]).concat(options.target != null ? [options.target] : []);
  let max = Math.max(...extent);
  let min = Math.min(...extent);
  if (options.domain) {
    max = Math.min(options.domain[1], max * 1.18 + 1);
    min = Math.max(options.domain[0], min < 0 ? min * 1.18 - 1 : 0);
  }
  const x = { type: 'quantitative' as const, scale: { domain: [min, max], zero: true, nice: true }, title: `${options.metric}${unitSuffix(options.unit, t)}`, axis: { format: axisFormat(options.unit), tickCount: 5 } };
  // vega sizes the label column by an estimate of 0.8 em a character, too narrow for Chinese (1 em): leave at least that much room
  const labelWidth = (g: string) => [...g].reduce((w, c) => w + (c.codePointAt(0)! >= 0x2e80 ? 11 : 7), 0);
  const cjk = data.some((r) => /[\u2e80-\uffff]/.test(r.group));
  const y = { field: 'group', type: 'nominal' as const, sort: order, title: null, axis: { labelLimit: 160, ...(cjk ? { minExtent: Math.min(160, Math.max(...data.map((r) => labelWidth(r.group)))) + 10 } : {}) } };
  return {
    // the plot leaves room right of it for the value labels (up to "100.0%" at the upper end of an interval) before the n column
    width: WIDTH - 210,
    height: { step: 30 },
    data: { values: data },
    layer: [
      { mark: { type: 'bar', height: { band: 0.62 }, aria: true }, encoding: { y, x: { field: 'value', ...x }, color: { condition: { test: 'datum.lowSample', value: palette.muted }, value: palette.primary }, description: { field: 'tip' } } },
      { mark: { type: 'rule', color: palette.ink, strokeWidth: 1.2, aria: true }, encoding: { y, x: { field: 'lo', ...x }, x2: { field: 'hi' }, description: { field: 'tip' } } },
      { mark: { type: 'text', align: 'left', dx: 6, fontSize: 10, color: palette.ink, aria: true }, encoding: { y, x: { field: 'hi', ...x }, text: { field: 'label' }, description: { field: 'tip' } } },
      { mark: { type: 'text', align: 'left', x: WIDTH - 210 + 48, fontSize: 10, color: palette.neutral, aria: true }, encoding: { y, text: { field: 'nLabel' }, description: { field: 'tip' } } },
      // the metric's target as a vertical line across the bars, labelled above them
      ...(options.target != null
        ? [
            { data: { values: [{ target: options.target }] }, mark: { type: 'rule', color: palette.accent, strokeDash: [6, 4], strokeWidth: 1.5, aria: true }, encoding: { x: { field: 'target', ...x }, description: { value: t('chart.target', { value: options.target }) } } },
            { data: { values: [{ target: options.target, label: t('chart.target', { value: options.target }) }] }, mark: { type: 'text', color: palette.accent, align: 'center', baseline: 'bottom', y: -3, fontSize: 10 }, encoding: { x: { field: 'target', ...x }, text: { field: 'label' } } },
          ]
        : []),
    ],
  } as TopLevelSpec;
}

/** Histogram of answers coloured by band (e.g. detractor / passive / promoter), share labels on bars. */
export function distributionSpec(rows: { score: number; count: number; share: number; band: string | null }[], bands: Band[], t: Translator = EN): TopLevelSpec {
  const names = bands.map((b) => b.name);
  return {
    width: WIDTH,
    height: 200,
    data: {
      values: rows.map((r) => {
        const band = bands.find((b) => b.name === r.band)?.label ?? t('chart.otherBand');
        const pct = `${(100 * r.share).toFixed(1)}%`;
        return { ...r, band, pct, tip: t('chart.tipAnswers', { score: String(r.score), count: formatter(t.locale).count(r.count), share: pct, band }) };
      }),
    },
    layer: [
      {
        mark: { type: 'bar', width: { band: 0.8 }, aria: true },
        encoding: {
          description: { field: 'tip' },
          x: { field: 'score', type: 'ordinal', title: t('axis.answer'), axis: { labelAngle: 0 } },
          y: { field: 'count', type: 'quantitative', title: t('axis.responses'), axis: { format: ',d', tickCount: 4 } },
          color: { field: 'band', type: 'nominal', sort: names.map((n) => bands.find((b) => b.name === n)!.label), scale: { domain: bands.map((b) => b.label), range: bands.map((b) => toneColour[b.tone]) }, legend: { orient: 'top', title: null, symbolType: 'square' } },
        },
      },
      { mark: { type: 'text', dy: -6, fontSize: 10, color: palette.ink, aria: true }, encoding: { x: { field: 'score', type: 'ordinal' }, y: { field: 'count', type: 'quantitative' }, text: { field: 'pct' }, description: { field: 'tip' } } },
    ],
  } as TopLevelSpec;
}

/** Segment vs comparison group over time, with before/after windows shaded and the intervention marked. */
export function caseStudySpec(points: (SeriesPoint & { series: string })[], options: { metric: string; unit: Unit; order: string[]; before: [string, string]; after: [string, string]; intervention?: { label: string; text: string }; segmentName: string; domain?: [number, number]; t?: Translator }): TopLevelSpec {
  const t = options.t ?? EN;
  // A quantitative period index (labelled on the axis) lets the windows span whole periods.
  const index = (label: string) => options.order.indexOf(label);
  const values = points.filter((p) => p.value !== null).map((p) => ({ ...p, i: index(p.label) }));
  const labels = JSON.stringify(options.order);
  const x = { field: 'i', type: 'quantitative' as const, title: null, scale: { domain: [-0.5, options.order.length - 0.5], nice: false, zero: false }, axis: { values: options.order.map((_, i) => i).filter((i) => i % 2 === 0), labelExpr: `${labels}[datum.value]`, grid: false, labelAngle: 0 } };
  const extent = values.flatMap((p) => [p.lo ?? p.value!, p.hi ?? p.value!]);
  const pad = (Math.max(...extent) - Math.min(...extent)) * 0.12 || 1;
  let domain: [number, number] = [Math.min(...extent) - pad, Math.max(...extent) + pad];
  if (options.domain) domain = [Math.max(options.domain[0], domain[0]), Math.min(options.domain[1], domain[1])];
  const y = { type: 'quantitative' as const, scale: { domain, zero: false, nice: true }, title: `${options.metric}${unitSuffix(options.unit, t)}`, axis: { format: axisFormat(options.unit), tickCount: 5 } };
  const colour = { field: 'series', type: 'nominal' as const, scale: { domain: [options.segmentName, t('case.rest')], range: [palette.primary, palette.comparison] }, legend: { orient: 'top' as const, title: null } };
  const windows = [
    { i: index(options.before[0]) - 0.5, i2: index(options.before[1]) + 0.5, name: t('case.before') },
    { i: index(options.after[0]) - 0.5, i2: index(options.after[1]) + 0.5, name: t('case.after') },
  ].filter((w) => w.i >= -0.5 && w.i2 >= w.i);
  const layers: any[] = [
    { data: { values: windows }, mark: { type: 'rect', color: '#eef1f5' }, encoding: { x, x2: { field: 'i2' } } },
    { data: { values: windows }, mark: { type: 'text', baseline: 'top', align: 'left', dx: 4, y: 3, fontSize: 10, fontWeight: 'bold', color: palette.neutral }, encoding: { x, text: { field: 'name' } } },
    { transform: [{ filter: `datum.series === ${JSON.stringify(options.segmentName)}` }], mark: { type: 'area', color: palette.band, opacity: 0.8 }, encoding: { x, y: { field: 'lo', ...y }, y2: { field: 'hi' } } },
    { mark: { type: 'line', strokeWidth: 2.2, point: { filled: true, size: 28 }, aria: true }, encoding: { x, y: { field: 'value', ...y }, color: colour, ...tipped(values) } },
  ];
  if (options.intervention && options.order.includes(options.intervention.label)) {
    const d = { data: { values: [{ i: index(options.intervention.label) - 0.5, text: options.intervention.text }] } };
    layers.push({ ...d, mark: { type: 'rule', color: palette.accent, strokeWidth: 1.5, strokeDash: [4, 3] }, encoding: { x } });
    layers.push({ ...d, mark: { type: 'text', color: palette.accent, align: 'left', baseline: 'bottom', dx: 4, y: 144, fontSize: 10 }, encoding: { x, text: { field: 'text' } } });
  }
  return { width: WIDTH, height: 150, data: { values }, layer: layers } as TopLevelSpec;
}

/** A driver in the importance/performance chart: its mean score (x) and its share of R² with its interval (y). */
export interface DriverPoint {
  label: string;
  x: number;
  share: number;
  lo: number | null;
  hi: number | null;
  /** the importance/performance quadrant (Martilla & James 1977) it falls in */
  quadrant: 'concentrate' | 'keep' | 'low' | 'overkill';
}

/**
 * Importance against performance (key drivers): each driver's share of the explained variation
 * with its 95% interval against its mean score, split into quadrants at the average share
 * (100% ÷ p) and the drivers' average score; drivers that matter more than average and score
 * below average ("concentrate here") are drawn in the `bad` tone.
 */
export function driversSpec(points: DriverPoint[], options: { xTitle: string; yTitle: string; xMid: number; yMid: number; quadrants: Record<DriverPoint['quadrant'], string>; xFormat: string }): TopLevelSpec {
  const xs = points.map((p) => p.x).concat(options.xMid);
  const xlo = Math.min(...xs);
  const xhi = Math.max(...xs);
  const pad = (xhi - xlo) * 0.3 || Math.max(0.5, Math.abs(xhi) * 0.1);
  const xDomain = [xlo - pad, xhi + pad];
  const top = Math.max(...points.map((p) => p.hi ?? p.share), options.yMid);
  const yDomain = [0, Math.ceil((top * 1.15) / 5) * 5];
  const x = { type: 'quantitative' as const, scale: { domain: xDomain, nice: false, zero: false }, title: options.xTitle, axis: { format: options.xFormat, tickCount: 6, grid: false } };
  const y = { type: 'quantitative' as const, scale: { domain: yDomain, nice: false, zero: true }, title: options.yTitle, axis: { format: '.0f', tickCount: 6 } };
  const corner = (text: string, at: [number, number], align: 'left' | 'right', baseline: 'top' | 'bottom') => ({
    data: { values: [{ x: at[0], y: at[1], text }] },
    mark: { type: 'text', align, baseline, dx: align === 'left' ? 4 : -4, dy: baseline === 'top' ? 4 : -4, fontSize: 10, fontStyle: 'italic', color: palette.neutral },
    encoding: { x: { field: 'x', ...x }, y: { field: 'y', ...y }, text: { field: 'text' } },
  });
  const colour = { condition: { test: "datum.quadrant === 'concentrate'", value: palette.bad }, value: palette.primary };
  const layers: any[] = [
    { data: { values: [{ v: options.xMid }] }, mark: { type: 'rule', color: palette.neutral, strokeDash: [4, 4], strokeWidth: 1 }, encoding: { x: { field: 'v', ...x } } },
    { data: { values: [{ v: options.yMid }] }, mark: { type: 'rule', color: palette.neutral, strokeDash: [4, 4], strokeWidth: 1 }, encoding: { y: { field: 'v', ...y } } },
    corner(options.quadrants.concentrate, [xDomain[0], yDomain[1]], 'left', 'top'),
    corner(options.quadrants.keep, [xDomain[1], yDomain[1]], 'right', 'top'),
    corner(options.quadrants.low, [xDomain[0], 0], 'left', 'bottom'),
    corner(options.quadrants.overkill, [xDomain[1], 0], 'right', 'bottom'),
    { transform: [{ filter: 'datum.lo !== null' }], mark: { type: 'rule', strokeWidth: 1.6 }, encoding: { x: { field: 'x', ...x }, y: { field: 'lo', ...y }, y2: { field: 'hi' }, color: colour } },
    { mark: { type: 'point', filled: true, size: 80, opacity: 1 }, encoding: { x: { field: 'x', ...x }, y: { field: 'share', ...y }, color: colour } },
    // plain filled labels: a stroked "halo" would print as a Type 3 font (Chromium's PDF backend
    // draws stroked text as glyph outlines) and its text would be extracted twice
    { mark: { type: 'text', align: 'left', baseline: 'middle', dx: 8, fontSize: 11, color: palette.ink }, encoding: { x: { field: 'x', ...x }, y: { field: 'share', ...y }, text: { field: 'label' } } },
  ];
  return { width: WIDTH, height: 300, data: { values: points }, layer: layers } as TopLevelSpec;
}

/**
 * The spec with every line break in a `title` (a metric label, a survey's question text, an
 * analyst's axis title) turned into a space. Vega-Lite writes field titles into the expression of
 * each mark's ARIA description without escaping line breaks (\n, \r, U+2028, U+2029), and Vega
 * then fails to parse it; an array title is Vega-Lite's own way to break lines and is kept.
 */
export function singleLineTitles<T>(spec: T): T {
  const oneLine = (s: string) => s.replace(/\r\n|[\n\r\u2028\u2029]/g, ' ');
  const walk = (value: unknown, key?: string): unknown => {
    // rows are data, not titles
    if (key === 'data' || key === 'datasets') return value;
    if (Array.isArray(value)) return value.map((v) => (key === 'title' && typeof v === 'string' ? oneLine(v) : walk(v)));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    return key === 'title' && typeof value === 'string' ? oneLine(value) : value;
  };
  return walk(spec) as T;
}

let vega: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;

/**
 * Vega and Vega-Lite, loaded once when first needed (about 0.25 s): to draw a chart that is not in
 * the cache (render/charts.ts) or to check a chart section's spec (sections/custom.ts).
 */
export function loadVega(): Promise<[typeof import('vega'), typeof import('vega-lite')]> {
  vega ??= Promise.all([import('vega'), import('vega-lite')]);
  return vega;
}
