/**
 * The Chinese font of printed PDFs.
 *
 * Why not the system's Noto Sans CJK: Debian's (and most distributions') Noto Sans CJK is a
 * collection (.ttc) of OpenType fonts with CFF outlines, and Chromium's PDF backend (Skia) embeds
 * only TrueType-outline fonts as real font subsets. CFF glyphs — in a .ttc or in a single .otf
 * alike — are printed as Type 3 fonts, one small font per group of glyphs (286 of them in the
 * flagship's zh-CN PDF). Type 3 glyphs carry no proper font metrics, so text extraction splits
 * "2026年10月" apart, and the PDF is larger.
 *
 * So the print page gets Noto Sans SC with TrueType outlines from the `@fontsource/noto-sans-sc`
 * package (SIL Open Font License), regular and bold, as web fonts. The package splits each weight
 * into about 100 files by `unicode-range`; Chromium fetches only those whose characters the report
 * uses, and embeds each as a subset (pdffonts: "CID TrueType"). The print page has no network:
 * the font URLs point at a reserved host that the printer answers from the package's files (see
 * `fontResponse`), and nothing else is let through. The running header and footer need more care
 * (see `withFonts`).
 *
 * The report's HTML file is unchanged: it names the same font stack and uses whatever the reader's
 * system has. Without the package (an install that left it out) the PDF falls back to the system's
 * CJK font as before.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The family name of the web font: the name the font stacks already list (style.css, the charts,
 * the running header), so that on the print page it stands in for the system font of that name
 * (a web font shadows a local font of the same family). Noto Sans SC is Noto Sans CJK's
 * Simplified Chinese subset, the same design.
 */
export const CJK_FONT_FAMILY = 'Noto Sans CJK SC';
/** A reserved (.invalid, RFC 6761) origin that never resolves: the printer answers it itself. */
export const FONT_ORIGIN = 'https://fonts.cxreport.invalid/';
const WEIGHTS = [400, 700] as const;

export interface FontFace {
  weight: number;
  /** file name inside the package's files/ folder */
  file: string;
  /** code-point ranges, inclusive */
  ranges: [number, number][];
  /** the unicode-range descriptor as written by the package */
  unicodeRange: string;
}

let loaded: { dir: string; faces: FontFace[] } | null | undefined;

/** Parses a `unicode-range` descriptor ("U+4e00-4e0f,U+3000") into inclusive ranges. */
export function parseUnicodeRange(descriptor: string): [number, number][] {
  return descriptor
    .split(',')
    .map((part) => part.trim().replace(/^U\+/i, ''))
    .filter(Boolean)
    .map((part) => {
      const [a, b] = part.split('-');
      const lo = parseInt(a!.replace(/\?/g, '0'), 16);
      const hi = b !== undefined ? parseInt(b, 16) : parseInt(a!.replace(/\?/g, 'f'), 16);
      return [lo, hi] as [number, number];
    });
}

/** The font faces of the package's CSS (regular and bold), or null when the package is not installed. */
export function cjkFaces(): { dir: string; faces: FontFace[] } | null {
  if (loaded !== undefined) return loaded;
  try {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@fontsource/noto-sans-sc/package.json'));
    const faces: FontFace[] = [];
    for (const weight of WEIGHTS) {
      const css = readFileSync(join(dir, `${weight}.css`), 'utf8');
      for (const block of css.matchAll(/@font-face\s*\{([^}]*)\}/g)) {
        const body = block[1]!;
        const file = /url\(\.\/files\/([\w.-]+\.woff2)\)/.exec(body)?.[1];
        const range = /unicode-range:\s*([^;]+);/.exec(body)?.[1];
        if (!file || !range || !/font-style:\s*normal/.test(body)) continue;
        faces.push({ weight, file, ranges: parseUnicodeRange(range), unicodeRange: range.trim() });
      }
    }
    loaded = faces.length > 0 ? { dir: join(dir, 'files'), faces } : null;
  } catch {
    loaded = null;
  }
  return loaded;
}

const rule = (face: FontFace, src: string) =>
  `@font-face{font-family:'${CJK_FONT_FAMILY}';font-style:normal;font-weight:${face.weight};font-display:block;src:url(${src}) format('woff2');unicode-range:${face.unicodeRange};}`;

/** @font-face rules for the print page (fetched from FONT_ORIGIN); empty without the package. */
export function fontCss(): string {
  const found = cjkFaces();
  return found ? found.faces.map((f) => rule(f, `${FONT_ORIGIN}${f.file}`)).join('\n') : '';
}

/** The bytes for a request to FONT_ORIGIN, or null for any other URL (or a file the package does not list). */
export function fontResponse(url: string): Buffer | null {
  if (!url.startsWith(FONT_ORIGIN)) return null;
  const found = cjkFaces();
  const file = url.slice(FONT_ORIGIN.length);
  const face = found?.faces.find((f) => f.file === file);
  return face ? readFileSync(join(found!.dir, face.file)) : null;
}

/** Whether a face covers a code point. */
const covers = (face: FontFace, cp: number) => face.ranges.some(([lo, hi]) => cp >= lo && cp <= hi);

/** The faces (of the given weights) needed to draw the non-ASCII characters of a text. */
export function facesFor(text: string, weights: readonly number[] = WEIGHTS): FontFace[] {
  const found = cjkFaces();
  if (!found) return [];
  const wanted = new Set<FontFace>();
  for (const ch of new Set(text)) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x2e80) continue; // Latin, digits, punctuation and symbols come from Noto Sans / DejaVu Sans
    for (const face of found.faces) if (weights.includes(face.weight) && covers(face, cp)) wanted.add(face);
  }
  return [...wanted];
}

/** @font-face rules with data: URIs for the CJK characters of a text (the running header and footer). */
export function inlineFontCss(text: string): string {
  const found = cjkFaces();
  if (!found) return '';
  return facesFor(text, [400])
    .map((f) => rule(f, `data:font/woff2;base64,${readFileSync(join(found.dir, f.file)).toString('base64')}`))
    .join('');
}

/**
 * The print page's HTML: the @font-face rules at the end of the head, and FONT_ORIGIN added to the
 * font-src of the report's Content-Security-Policy (which otherwise allows data: fonts only), so
 * that the browser asks for the font files at all. Every other directive stays as it was.
 *
 * `header` is the text of the running header and footer. Chromium draws those in a context of their
 * own that cannot load a font in time: their text comes out blank, however the font is given. What
 * works is a data: font that the page itself has already loaded (the header then finds it in the
 * memory cache). So the page gets the header's font files as data: URIs too (after the others,
 * so they win for their characters) and a hidden line with the header's characters that makes the
 * page load them. The same rules go into the header and footer templates (`inlineFontCss`).
 */
export function withFonts(html: string, header = ''): string {
  const css = fontCss();
  if (css === '') return html;
  const inline = inlineFontCss(header);
  const style = `<style data-cxreport="cjk-font">${css}${inline}</style>`;
  let at = html.indexOf('</head>');
  let out = at >= 0 ? html.slice(0, at) + style + html.slice(at) : style + html;
  if (inline !== '') {
    const chars = [...new Set(header)].filter((c) => c.codePointAt(0)! >= 0x2e80).join('');
    const primer = `<div aria-hidden="true" style="position:absolute;left:-10000px;top:0;font:1px '${CJK_FONT_FAMILY}'">${chars.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</div>`;
    at = out.lastIndexOf('</body>');
    out = at >= 0 ? out.slice(0, at) + primer + out.slice(at) : out + primer;
  }
  return out.replace(/(<meta http-equiv="Content-Security-Policy" content="[^"]*font-src data:)/, `$1 ${FONT_ORIGIN}`);
}
