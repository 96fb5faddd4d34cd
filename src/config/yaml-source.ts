/**
 * A parsed YAML document that remembers where every value came from, so that any later stage can
 * point at the exact line and column of the key or value it complains about.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { Location } from '../kernel/errors.js';

export type Path = readonly (string | number)[];

export class YamlSource {
  readonly file: string;
  readonly text: string;
  readonly doc: Document;
  private readonly lines: LineCounter;
  private readonly textLines: string[];

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    this.lines = new LineCounter();
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    this.textLines = text.split(/\r?\n/);
  }

  /** Location of a character offset in the file. */
  at(offset: number): Location {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col, snippet: this.textLines[line - 1] ?? '' };
  }

  /** The node at a path, or undefined. */
  node(path: Path): Node | undefined {
    const n = path.length === 0 ? this.doc.contents : this.doc.getIn(path as (string | number)[], true);
    return (n ?? undefined) as Node | undefined;
  }

  /** The key/value pair for the last segment of a path inside a map, if present. */
  pair(path: Path): Pair | undefined {
    const parent = this.node(path.slice(0, -1));
    const key = path[path.length - 1];
    if (!isMap(parent)) return undefined;
    return parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key) as Pair | undefined;
  }

  /**
   * The source text of the value at `path`, as written, re-indented to column 0 (a sequence
   * item's "- " is dropped), or undefined when absent.
   */
  textOf(path: Path): string | undefined {
    const node = this.node(path);
    if (!node?.range) return undefined;
    const lineStart = this.text.lastIndexOf('\n', node.range[0] - 1) + 1;
    const rows = this.text.slice(lineStart, node.range[1]).replace(/\s+$/, '').split('\n');
    rows[0] = rows[0].replace(/^(\s*)- /, '$1  ');
    const indent = Math.min(...rows.filter((r) => r.trim()).map((r) => r.length - r.trimStart().length));
    return rows.map((r) => r.slice(indent)).join('\n');
  }

  /**
   * Location of the value at `path`; if absent, of the nearest existing ancestor.
   * With `key: true`, points at the key rather than the value (for unknown-key errors).
   */
  locate(path: Path, options: { key?: boolean } = {}): Location {
    if (options.key && path.length > 0) {
      const pair = this.pair(path);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return this.at(keyNode.range[0]);
    }
    for (let i = path.length; i >= 0; i--) {
      const n = this.node(path.slice(0, i));
      if (n?.range) {
        // A map or sequence starts at its first entry; for a missing key inside it, point at its parent key.
        if (i < path.length && (isMap(n) || isSeq(n)) && i > 0) {
          const pair = this.pair(path.slice(0, i));
          const keyNode = pair?.key as Node | undefined;
          if (keyNode?.range) return this.at(keyNode.range[0]);
        }
        return this.at(n.range[0]);
      }
    }
    return { file: this.file, line: 1, column: 1, snippet: this.textLines[0] ?? '' };
  }
}

/** "metrics.nps.score", "sections[2].metric" */
export function formatPath(path: Path): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : String(seg)), '');
}
