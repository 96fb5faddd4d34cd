/** Stylesheets scoped to one element, for notebook outputs (src/render/scope-css.ts). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { outputStylesheet, scopeCss, scopeSelector } from '../src/render/scope-css.js';

const S = '.cxreport-cell';

describe('scopeCss', () => {
  it('prefixes selectors; :root, html and body become the scope; * the scope and its descendants', () => {
    expect(scopeSelector(':root', S)).toEqual([S]);
    expect(scopeSelector('body', S)).toEqual([S]);
    expect(scopeSelector('html body > main .x', S)).toEqual([`${S} > main .x`]);
    expect(scopeSelector('body.dark p:hover', S)).toEqual([`${S}.dark p:hover`]);
    expect(scopeSelector('html:root', S)).toEqual([S]);
    expect(scopeSelector(':root:not(.print) .x', S)).toEqual([`${S}:not(.print) .x`]);
    expect(scopeSelector('*', S)).toEqual([S, `${S} *`]);
    expect(scopeSelector('.kpi-card h3', S)).toEqual([`${S} .kpi-card h3`]);
    expect(scopeSelector('bodyguard', S)).toEqual([`${S} bodyguard`]);
    expect(scopeSelector(`${S} .x`, S)).toEqual([`${S} .x`]);
  });

  it('handles selector lists, @media and @supports, drops @page and @import, keeps @font-face; comments and strings', () => {
    const css = `/* a { } comment, with , */
@import url("x.css");
:root { --a: "}" ; }
h1, .a:is(.b, .c) , a[title="x,y"] { color: red }
@media print { body { max-width: none } .x { y: z } }
@page { size: A4; margin: 1cm }
@font-face { font-family: X; src: url(data:font/woff2;base64,AA==) }
.quote::before { content: "“{,}”"; }`;
    expect(scopeCss(css, S).split('\n')).toEqual([
      `${S} { --a: "}"; }`,
      `${S} h1, ${S} .a:is(.b, .c), ${S} a[title="x,y"] { color: red }`,
      '@media print {',
      `${S} .x { y: z }`,
      '}',
      '@font-face { font-family: X; src: url(data:font/woff2;base64,AA==) }',
      `${S} .quote::before { content: "“{,}”"; }`,
    ]);
  });

  it('the page root gives the scope what it passes on (custom properties, colour, font), never its box or layout', () => {
    const css = `body { display: grid; grid-template-columns: 17rem 1fr; max-width: 210mm; margin: 0 auto; padding: 1rem; background: url("data:image/png;base64,AA;BB") var(--page); color: var(--ink); font-family: var(--font); line-height: 1.45; print-color-adjust: exact; }
html, main { font-size: 10.5pt; padding: 2mm }
* { box-sizing: border-box; }`;
    expect(scopeCss(css, S).split('\n')).toEqual([
      `${S} { color: var(--ink); font-family: var(--font); line-height: 1.45; print-color-adjust: exact; }`,
      `${S} main { font-size: 10.5pt; padding: 2mm }`,
      `${S} { font-size: 10.5pt; }`,
      `${S} * { box-sizing: border-box; }`,
    ]);
  });

  it('the default theme for an output: every rule inside .cxreport-cell, nothing global left', () => {
    const css = readFileSync(new URL('../templates/default/style.css', import.meta.url), 'utf8') + readFileSync(new URL('../templates/default/style.zh-CN.css', import.meta.url), 'utf8');
    const out = outputStylesheet(`${css}\n:root { --primary: #7a1f5c; }`);
    const preludes = [...out.matchAll(/([^{}]+)\{/g)].map((m) => m[1].trim()).filter((p) => !p.startsWith('@'));
    expect(preludes.length).toBeGreaterThan(100);
    for (const p of preludes) for (const sel of p.split(',')) expect(sel.trim().startsWith(S), sel).toBe(true);
    expect(out).not.toMatch(/:root|@page/);
    // the theme's colours still reach the output (custom properties on the scope)
    expect(out).toContain(`${S} { --primary: #7a1f5c; }`);
  });
});
