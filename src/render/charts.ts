/**
 * Compiles Vega-Lite specs to static SVG in Node (no canvas, no script in the output). Ids Vega
 * generates for clip paths and gradients are namespaced per chart so that many SVGs can share
 * one HTML document.
 */
import { createHash } from 'node:crypto';
import type * as Vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { cachedText, codeVersion } from '../kernel/disk-cache.js';
import { packageVersion } from '../kernel/packages.js';
import type { Config as VlConfig } from 'vega-lite';
import { NUMBER_LOCALES, type Locale } from '../kernel/i18n.js';
import { categorical, palette, themeSpec, type Theme } from '../kernel/theme.js';

export const FONT = '"Noto Sans", "DejaVu Sans", "Noto Sans CJK SC", "Helvetica Neue", Arial, sans-serif';

/** The default theme for charts. */
export const chartTheme: VlConfig = {
  font: FONT,
  background: 'transparent',
  padding: { left: 4, right: 12, top: 8, bottom: 4 },
  view: { stroke: null },
  axis: { labelColor: palette.ink, titleColor: palette.ink, labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', gridColor: palette.grid, domainColor: '#9aa3ad', tickColor: '#9aa3ad' },
  axisX: { grid: false },
  legend: { labelFontSize: 11, labelColor: palette.ink },
  text: { font: FONT },
};

export { singleLineTitles } from '../report/charts.js';
import { loadVega, singleLineTitles } from '../report/charts.js';

/** Renders one Vega-Lite spec to an SVG string, in the report's theme and number locale (axis labels). */
export async function renderSvg(spec: TopLevelSpec, id: string, theme?: Theme, locale: Locale = 'en'): Promise<string> {
  // the same chart drawn again (the PDF after the HTML, a preview rebuild whose section did not
  // change) is taken from the cache: drawing is deterministic, so the bytes are the same
  const key = createHash('sha256').update(JSON.stringify([spec, id, theme ?? null, locale])).digest('base64url');
  const cached = drawn.get(key);
  if (cached !== undefined) {
    drawn.delete(key);
    drawn.set(key, cached);
    return cached;
  }
  // …and across builds from the cache on disk (kernel/disk-cache.ts), under the version of the code and packages that draw
  svgVersion ??= codeVersion(import.meta.url, ['./charts.js', '../report/charts.js', '../kernel/theme.js', '../kernel/i18n.js'], `vega ${packageVersion('vega')} vega-lite ${packageVersion('vega-lite')}`);
  const svg = await cachedText('svg', svgVersion, key, () => drawSvg(spec, id, theme, locale));
  drawn.set(key, svg);
  if (drawn.size > MAX_DRAWN) drawn.delete(drawn.keys().next().value!);
  return svg;
}

let svgVersion: string | null | undefined;

/** SVGs drawn in this process, most recently used last (keyed by a digest of spec, id, theme and locale). */
const drawn = new Map<string, string>();
const MAX_DRAWN = 500;

async function drawSvg(spec: TopLevelSpec, id: string, theme?: Theme, locale: Locale = 'en'): Promise<string> {
  const themed = singleLineTitles(theme ? themeSpec(spec, theme) : spec);
  const font = theme?.font ? `${theme.font.replace(/[;{}<>]/g, '')}, ${FONT}` : FONT;
  // Vega's own ARIA descriptions ("X-axis titled … for a linear scale") are English; the figure's
  // translated alt text describes the chart, so outside English they are left out.
  const aria = locale === 'en' ? {} : { aria: false };
  const config = { ...chartTheme, font, text: { font }, range: { category: theme?.palette ?? categorical }, ...aria, ...(themed.config ?? {}) };
  // loaded when a chart is drawn (charts drawn before are read from the cache)
  const [vega, vegaLite] = await loadVega();
  const { spec: vgSpec } = vegaLite.compile({ ...themed, config } as TopLevelSpec);
  // vega-view reads `locale` as { number, time } definitions (its typings say formatters)
  const options = locale === 'en' ? { renderer: 'none' } : { renderer: 'none', locale: { number: NUMBER_LOCALES[locale] } };
  const view = new vega.View(vega.parse(vgSpec), options as Vega.ViewOptions);
  try {
    const svg = await view.toSVG();
    return namespaceIds(withTitles(svg), id);
  } finally {
    view.finalize();
  }
}

/**
 * Native tooltips without script: every data mark (a point, bar, rule…) whose ARIA label Vega wrote
 * from the spec's `description` (or Vega-Lite's default description) gets the same text as an SVG
 * `<title>`, which browsers show on hover. Lines and areas are one mark for many data and would
 * show the first datum's text, so they get none (their points carry it).
 */
export function withTitles(svg: string): string {
  return svg.replace(/<(path|line|rect|circle|text)\b([^>]*?)(\/?)>/g, (tag, name: string, attrs: string, selfClosing: string) => {
    // (Vega-Lite names its marks "line", "area"; Vega without Vega-Lite's ARIA, "line mark")
    if (!attrs.includes('role="graphics-symbol"') || /aria-roledescription="(line|area|trail)( mark)?"/.test(attrs)) return tag;
    const label = /\baria-label="([^"]*)"/.exec(attrs)?.[1];
    if (!label) return tag;
    return selfClosing ? `<${name}${attrs}><title>${label}</title></${name}>` : `${tag}<title>${label}</title>`;
  });
}

/** Prefixes every id="…" and url(#…) reference in an SVG with the chart id. */
function namespaceIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, v: string) => `id="${prefix}-${v}"`)
    .replace(/url\(#([^)]+)\)/g, (_, v: string) => `url(#${prefix}-${v})`)
    .replace(/xlink:href="#([^"]+)"/g, (_, v: string) => `xlink:href="#${prefix}-${v}"`);
}
