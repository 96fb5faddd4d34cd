/**
 * Scopes a stylesheet to one element, for HTML that is inserted into someone else's page — a
 * Jupyter or VS Code notebook output — where the report's global rules (`:root`, `*`, `html`,
 * `body { max-width: 210mm }`) would restyle the host. Every selector is prefixed with the scope
 * (`.cxreport-cell h2`), `:root`, `html` and `body` become the scope itself — with only what a page
 * root passes on to its content (custom properties, colour, font), not its box (width, margins,
 * background, grid) — `*` becomes the scope and its descendants; rules inside `@media`/`@supports`
 * are scoped too; `@page` and `@import` are dropped (they cannot be scoped), other at-rules
 * (`@font-face`, `@keyframes`) are kept as they are.
 */

/** Splits a selector list at its top-level commas (not inside parentheses, brackets or strings). */
function splitSelectors(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(list.slice(start, i));
      start = i + 1;
    }
  }
  out.push(list.slice(start));
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/** One selector, scoped. */
export function scopeSelector(selector: string, scope: string): string[] {
  const s = selector.trim();
  if (s === '*') return [scope, `${scope} *`];
  // leading :root, html and body (`html body`, `body.dark`, `:root > main`…) are the scope itself
  let rest = s;
  let attached = '';
  let replaced = false;
  for (let m = /^(?::root|html|body)(?![\w-])/i.exec(rest); m; m = /^(?:[>~+]\s*)?(?::root|html|body)(?![\w-])/i.exec(rest)) {
    replaced = true;
    rest = rest.slice(m[0].length);
    const own = /^(?:[.#[:][^\s>+~]*)?/.exec(rest)![0];
    attached += own.replace(/:root(?![\w-])/g, '');
    rest = rest.slice(own.length).trimStart();
  }
  if (replaced) return [rest === '' ? `${scope}${attached}` : `${scope}${attached} ${rest}`];
  if (s === scope || s.startsWith(`${scope} `) || s.startsWith(`${scope}.`) || s.startsWith(`${scope}:`)) return [s];
  return [`${scope} ${s}`];
}

/** The declarations of a rule's body (split at top-level semicolons: not inside strings or url(…)). */
function declarations(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ';' && depth === 0) {
      out.push(body.slice(start, i));
      start = i + 1;
    }
  }
  out.push(body.slice(start));
  return out.map((d) => d.trim()).filter((d) => d.includes(':'));
}

/** Properties a page's root passes on to its content (custom properties, colour, type). */
const INHERITED = /^(--[\w-]+|color|color-scheme|font(-[\w-]+)?|line-height|letter-spacing|word-spacing|text-(rendering|transform|decoration-[\w-]+)|-webkit-font-smoothing|-webkit-print-color-adjust|print-color-adjust|hyphens|overflow-wrap|word-break|direction|tab-size|quotes)$/i;

const isInherited = (declaration: string) => INHERITED.test(declaration.slice(0, declaration.indexOf(':')).trim());

interface Block {
  /** text before the block's `{` (a selector list or an at-rule prelude), comments removed */
  prelude: string;
  body: string;
  /** the offset after the block's `}` */
  end: number;
}

/** Removes comments (outside strings). */
function stripComments(css: string): string {
  let out = '';
  let quote = '';
  for (let i = 0; i < css.length; i++) {
    const c = css[i];
    if (quote) {
      out += c;
      if (c === '\\') out += css[++i] ?? '';
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
      out += c;
    } else if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      i = end < 0 ? css.length : end + 1;
    } else out += c;
  }
  return out;
}

/** The next `prelude { body }` block from `from`, or a statement at-rule (`@import …;`), or undefined. */
function nextBlock(css: string, from: number): Block | undefined {
  let quote = '';
  for (let i = from; i < css.length; i++) {
    const c = css[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === ';' && css.slice(from, i).trim().startsWith('@')) return { prelude: css.slice(from, i).trim(), body: '', end: i + 1 };
    else if (c === '{') {
      let depth = 1;
      let q = '';
      let j = i + 1;
      for (; j < css.length && depth > 0; j++) {
        const d = css[j];
        if (q) {
          if (d === '\\') j++;
          else if (d === q) q = '';
        } else if (d === '"' || d === "'") q = d;
        else if (d === '{') depth++;
        else if (d === '}') depth--;
      }
      return { prelude: css.slice(from, i).trim(), body: css.slice(i + 1, j - 1), end: j };
    }
  }
  return undefined;
}

/** The stylesheet with every rule scoped to `scope` (a selector such as `.cxreport-cell`). */
export function scopeCss(css: string, scope: string): string {
  const text = stripComments(css);
  const out: string[] = [];
  let at = 0;
  for (let block = nextBlock(text, at); block; block = nextBlock(text, at)) {
    at = block.end;
    const { prelude, body } = block;
    if (prelude.startsWith('@')) {
      const name = /^@([\w-]+)/.exec(prelude)?.[1]?.toLowerCase() ?? '';
      if (name === 'media' || name === 'supports' || name === 'container' || name === 'layer') {
        const inner = scopeCss(body, scope);
        if (inner.trim()) out.push(`${prelude} {\n${inner}\n}`);
      } else if (name === 'page' || name === 'import' || name === 'charset' || name === 'namespace') {
        // global by nature: dropped
      } else out.push(`${prelude} {${body}}`);
      continue;
    }
    const selectors = [...new Set(splitSelectors(prelude).flatMap((s) => scopeSelector(s, scope)))];
    // the page's own rules (`:root`, `html`, `body`) give the scope what it passes on to its
    // content — custom properties, colour, font — but not their box: a page's width, margins,
    // background or grid layout would reshape the host's output element
    const root = selectors.filter((s) => s === scope);
    const others = selectors.filter((s) => s !== scope);
    if (others.length > 0) out.push(`${others.join(', ')} {${body}}`);
    if (root.length > 0) {
      const inherited = declarations(body).filter(isInherited);
      if (inherited.length > 0) out.push(`${scope} { ${inherited.join('; ')}; }`);
    }
  }
  return out.join('\n');
}

/** The class of the element a notebook output's section is rendered in. */
export const OUTPUT_CLASS = 'cxreport-cell';

/**
 * The report stylesheet for one notebook output (report.ipynb, the VS Code notebook): scoped to
 * `.cxreport-cell`, which is then framed as a card of the output's width (the page's `body` rules —
 * 210 mm wide, print margins, the grey screen background — do not fit an output).
 */
export function outputStylesheet(css: string): string {
  const s = `.${OUTPUT_CLASS}`;
  // the host's own table rules (VS Code's output webview right-aligns tables, th and tr, as
  // Jupyter does) are reset first, so the report's rules decide as in the report
  return `${s} table, ${s} tr, ${s} th { text-align: start; }
${scopeCss(css, s)}
${s} { max-width: none; margin: 0; padding: 0.2rem 0.8rem 0.6rem; background: var(--paper); color: var(--ink); border-radius: 4px; }
${s} > .section > h2:first-child, ${s} > .section > .keep:first-child > h2:first-child { margin-top: 0.6rem; }`;
}
