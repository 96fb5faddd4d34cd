/**
 * cxreport.yaml ⇄ notebook cells, byte for byte. No VS Code API here (unit-tested on its own).
 *
 * `split` cuts the file into contiguous parts: a header cell per top-level key before `sections:`
 * (report, sources, metrics…; comments and blank lines before the first key belong to the first),
 * the `sections:` line itself (kept as glue, not a cell), one cell per `sections:` item, and a
 * footer cell per top-level key after the sections. Each part keeps its exact text (`raw`), so
 * concatenating the parts gives the file back. A cell shows its part without the item's `- `, the
 * item's indentation and the line ending(s) that follow it; `assemble` writes a cell whose text is
 * unchanged as its `raw` bytes, and only an edited (or new) cell is re-indented, so saving writes
 * every byte outside the edited cells unchanged: comments, key order, blank lines, flow or block
 * style, CRLF, a missing final newline.
 *
 * Comments directly above an item (at the item's indentation or less) open that item's cell;
 * blank lines after an item end its cell (hidden, kept); comments above `sections:` and between it
 * and the first item's comments stay with the glue. A file whose top level is not a block mapping
 * (or that does not parse) is one cell.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';

export type CellKind = 'header' | 'section' | 'footer' | 'whole';

/** How a section item is laid out in block style: `<dashIndent>-<gap><content>`, continuation lines at `contentIndent`. */
export interface ItemLayout {
  dashIndent: string;
  gap: string;
  contentIndent: string;
}

export interface CellPart {
  kind: CellKind;
  /** the top-level key of a header or footer cell */
  key?: string;
  /** the text the cell shows (LF line endings, de-indented, without the trailing line break) */
  text: string;
  /** this part of the file exactly (`text`'s lines as written, then `trailer`) */
  raw: string;
  /** what follows the content in `raw`: the line break(s), blank lines, a flow item's comma */
  trailer: string;
  /** the line ending of this part */
  eol: string;
  /** block-style section items: how to re-indent an edited text */
  layout?: ItemLayout;
  /** flow-style section items: indentation of the continuation lines */
  flowIndent?: string;
  /** per shown line, how many characters of the written line precede it (for locating errors) */
  shifts: number[];
}

export interface DocLayout {
  /** the file began with a byte order mark */
  bom: boolean;
  /** the file's (first) line ending */
  eol: string;
  /** the file ends with a line break */
  finalNewline: boolean;
  /** there is a `sections:` sequence */
  hasSections: boolean;
  /** `sections: [ … ]` */
  flow: boolean;
  /** text from the `sections` key (with its leading comments) to the first item's part */
  glue: string;
  /** flow style: from the closing bracket to the next top-level key (or the end) */
  close: string;
  /** layout of a new block-style section cell */
  itemLayout: ItemLayout;
}

export interface SplitResult {
  doc: DocLayout;
  cells: CellPart[];
}

/** A cell as the notebook holds it: its current text and, unless it is new, the part it came from. */
export interface CellInput {
  text: string;
  /** a markup cell (written as YAML comments) */
  markup?: boolean;
  part?: Omit<CellPart, 'shifts'> & { shifts?: number[] };
}

export interface AssembledCell {
  /** index of the cell in the input */
  cell: number;
  kind: CellKind;
  key?: string;
  /** index among the section cells (for section cells) */
  section?: number;
  /** 0-based line of the file where the cell's first shown line is */
  line: number;
  /** per shown line, how many characters of the written line precede it */
  shifts: number[];
}

export interface Assembled {
  text: string;
  cells: AssembledCell[];
}

const DEFAULT_LAYOUT: ItemLayout = { dashIndent: '  ', gap: ' ', contentIndent: '    ' };

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEndOf(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i;
}

/** The lines of a text with their start offsets (a final line without a break included). */
function linesOf(text: string, from: number, to: number): { start: number; end: number; text: string }[] {
  const out: { start: number; end: number; text: string }[] = [];
  let at = from;
  while (at < to) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 || nl >= to ? to : nl;
    out.push({ start: at, end, text: text.slice(at, end).replace(/\r$/, '') });
    at = end + 1;
  }
  return out;
}

const indentOf = (line: string) => line.length - line.trimStart().length;
const isBlank = (line: string) => line.trim() === '';
const isComment = (line: string) => line.trimStart().startsWith('#');

/**
 * Where the part of a key or item at `offset` begins: the comment lines directly above its line
 * at column ≤ `column` (blank lines between them included, blank lines above the first comment
 * not), never before `floor`.
 */
function leadStart(text: string, offset: number, column: number, floor: number): number {
  let start = lineStartOf(text, offset);
  let candidate = start;
  while (candidate > floor) {
    const prevStart = lineStartOf(text, candidate - 1);
    if (prevStart < floor) break;
    const line = text.slice(prevStart, candidate - 1).replace(/\r$/, '');
    if (isBlank(line)) {
      candidate = prevStart;
      continue;
    }
    if (isComment(line) && indentOf(line) <= column) {
      candidate = prevStart;
      start = prevStart;
      continue;
    }
    break;
  }
  return start;
}

/** The end of a part's content: after its last line that is not blank (the rest is the trailer). */
function contentEnd(text: string, from: number, to: number, keep: (line: string) => boolean = () => true): number {
  const lines = linesOf(text, from, to);
  for (let i = lines.length - 1; i >= 0; i--) {
    if (isBlank(lines[i].text) || !keep(lines[i].text)) continue;
    const e = lines[i].end;
    return text[e - 1] === '\r' && text[e] === '\n' ? e - 1 : e;
  }
  return from;
}

const eolOf = (s: string, fallback: string) => (/\r\n/.test(s) ? '\r\n' : /\n/.test(s) ? '\n' : fallback);

function plainPart(text: string, from: number, to: number, kind: CellKind, key: string | undefined, eol: string): CellPart {
  const end = contentEnd(text, from, to);
  const content = text.slice(from, end);
  const shown = content.replace(/\r\n/g, '\n');
  return { kind, key, text: shown, raw: text.slice(from, to), trailer: text.slice(end, to), eol: eolOf(text.slice(from, to), eol), shifts: shown.split('\n').map(() => 0) };
}

/** A block-style section item's part: [from, to) with the dash at `dash`. */
function blockItemPart(text: string, from: number, to: number, dash: number, eol: string): CellPart {
  const dashColumn = dash - lineStartOf(text, dash);
  // content: up to the last line that belongs to the item (indented past the dash, or the dash line)
  const dashLine = lineStartOf(text, dash);
  const end = contentEnd(text, from, to, (line) => indentOf(line) > dashColumn || !isComment(line));
  const lines = linesOf(text, from, end);
  const dashLineText = text.slice(dashLine, lineEndOf(text, dash)).replace(/\r$/, '');
  const gap = /^ */.exec(dashLineText.slice(dashColumn + 1))![0];
  const layout: ItemLayout = { dashIndent: dashLineText.slice(0, dashColumn), gap: gap || ' ', contentIndent: ' '.repeat(dashColumn + 1 + (gap.length || 1)) };
  const contentColumn = dashColumn + 1 + gap.length;
  // continuation lines are written at the first one's indentation (usually the content column)
  const shown: string[] = [];
  const shifts: number[] = [];
  let continuation: number | undefined;
  for (const line of lines) {
    if (line.start < dashLine) {
      const cut = Math.min(indentOf(line.text), dashColumn);
      shown.push(isBlank(line.text) ? '' : line.text.slice(cut));
      shifts.push(isBlank(line.text) ? 0 : cut);
    } else if (line.start === dashLine) {
      shown.push(line.text.slice(contentColumn));
      shifts.push(contentColumn);
    } else if (isBlank(line.text)) {
      shown.push('');
      shifts.push(0);
    } else {
      continuation ??= Math.max(dashColumn + 1, Math.min(indentOf(line.text), contentColumn));
      const cut = Math.min(indentOf(line.text), continuation);
      shown.push(line.text.slice(cut));
      shifts.push(cut);
    }
  }
  if (continuation !== undefined) layout.contentIndent = ' '.repeat(continuation);
  return { kind: 'section', text: shown.join('\n'), raw: text.slice(from, to), trailer: text.slice(end, to), eol: eolOf(text.slice(from, to), eol), layout, shifts };
}

/** A flow-style section item: the item [start, end) and what follows it up to `to` (comma, spaces, comments). */
function flowItemPart(text: string, start: number, end: number, to: number, eol: string): CellPart {
  const column = start - lineStartOf(text, start);
  const lines = text.slice(start, end).split('\n').map((l) => l.replace(/\r$/, ''));
  const rest = lines.slice(1).filter((l) => !isBlank(l));
  const indent = rest.length ? Math.min(...rest.map(indentOf)) : column;
  const shown = lines.map((l, i) => (i === 0 ? l : l.slice(Math.min(indentOf(l), indent))));
  const shifts = lines.map((l, i) => (i === 0 ? column : Math.min(indentOf(l), indent)));
  return { kind: 'section', text: shown.join('\n'), raw: text.slice(start, to), trailer: text.slice(end, to), eol: eolOf(text.slice(start, to), eol), flowIndent: ' '.repeat(indent), shifts };
}

/** The cells of a cxreport.yaml (its text without a byte order mark; `bom` says whether it had one). */
export function split(source: string, bom = false): SplitResult {
  const text = source;
  const eol = eolOf(text, '\n');
  const finalNewline = text.endsWith('\n');
  const whole = (): SplitResult => ({
    doc: { bom, eol, finalNewline, hasSections: false, flow: false, glue: '', close: '', itemLayout: DEFAULT_LAYOUT },
    cells: text === '' ? [] : [plainPart(text, 0, text.length, 'whole', undefined, eol)],
  });
  let doc;
  try {
    doc = parseDocument(text, { keepSourceTokens: true, uniqueKeys: false });
  } catch {
    return whole();
  }
  const root = doc.contents;
  if (doc.errors.length > 0 || !isMap(root) || (root.srcToken as { type?: string } | undefined)?.type !== 'block-map') return whole();
  // a second document after this one stays in the last part
  const pairs = root.items.filter((p) => isScalar(p.key) && (p.key as Node).range);
  if (pairs.length === 0) return whole();
  const keyOffset = (i: number) => (pairs[i].key as Node).range![0];
  const keyColumn = (i: number) => keyOffset(i) - lineStartOf(text, keyOffset(i));
  const starts = pairs.map((_, i) => (i === 0 ? 0 : leadStart(text, keyOffset(i), keyColumn(i), lineStartOf(text, keyOffset(i - 1)) + 1)));
  const partEnd = (i: number) => (i + 1 < pairs.length ? starts[i + 1] : text.length);
  const keyName = (i: number) => String((pairs[i].key as { value: unknown }).value);
  const sectionsAt = pairs.findIndex((p) => (p.key as { value: unknown }).value === 'sections' && (isSeq(p.value) && ['block-seq', 'flow-collection'].includes((p.value.srcToken as { type?: string } | undefined)?.type ?? '')));

  const cells: CellPart[] = [];
  if (sectionsAt < 0) {
    pairs.forEach((_, i) => cells.push(plainPart(text, starts[i], partEnd(i), 'header', keyName(i), eol)));
    return { doc: { bom, eol, finalNewline, hasSections: false, flow: false, glue: '', close: '', itemLayout: DEFAULT_LAYOUT }, cells };
  }
  for (let i = 0; i < sectionsAt; i++) cells.push(plainPart(text, starts[i], partEnd(i), 'header', keyName(i), eol));

  const seq = pairs[sectionsAt].value as unknown as { items: Node[]; srcToken: { type: string; items?: { start: { type: string; offset: number }[] }[]; start?: { offset: number }; end?: { type: string; offset: number }[] }; range: [number, number, number] };
  const sectionFrom = starts[sectionsAt];
  const sectionTo = partEnd(sectionsAt);
  let glue: string;
  let close = '';
  let flow = false;
  let itemLayout = DEFAULT_LAYOUT;
  if (seq.srcToken.type === 'block-seq') {
    const dashes = (seq.srcToken.items ?? []).map((item) => item.start.find((t) => t.type === 'seq-item-ind')?.offset).filter((o): o is number => o !== undefined);
    if (dashes.length !== seq.items.length || dashes.length === 0) return whole();
    const itemStarts = dashes.map((d, k) => leadStart(text, d, d - lineStartOf(text, d), k === 0 ? lineEndOf(text, keyOffset(sectionsAt)) + 1 : lineStartOf(text, dashes[k - 1]) + 1));
    glue = text.slice(sectionFrom, itemStarts[0]);
    dashes.forEach((d, k) => cells.push(blockItemPart(text, itemStarts[k], k + 1 < dashes.length ? itemStarts[k + 1] : sectionTo, d, eol)));
    itemLayout = cells[cells.length - dashes.length].layout ?? DEFAULT_LAYOUT;
  } else {
    flow = true;
    const open = seq.srcToken.start?.offset ?? seq.range[0];
    const closeAt = seq.srcToken.end?.find((t) => t.type === 'flow-seq-end')?.offset;
    if (closeAt === undefined) return whole();
    const ranges = seq.items.map((n) => (isMap(n) || isSeq(n) || isScalar(n) ? n.range : undefined));
    if (ranges.some((r) => !r)) return whole();
    glue = text.slice(sectionFrom, ranges.length ? ranges[0]![0] : open + 1);
    ranges.forEach((r, k) => cells.push(flowItemPart(text, r![0], r![1], k + 1 < ranges.length ? ranges[k + 1]![0] : closeAt, eol)));
    close = text.slice(ranges.length ? closeAt : open + 1, sectionTo);
    // an empty `[]`: the glue ends after `[`, the close starts at `]`
    if (ranges.length === 0) close = text.slice(closeAt, sectionTo);
  }
  for (let i = sectionsAt + 1; i < pairs.length; i++) cells.push(plainPart(text, starts[i], partEnd(i), 'footer', keyName(i), eol));
  return { doc: { bom, eol, finalNewline, hasSections: true, flow, glue, close, itemLayout }, cells };
}

/** Text of an edited block-style section cell, indented as an item (comment-only text stays comments). */
function indentItem(shown: string, layout: ItemLayout): { lines: string[]; shifts: number[] } {
  const lines = shown.split('\n');
  const first = lines.findIndex((l) => !isBlank(l) && !isComment(l));
  const out: string[] = [];
  const shifts: number[] = [];
  lines.forEach((l, i) => {
    if (isBlank(l)) {
      out.push('');
      shifts.push(0);
    } else if (first < 0 || i < first) {
      out.push(layout.dashIndent + l);
      shifts.push(layout.dashIndent.length);
    } else if (i === first) {
      out.push(`${layout.dashIndent}-${layout.gap}${l}`);
      shifts.push(layout.dashIndent.length + 1 + layout.gap.length);
    } else {
      out.push(layout.contentIndent + l);
      shifts.push(layout.contentIndent.length);
    }
  });
  return { lines: out, shifts };
}

const normalise = (s: string) => s.replace(/\r\n?/g, '\n');

/**
 * The file text for the cells as they are now. Cells keep their kind from the part they came
 * from; a new cell takes the kind of the cells around it (after a section cell or the `sections:`
 * glue: a section). Header cells are written first, then the glue and the sections, then footer
 * cells. A cell whose text is unchanged is written as its original bytes.
 */
export function assemble(doc: DocLayout, cells: CellInput[]): Assembled {
  // kinds: a new cell follows the kind of the cell before it (header → section once sections exist)
  let state: CellKind = 'header';
  const kinds = cells.map((c) => {
    if (c.part) {
      state = c.part.kind === 'whole' ? 'header' : c.part.kind;
      return c.part.kind;
    }
    if (state === 'header' && doc.hasSections && cells.every((d) => d.part?.kind !== 'section')) {
      // no section left: a new cell after the header is a section
      return 'section';
    }
    return state;
  });
  const order = [...cells.keys()].sort((a, b) => rank(kinds[a]) - rank(kinds[b]) || a - b);
  let out = '';
  let line = 0;
  const placed: AssembledCell[] = [];
  const eol = doc.eol;
  const emit = (s: string) => {
    out += s;
    line += (s.match(/\n/g) ?? []).length;
  };
  const newlineIfNeeded = () => {
    if (out !== '' && !out.endsWith('\n')) emit(eol);
  };
  let sectionsStarted = false;
  let sectionIndex = 0;
  const sectionOrder = order.filter((i) => kinds[i] === 'section' && !(isBlank(cells[i].text) && !cells[i].part));
  const lastSection = sectionOrder[sectionOrder.length - 1];
  const startSections = () => {
    if (sectionsStarted) return;
    sectionsStarted = true;
    if (!doc.hasSections) return;
    newlineIfNeeded();
    emit(doc.glue);
  };
  let sectionsEnded = false;
  const endSections = () => {
    if (sectionsEnded) return;
    sectionsEnded = true;
    if (doc.flow && doc.hasSections) emit(doc.close);
  };
  for (const i of order) {
    const cell = cells[i];
    const kind = kinds[i];
    const edited = !cell.part || normalise(cell.text) !== cell.part.text;
    const shown = normalise(cell.markup ? cell.text.split('\n').map((l) => (l ? `# ${l}` : '#')).join('\n') : cell.text);
    if (kind === 'section' || (kind === 'footer' && !sectionsStarted)) startSections();
    if (kind === 'footer') endSections();
    if (isBlank(shown) && edited) continue; // an emptied or empty new cell is left out
    const partEol = cell.part?.eol ?? eol;
    if (kind === 'section' && doc.flow) {
      // flow items: the item, then its separator (every item but the last needs a comma)
      const column = out.length - lineStartOf(out, out.length);
      const indent = cell.part?.flowIndent ?? ' '.repeat(column);
      let trailer = cell.part?.trailer ?? '';
      if (i !== lastSection && !trailer.includes(',')) trailer = `,${trailer || ' '}`;
      const lines = shown.split('\n');
      const body = edited ? lines.map((l, k) => (k === 0 || isBlank(l) ? l : indent + l)).join(partEol) : cell.part!.raw.slice(0, cell.part!.raw.length - cell.part!.trailer.length);
      const shifts = edited ? lines.map((l, k) => (k === 0 ? column : isBlank(l) ? 0 : indent.length)) : (cell.part!.shifts ?? lines.map(() => 0));
      placed.push({ cell: i, kind, section: sectionIndex++, line, shifts: [column, ...shifts.slice(1)] });
      emit(body + trailer);
      continue;
    }
    newlineIfNeeded();
    if (!edited) {
      placed.push({ cell: i, kind, key: cell.part!.key, section: kind === 'section' ? sectionIndex++ : undefined, line, shifts: cell.part!.shifts ?? shown.split('\n').map(() => 0) });
      emit(cell.part!.raw);
      continue;
    }
    const trailer = cell.part?.trailer ?? eol;
    if (kind === 'section') {
      const { lines, shifts } = indentItem(shown, cell.part?.layout ?? doc.itemLayout);
      placed.push({ cell: i, kind, section: sectionIndex++, line, shifts });
      emit(lines.join(partEol) + (trailer || partEol));
    } else {
      const lines = shown.split('\n');
      placed.push({ cell: i, kind, key: cell.part?.key, line, shifts: lines.map(() => 0) });
      emit(lines.join(partEol) + (trailer || (kind === 'whole' ? '' : partEol)));
    }
  }
  if (!sectionsStarted && doc.hasSections) startSections();
  endSections();
  // a file that ended without a line break keeps ending so when its last part was rewritten
  if (!doc.finalNewline && out.endsWith(eol) && placed.length > 0) {
    const last = cells[placed[placed.length - 1].cell];
    if (!last.part || normalise(last.text) !== last.part.text) out = out.slice(0, -eol.length);
  }
  return { text: out, cells: placed };
}

function rank(kind: CellKind): number {
  return kind === 'header' || kind === 'whole' ? 0 : kind === 'section' ? 1 : 2;
}

/** Where a file position (1-based line and column, as cxreport reports them) is in the cells. */
export function locate(assembled: Assembled, line: number, column: number): { cell: number; line: number; column: number } | undefined {
  const l = line - 1;
  let best: AssembledCell | undefined;
  for (const c of assembled.cells) if (c.line <= l) best = c;
  if (!best) return assembled.cells[0] ? { cell: assembled.cells[0].cell, line: 0, column: 0 } : undefined;
  const k = Math.min(l - best.line, best.shifts.length - 1);
  return { cell: best.cell, line: k, column: Math.max(0, column - 1 - (best.shifts[k] ?? 0)) };
}

/** UTF-8 bytes → text, and whether they began with a byte order mark (kept apart from the text). */
export function decode(bytes: Uint8Array): { text: string; bom: boolean } {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return { text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bom ? bytes.subarray(3) : bytes), bom };
}

/** Text → UTF-8 bytes, with the byte order mark the file had. */
export function encode(text: string, bom: boolean): Uint8Array {
  const body = new TextEncoder().encode(text);
  if (!bom) return body;
  const out = new Uint8Array(body.length + 3);
  out.set([0xef, 0xbb, 0xbf]);
  out.set(body, 3);
  return out;
}
