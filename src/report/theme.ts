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
