/** Colours of the default theme (Okabe–Ito based: colour-blind safe, tones differ in lightness too). */
export const palette = {
  primary: '#1f4e79',
  primaryLight: '#9cb8d4',
  accent: '#e69f00',
  good: '#007a5a',
  bad: '#c4461a',
  neutral: '#8c8c8c',
  muted: '#b9bec5',
  comparison: '#8c8c8c',
  ink: '#1d2630',
  grid: '#e6e9ed',
  band: '#cfdcea',
} as const;

export const toneColour = { good: palette.good, bad: palette.bad, neutral: palette.neutral } as const;

/** Categorical colours (Okabe–Ito order, starting with the brand colour). */
export const categorical = ['#1f4e79', '#e69f00', '#56b4e9', '#009e73', '#d55e00', '#cc79a7', '#f0e442', '#8c8c8c'];

export interface Theme {
  colors: { primary: string; accent: string; good: string; bad: string; neutral: string; ink: string };
  font?: string;
  palette: string[];
}

/** The theme from the config's `theme:` (unset keys keep the defaults). */
export function resolveTheme(config?: { colors?: Partial<Theme['colors']>; font?: string; palette?: string[] }): Theme {
  return {
    colors: { primary: palette.primary, accent: palette.accent, good: palette.good, bad: palette.bad, neutral: palette.neutral, ink: palette.ink, ...(config?.colors ?? {}) },
    font: config?.font,
    palette: config?.palette ?? categorical,
  };
}

/** Mixes a hex colour with white (amount 0..1 of white). */
function tint(hex: string, amount: number): string {
  const n = parseInt(hex.slice(1), 16);
  const mix = (c: number) => Math.round(c + (255 - c) * amount);
  return `#${[(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => mix(c).toString(16).padStart(2, '0')).join('')}`;
}

/** Default-palette colour → themed colour, for recolouring chart specs. */
export function colourMap(theme: Theme): Map<string, string> {
  const c = theme.colors;
  return new Map([
    [palette.primary, c.primary],
    [palette.primaryLight, tint(c.primary, 0.55)],
    [palette.band, tint(c.primary, 0.78)],
    [palette.accent, c.accent],
    [palette.good, c.good],
    [palette.bad, c.bad],
    [palette.neutral, c.neutral],
    [palette.ink, c.ink],
  ]);
}

/** A copy of a chart spec with the default colours replaced by the theme's. */
export function themeSpec<T>(spec: T, theme: Theme): T {
  const map = colourMap(theme);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return map.get(v) ?? v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(spec) as T;
}

/** CSS custom properties overriding the stylesheet's defaults. */
export function themeCss(theme: Theme): string {
  const c = theme.colors;
  const vars = [`--primary: ${c.primary}`, `--accent: ${c.accent}`, `--good: ${c.good}`, `--bad: ${c.bad}`, `--neutral: ${c.neutral}`, `--ink: ${c.ink}`];
  if (theme.font) vars.push(`--font: ${theme.font}`);
  return `:root { ${vars.join('; ')}; }`;
}
