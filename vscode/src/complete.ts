/**
 * Completion inside a cell from cxreport's JSON Schema (schema/cxreport.schema.json, generated from
 * the zod schema that validates configs): keys with their descriptions, `type:` values, enum and
 * boolean values, examples, and the names of the config's metrics and sources where a key refers to
 * one. No VS Code API here (unit-tested on its own). A section cell completes against a section's
 * schema, a header cell (`metrics:` …) against the whole config's.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, visit, type Node } from 'yaml';

export interface Schema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  examples?: unknown[];
  default?: unknown;
  required?: string[];
}

export interface Completion {
  label: string;
  kind: 'property' | 'value' | 'reference';
  insertText: string;
  detail?: string;
  documentation?: string;
  /** sort first (required keys, `type`) */
  preferred?: boolean;
}

export interface Names {
  metrics: string[];
  sources: string[];
}

export type Path = (string | number)[];

const MARK = 'CXREPORTCOMPLETE';

/** Every alternative a schema stands for (oneOf/anyOf flattened, allOf merged). */
function alternatives(schema: Schema | undefined): Schema[] {
  if (!schema) return [];
  if (schema.oneOf || schema.anyOf) return [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])].flatMap(alternatives);
  if (schema.allOf) {
    const merged: Schema = { ...schema, allOf: undefined, properties: { ...(schema.properties ?? {}) } };
    for (const part of schema.allOf.flatMap(alternatives)) Object.assign(merged.properties!, part.properties ?? {});
    return [merged];
  }
  return [schema];
}

/** The alternatives an object value matches by its `type:` (all of them while it has none, or none match). */
function byType(options: Schema[], value: unknown): Schema[] {
  const type = value && typeof value === 'object' ? (value as Record<string, unknown>).type : undefined;
  if (typeof type !== 'string') return options;
  const matching = options.filter((o) => o.properties?.type?.const === type || (o.properties?.type?.enum ?? []).includes(type));
  return matching.length > 0 ? matching : options;
}

/** The schemas of the value at `path` inside `data` (described by `root`). */
export function schemasAt(root: Schema, data: unknown, path: Path): Schema[] {
  let current = byType(alternatives(root), data);
  let value: unknown = data;
  for (const step of path) {
    value = value && typeof value === 'object' ? (value as Record<string | number, unknown>)[step] : undefined;
    const next: Schema[] = [];
    for (const s of current) {
      if (typeof step === 'number') {
        if (s.items) next.push(s.items);
      } else if (s.properties?.[step]) next.push(s.properties[step]);
      else if (s.additionalProperties && typeof s.additionalProperties === 'object') next.push(s.additionalProperties);
    }
    current = byType(next.flatMap(alternatives), value);
  }
  return current;
}

/** Where the cursor is: the path of the mapping (key position) or of the value it is writing. */
export function cursorAt(text: string, offset: number): { path: Path; position: 'key' | 'value'; data: unknown; prefix: string } | undefined {
  const before = text.slice(0, offset);
  const prefix = /[\w.-]*$/.exec(before)![0];
  const after = /^[\w.-]*/.exec(text.slice(offset))![0];
  const start = offset - prefix.length;
  const end = offset + after.length;
  // on a line of its own, a word is a key being written (`report:⏎  ti|` would read as a value)
  const ownLine = /(^|\n)[ \t]*$/.test(text.slice(0, start));
  for (const mark of ownLine ? [`${MARK}: `, MARK] : [MARK, `${MARK}: `]) {
    const doc = parseDocument(text.slice(0, start) + mark + text.slice(end), { uniqueKeys: false });
    let found: { path: Path; position: 'key' | 'value' } | undefined;
    visit(doc, {
      Scalar(key, node, ancestors) {
        if (node.value !== MARK) return undefined;
        const path: Path = [];
        const chain = [...ancestors.slice(1), node] as unknown[];
        for (let i = 0; i < chain.length - 1; i++) {
          const a = chain[i];
          const b = chain[i + 1];
          if (isPair(a) && b === a.value) path.push(String(isScalar(a.key) ? a.key.value : a.key));
          if (isSeq(a)) path.push(a.items.indexOf(b as Node));
        }
        // a key: complete the keys of the mapping it is in (the path of that mapping)
        found = { path, position: key === 'key' ? 'key' : 'value' };
        return visit.BREAK;
      },
    });
    if (found) {
      const data = dataOf(doc.contents as Node | null);
      return { ...found, data, prefix };
    }
  }
  return undefined;
}

/** The document as plain data, with the mark removed (keys named by it dropped). */
function dataOf(node: Node | null): unknown {
  if (!node) return undefined;
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const p of node.items) {
      const k = isScalar(p.key) ? p.key.value : undefined;
      if (typeof k !== 'string' || k === MARK) continue;
      out[k] = dataOf(p.value as Node | null);
    }
    return out;
  }
  if (isSeq(node)) return node.items.map((n) => dataOf(n as Node));
  if (isScalar(node)) return node.value === MARK ? undefined : node.value;
  return undefined;
}

const describe = (s: Schema | undefined) => s?.description;
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Keys that name a metric or a source of the config. */
function referenceKind(key: string | number | undefined, parentKey: string | number | undefined): keyof Names | undefined {
  if (key === 'metric' || (typeof key === 'number' && parentKey === 'metrics')) return 'metrics';
  if (key === 'source' || key === 'customers') return 'sources';
  return undefined;
}

/**
 * Completions at `offset` in a cell's text. `root` is the schema the cell's text is an instance of
 * (a section's, or the whole config's for a header cell).
 */
export function complete(root: Schema, text: string, offset: number, names: Names = { metrics: [], sources: [] }): Completion[] {
  const at = cursorAt(text, offset);
  if (!at) return [];
  if (at.position === 'key') {
    const object = at.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), at.data);
    const present = new Set(object && typeof object === 'object' ? Object.keys(object) : []);
    const out = new Map<string, Completion>();
    for (const s of schemasAt(root, at.data, at.path)) {
      for (const [key, prop] of Object.entries(s.properties ?? {})) {
        if (present.has(key) || out.has(key)) continue;
        const consts = prop.const !== undefined ? [prop.const] : [];
        out.set(key, {
          label: key,
          kind: 'property',
          insertText: consts.length === 1 && key === 'type' ? `type: ` : `${key}: `,
          detail: (s.required ?? []).includes(key) ? 'required' : undefined,
          documentation: describe(prop) ?? describe(alternatives(prop)[0]),
          preferred: key === 'type' || (s.required ?? []).includes(key),
        });
      }
    }
    return [...out.values()];
  }
  // a value: `type:` of a section or metric, enums, booleans, references, examples
  const key = at.path[at.path.length - 1];
  const parentKey = at.path[at.path.length - 2];
  const out = new Map<string, Completion>();
  const add = (c: Completion) => void (out.has(c.label) || out.set(c.label, c));
  if (key === 'type') {
    // the alternatives of the object holding `type:`, each with its description
    const holders = schemasAt(root, undefined, at.path.slice(0, -1));
    for (const h of holders) {
      const t = h.properties?.type;
      for (const v of t?.const !== undefined ? [t.const] : (t?.enum ?? [])) add({ label: show(v), kind: 'value', insertText: show(v), documentation: describe(h) });
    }
  }
  const ref = referenceKind(key, parentKey);
  if (ref) for (const n of names[ref]) add({ label: n, kind: 'reference', insertText: n, detail: ref === 'metrics' ? 'metric' : 'source' });
  for (const s of schemasAt(root, at.data, at.path)) {
    for (const v of s.enum ?? []) add({ label: show(v), kind: 'value', insertText: show(v), documentation: describe(s) });
    if (s.const !== undefined && key !== 'type') add({ label: show(s.const), kind: 'value', insertText: show(s.const), documentation: describe(s) });
    if (s.type === 'boolean') for (const v of ['true', 'false']) add({ label: v, kind: 'value', insertText: v, documentation: describe(s) });
    if (!ref) for (const v of s.examples ?? []) if (typeof v !== 'object') add({ label: show(v), kind: 'value', insertText: show(v), detail: 'example', documentation: describe(s) });
  }
  return [...out.values()];
}

/** The schema a cell's text is an instance of: a section's, or the config's (header cells). */
export function cellSchema(root: Schema, kind: string): Schema {
  if (kind === 'section') return root.properties?.sections?.items ?? {};
  return root;
}

/** Metric and source names of a config text (for completing references), read leniently. */
export function namesIn(text: string): Names {
  try {
    const data = parseDocument(text, { uniqueKeys: false }).toJS() as Record<string, unknown> | null;
    const keys = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []);
    return { metrics: keys(data?.metrics), sources: keys(data?.sources) };
  } catch {
    return { metrics: [], sources: [] };
  }
}
