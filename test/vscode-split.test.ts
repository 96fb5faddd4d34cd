/**
 * The VS Code notebook's serializer (vscode/src/split.ts): cxreport.yaml ⇄ cells, byte for byte.
 * Opening and saving unchanged gives the file back; editing one cell changes only that cell's
 * bytes (comments, blank lines, key order, flow and block sections, CRLF, no final newline, BOM).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { assemble, decode, encode, locate, split, type CellInput, type SplitResult } from '../vscode/src/split.js';

const inputs = (s: SplitResult): CellInput[] => s.cells.map((part) => ({ text: part.text, part }));
const roundTrip = (text: string) => assemble(split(text).doc, inputs(split(text))).text;

/** The text with cell `k` edited to `edit`, and the byte range of that cell's part in the original. */
function editCell(text: string, k: number, edit: string) {
  const s = split(text);
  const cells = inputs(s);
  cells[k] = { ...cells[k], text: edit };
  const out = assemble(s.doc, cells).text;
  // the part's position in the original: everything before it is the preceding parts (and the glue)
  const kind = s.cells[k].kind;
  const raws = (which: string) => s.cells.slice(0, k).filter((c) => c.kind === which).map((c) => c.raw).join('');
  const before = raws('header') + (kind !== 'header' ? s.doc.glue : '') + raws('section') + (kind === 'footer' ? s.doc.close : '') + raws('footer');
  return { s, out, start: before.length, end: before.length + s.cells[k].raw.length };
}

const FLAGSHIP = readFileSync(new URL('../cxreport.yaml', import.meta.url), 'utf8');
const INIT = readFileSync(new URL('../templates/init/cxreport.yaml', import.meta.url), 'utf8');

describe('split: cells of a cxreport.yaml', () => {
  it('the flagship: header cells per top-level key, one cell per section, shown without "- " and indentation', () => {
    const { cells, doc } = split(FLAGSHIP);
    const sections = (parse(FLAGSHIP) as { sections: unknown[] }).sections;
    expect(cells.filter((c) => c.kind === 'section')).toHaveLength(sections.length);
    expect(cells.filter((c) => c.kind === 'header').map((c) => c.key)).toEqual(Object.keys(parse(FLAGSHIP)).slice(0, Object.keys(parse(FLAGSHIP)).indexOf('sections')));
    expect(cells[0].text.startsWith('# yaml-language-server: $schema=')).toBe(true);
    expect(doc.glue).toBe('sections:\n');
    const first = cells.find((c) => c.kind === 'section')!;
    expect(first.text.split('\n')[0]).toBe(`type: ${(sections[0] as { type: string }).type}`);
    // each section cell parses to its section
    cells.filter((c) => c.kind === 'section').forEach((c, i) => expect(parse(c.text)).toEqual(sections[i]));
    expect(cells.every((c) => !c.text.endsWith('\n'))).toBe(true);
  });

  it('opening and saving unchanged gives every byte back (repository configs)', () => {
    for (const text of [FLAGSHIP, INIT]) expect(roundTrip(text)).toBe(text);
  });

  it('editing one section changes only that section bytes', () => {
    const { s, out, start, end } = editCell(FLAGSHIP, 3, 'type: kpis\nmetrics: [nps, csat]');
    const k = s.cells.findIndex((c) => c.kind === 'section');
    expect(k).toBe(3);
    expect(out.slice(0, start)).toBe(FLAGSHIP.slice(0, start));
    expect(out.slice(out.length - (FLAGSHIP.length - end))).toBe(FLAGSHIP.slice(end));
    expect(out.slice(start, out.length - (FLAGSHIP.length - end))).toBe('  - type: kpis\n    metrics: [nps, csat]\n\n');
    expect((parse(out) as { sections: unknown[] }).sections[0]).toEqual({ type: 'kpis', metrics: ['nps', 'csat'] });
  });

  it('comments above an item open its cell; blank lines after it are kept but not shown', () => {
    const text = ['report: { title: T }', 'sections:', '  # first', '  - type: kpis', '    metrics: [a]   # inline', '    # inner', '', '', '  # second', '  # more', '  - { type: trend, metric: a }', '# end of file', ''].join('\n');
    const { cells } = split(text);
    expect(cells.map((c) => c.text)).toEqual(['report: { title: T }', '# first\ntype: kpis\nmetrics: [a]   # inline\n# inner', '# second\n# more\n{ type: trend, metric: a }']);
    expect(cells[1].trailer).toBe('\n\n\n');
    expect(cells[2].trailer).toBe('\n# end of file\n');
    expect(roundTrip(text)).toBe(text);
    // an edited commented cell keeps its comments above the dash
    const { out } = editCell(text, 1, '# first!\ntype: kpis\nmetrics: [b]   # inline\n# inner');
    expect(out).toBe(text.replace('  # first\n', '  # first!\n').replace('metrics: [a]', 'metrics: [b]'));
  });

  it('flow-style sections: items are cells; edits, additions and removals keep the rest', () => {
    const text = 'report: { title: T }\nsections: [ { type: kpis, metrics: [a] },\n   { type: trend, metric: a } ]   # two\noutputs: { formats: [html] }\n';
    const s = split(text);
    expect(s.doc.flow).toBe(true);
    expect(s.cells.map((c) => [c.kind, c.text])).toEqual([
      ['header', 'report: { title: T }'],
      ['section', '{ type: kpis, metrics: [a] }'],
      ['section', '{ type: trend, metric: a }'],
      ['footer', 'outputs: { formats: [html] }'],
    ]);
    expect(roundTrip(text)).toBe(text);
    const { out } = editCell(text, 2, '{ type: trend, metric: b }');
    expect(out).toBe(text.replace('metric: a }', 'metric: b }'));
    const cells = inputs(s);
    const added = assemble(s.doc, [...cells.slice(0, 3), { text: '{ type: distribution, metric: a }' }, cells[3]]).text;
    expect(parse(added).sections).toEqual([{ type: 'kpis', metrics: ['a'] }, { type: 'trend', metric: 'a' }, { type: 'distribution', metric: 'a' }]);
    expect(added.startsWith('report: { title: T }\nsections: [ { type: kpis, metrics: [a] },\n   { type: trend, metric: a }')).toBe(true);
    const removed = assemble(s.doc, [cells[0], cells[2], cells[3]]).text;
    expect(parse(removed).sections).toEqual([{ type: 'trend', metric: 'a' }]);
    const first = assemble(s.doc, [cells[0], cells[1], cells[3]]).text;
    expect(parse(first).sections).toEqual([{ type: 'kpis', metrics: ['a'] }]);
  });

  it('CRLF files stay CRLF, also in an edited cell; cells show LF', () => {
    const text = FLAGSHIP.replace(/\n/g, '\r\n');
    const s = split(text);
    expect(s.cells.every((c) => !c.text.includes('\r'))).toBe(true);
    expect(roundTrip(text)).toBe(text);
    const { out, start, end } = editCell(text, 4, s.cells[4].text.replace('metric: nps', 'metric: ces'));
    expect(out.slice(0, start)).toBe(text.slice(0, start));
    expect(out.slice(out.length - (text.length - end))).toBe(text.slice(end));
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    expect(out.length).toBe(text.length);
  });

  it('a file without a final newline keeps ending without one, edited last cell or not', () => {
    const text = 'report: { title: T }\nsections:\n  - type: kpis\n    metrics: [a]';
    expect(roundTrip(text)).toBe(text);
    expect(editCell(text, 1, 'type: kpis\nmetrics: [b]').out).toBe(text.replace('[a]', '[b]'));
    const footer = 'sections:\n  - { type: kpis, metrics: [a] }\noutputs: { formats: [html] }';
    expect(roundTrip(footer)).toBe(footer);
    expect(editCell(footer, 1, 'outputs: { formats: [pdf] }').out).toBe(footer.replace('html', 'pdf'));
  });

  it('a byte order mark is kept (decode/encode)', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('report: { title: Tö }\r\nsections:\r\n  - { type: kpis, metrics: [a] }\r\n')]);
    const { text, bom } = decode(bytes);
    expect(bom).toBe(true);
    expect(text.startsWith('report')).toBe(true);
    const s = split(text, bom);
    expect(Buffer.from(encode(assemble(s.doc, inputs(s)).text, s.doc.bom)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('new cells, deleted cells, markup cells and emptied cells', () => {
    const s = split(FLAGSHIP);
    const cells = inputs(s);
    const n = cells.filter((c) => c.part!.kind === 'section').length;
    const added = assemble(s.doc, [...cells, { text: 'type: distribution\nmetric: ces' }]).text;
    expect(added.startsWith(FLAGSHIP.replace(/\n+$/, '\n'))).toBe(true);
    expect(parse(added).sections.at(-1)).toEqual({ type: 'distribution', metric: 'ces' });
    const removed = assemble(s.doc, cells.filter((_, i) => i !== 4)).text;
    expect(parse(removed).sections).toHaveLength(n - 1);
    expect(FLAGSHIP.replace(s.cells[4].raw, '')).toBe(removed);
    const markup = assemble(s.doc, [...cells.slice(0, 4), { text: 'A note\n\nwith two lines', markup: true }, ...cells.slice(4)]).text;
    // the note goes before the section that followed the insertion point (the flagship's second section)
    expect(markup).toContain(`  # A note\n  #\n  # with two lines\n  - type: ${(parse(FLAGSHIP) as { sections: { type: string }[] }).sections[1].type}`);
    expect(parse(markup).sections).toHaveLength(n);
    const emptied = [...cells];
    emptied[4] = { ...emptied[4], text: '' };
    expect(parse(assemble(s.doc, emptied).text).sections).toHaveLength(n - 1);
  });

  it('a file whose top level is not a block mapping, or that does not parse, is one cell', () => {
    for (const text of ['{ report: { title: T }, sections: [] }\n', 'report: [unclosed\n', '', '# only a comment\n']) {
      const s = split(text);
      expect(s.cells.length).toBeLessThanOrEqual(1);
      expect(roundTrip(text)).toBe(text);
    }
    const s = split('report: [unclosed\n');
    expect(assemble(s.doc, [{ text: 'report: { title: T }', part: s.cells[0] }]).text).toBe('report: { title: T }\n');
  });

  it('locates a file position in the cells (for errors and diagnostics)', () => {
    const s = split(FLAGSHIP);
    const assembled = assemble(s.doc, inputs(s));
    const lines = FLAGSHIP.split('\n');
    const line = lines.findIndex((l) => l.includes('metric: ces')) + 1;
    const column = lines[line - 1].indexOf('ces') + 1;
    const at = locate(assembled, line, column)!;
    const cell = s.cells[at.cell];
    expect(cell.kind).toBe('section');
    expect(cell.text.split('\n')[at.line].slice(at.column, at.column + 3)).toBe('ces');
    const header = locate(assembled, 5, 3)!;
    expect(s.cells[header.cell].text.split('\n')[header.line].slice(header.column)).toBe(lines[4].slice(2));
  });
});

// ---------------------------------------------------------------------------------------------
// Property: random configs in every layout round-trip, and one edited cell changes only its bytes
// ---------------------------------------------------------------------------------------------

const word = fc.stringMatching(/^[a-z][a-z_]{0,7}$/);
const comment = fc.stringMatching(/^[ a-zA-Z0-9:#'"-]{0,20}$/).map((s) => `# ${s}`.trimEnd());
const blankLines = fc.integer({ min: 0, max: 2 }).map((n) => Array(n).fill(''));
const leading = fc.array(fc.oneof(comment, fc.constant('')), { maxLength: 2 });
const section = fc.record({ type: fc.constantFrom('kpis', 'trend', 'breakdown', 'markdown'), metric: word, extra: fc.option(word, { nil: undefined }), note: fc.option(comment, { nil: undefined }) });

type Section = { type: string; metric: string; extra?: string; note?: string };
const asData = (s: Section) => ({ type: s.type, metric: s.metric, ...(s.extra ? { title: s.extra } : {}) });

function blockItem(s: Section, style: 'block' | 'flow' | 'scalar', indent: string): string[] {
  if (style === 'flow') return [`${indent}- { type: ${s.type}, metric: ${s.metric}${s.extra ? `, title: ${s.extra}` : ''} }${s.note ? `  ${s.note}` : ''}`];
  if (style === 'scalar') return [`${indent}- type: ${s.type}`, `${indent}  metric: ${s.metric}`, ...(s.extra ? [`${indent}  title: |`, `${indent}    ${s.extra}`, `${indent}    more ${s.extra}`] : []), ...(s.note ? [`${indent}  ${s.note}`] : [])];
  return [`${indent}- type: ${s.type}`, ...(s.note ? [`${indent}  ${s.note}`] : []), `${indent}  metric: ${s.metric}`, ...(s.extra ? [`${indent}  title: ${s.extra}`] : [])];
}

const config = fc.record({
  top: leading,
  headerKeys: fc.uniqueArray(fc.constantFrom('report', 'sources', 'metrics', 'theme', 'templates'), { minLength: 1, maxLength: 4 }),
  between: fc.array(fc.tuple(leading, blankLines), { minLength: 5, maxLength: 5 }),
  sections: fc.array(fc.tuple(section, fc.constantFrom<'block' | 'flow' | 'scalar'>('block', 'flow', 'scalar'), leading, blankLines), { minLength: 1, maxLength: 6 }),
  indent: fc.constantFrom('', '  ', '    '),
  flowSeq: fc.boolean(),
  footer: fc.boolean(),
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function render(c: any): { text: string; sections: unknown[] } {
  const lines: string[] = [...c.top];
  c.headerKeys.forEach((k: string, i: number) => {
    if (i > 0) lines.push(...c.between[i][0]);
    lines.push(`${k}:`, `  a_${k}: 1   # value`, `  # inside ${k}`, `  b_${k}: [x, y]`, ...c.between[i][1]);
  });
  const sections = c.sections.map(([s]: [Section]) => asData(s));
  if (c.flowSeq) {
    lines.push(`sections: [ ${c.sections.map(([s]: [Section]) => `{ type: ${s.type}, metric: ${s.metric} }`).join(',\n    ')} ]`);
    sections.splice(0, sections.length, ...c.sections.map(([s]: [Section]) => ({ type: s.type, metric: s.metric })));
  } else {
    lines.push('sections:   # the cells');
    for (const [s, style, lead, blanks] of c.sections as [Section, 'block' | 'flow' | 'scalar', string[], string[]][]) {
      lines.push(...lead.map((l) => (l ? c.indent + l : l)), ...blockItem(s, style, c.indent), ...blanks);
    }
  }
  if (c.footer) lines.push('outputs:', '  formats: [html]');
  let text = lines.join('\n') + '\n';
  if (!c.finalNewline) text = text.replace(/\n+$/, '');
  if (c.crlf) text = text.replace(/\n/g, '\r\n');
  // block scalars gain a final newline in the data
  return { text, sections: (parse(text) as { sections: unknown[] }).sections ?? sections };
}

describe('split: properties (fast-check, fixed seed)', () => {
  it('every generated config round-trips byte for byte', () => {
    fc.assert(
      fc.property(config, (c) => {
        const { text } = render(c);
        expect(roundTrip(text)).toBe(text);
      }),
      { seed: 20261, numRuns: 300 },
    );
  });

  it('editing one section cell changes only that cell bytes, and the file parses to the edited sections', () => {
    fc.assert(
      fc.property(config, fc.nat(), section, (c, pick, replacement) => {
        const { text, sections } = render(c);
        const s = split(text);
        const indices = s.cells.map((cell, i) => (cell.kind === 'section' ? i : -1)).filter((i) => i >= 0);
        expect(indices).toHaveLength(sections.length);
        const k = indices[pick % indices.length];
        const edit = s.doc.flow ? `{ type: ${replacement.type}, metric: ${replacement.metric} }` : `type: ${replacement.type}\nmetric: ${replacement.metric}${replacement.extra ? `\ntitle: ${replacement.extra}` : ''}`;
        const { out, start, end } = editCell(text, k, edit);
        const tail = text.length - end;
        expect(out.slice(0, start)).toBe(text.slice(0, start));
        expect(out.slice(out.length - tail)).toBe(text.slice(end));
        const expected = [...sections];
        expected[indices.indexOf(k)] = s.doc.flow ? { type: replacement.type, metric: replacement.metric } : asData(replacement);
        expect((parse(out) as { sections: unknown[] }).sections).toEqual(expected);
        // the header and the rest of the document are unchanged as data too
        const { sections: _a, ...restOut } = parse(out) as Record<string, unknown>;
        const { sections: _b, ...restIn } = parse(text) as Record<string, unknown>;
        expect(restOut).toEqual(restIn);
      }),
      { seed: 20262, numRuns: 300 },
    );
  });
});
