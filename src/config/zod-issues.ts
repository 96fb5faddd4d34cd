/**
 * Turns zod validation issues into located, actionable config errors: unknown keys get the nearest
 * valid key, unknown types get the list of types, missing keys say what to add.
 */
import type { z } from 'zod';
import { CxError } from '../kernel/errors.js';
import { suggestion } from '../kernel/suggest.js';
import { formatPath, type Path, type YamlSource } from './yaml-source.js';

type AnySchema = z.ZodType;
interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  innerType?: AnySchema;
  in?: AnySchema;
  valueType?: AnySchema;
  element?: AnySchema;
  options?: AnySchema[];
  discriminator?: string;
  values?: unknown[];
}

const def = (s: AnySchema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const d = def(s);
    if (d.innerType && ['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(d.type)) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
}

/** The option of a discriminated union that matches the data, if any. */
function pickOption(schema: AnySchema, data: unknown): AnySchema | undefined {
  const d = def(schema);
  if (d.type !== 'union' || !d.options) return undefined;
  const key = d.discriminator;
  if (!key || typeof data !== 'object' || data === null) return undefined;
  const wanted = (data as Record<string, unknown>)[key];
  return d.options.find((o) => {
    const field = def(unwrap(o)).shape?.[key];
    return field !== undefined && def(unwrap(field)).values?.includes(wanted);
  });
}

/** The schema that validates the value at `path`, following the data through unions. */
export function schemaAt(root: AnySchema, path: Path, data: unknown): AnySchema | undefined {
  let schema: AnySchema | undefined = unwrap(root);
  let value = data;
  for (const seg of path) {
    if (!schema) return undefined;
    const option = pickOption(schema, value);
    if (option) schema = unwrap(option);
    const d = def(schema);
    if (d.type === 'object') schema = d.shape?.[String(seg)];
    else if (d.type === 'record') schema = d.valueType;
    else if (d.type === 'array') schema = d.element;
    else return undefined;
    value = value && typeof value === 'object' ? (value as Record<string | number, unknown>)[seg] : undefined;
    if (schema) schema = unwrap(schema);
  }
  if (schema) {
    const option = pickOption(schema, value);
    if (option) schema = unwrap(option);
  }
  return schema;
}

/** Keys an object schema accepts at `path`. */
export function keysAt(root: AnySchema, path: Path, data: unknown): string[] {
  const s = schemaAt(root, path, data);
  const d = s && def(s);
  return d?.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string "${v}"`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${String(v)}`;
}

function valueAt(data: unknown, path: Path): unknown {
  let v = data;
  for (const seg of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined;
  return v;
}

const KIND_OF: Record<string, string> = { metrics: 'metric', sections: 'section', sources: 'source' };

/** One CxError per zod issue, located in the YAML source. */
export function issuesToErrors(issues: z.core.$ZodIssue[], root: AnySchema, data: unknown, source: YamlSource): CxError[] {
  const errors: CxError[] = [];
  for (const issue of issues) {
    const path = issue.path as (string | number)[];
    const where = formatPath(path);
    const value = valueAt(data, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const valid = keysAt(root, path, data);
        for (const key of issue.keys) {
          errors.push(
            new CxError('config', `unknown key "${key}"${where ? ` in ${where}` : ''}`, {
              location: source.locate([...path, key], { key: true }),
              hint: suggestion(key, valid, 'valid keys here'),
            }),
          );
        }
        break;
      }
      case 'invalid_union': {
        const u = issue as z.core.$ZodIssueInvalidUnion & { discriminator?: string; options?: unknown[] };
        if (u.discriminator) {
          const kind = KIND_OF[String(path[0])] ?? 'entry';
          const options = (u.options ?? []).map(String);
          const got = value;
          errors.push(
            new CxError('config', got === undefined ? `${where.replace(/\.type$/, '')}: missing "type"` : `unknown ${kind} type "${String(got)}" at ${where}`, {
              location: source.locate(path),
              hint: got === undefined ? `add \`type:\` — ${kind} types: ${options.join(', ')}` : suggestion(String(got), options, `${kind} types`),
            }),
          );
        } else {
          // a plain union (a column: a type name or a spec): when exactly one option got past the value's
          // own type, its issues say what is wrong inside (e.g. values.email: expected string)
          const inner = ((u as { errors?: z.core.$ZodIssue[][] }).errors ?? []).filter((b) => b.length > 0 && b.every((i) => i.path.length > 0));
          if (inner.length === 1) errors.push(...issuesToErrors(inner[0]!.map((i) => ({ ...i, path: [...path, ...i.path] }) as z.core.$ZodIssue), root, data, source));
          else errors.push(new CxError('config', `${where}: ${issue.message}`, { location: source.locate(path) }));
        }
        break;
      }
      case 'invalid_type': {
        if (value === undefined) {
          const key = String(path[path.length - 1]);
          const schema = schemaAt(root, path, data);
          const description = schema?.description ? ` (${schema.description})` : '';
          errors.push(
            new CxError('config', `missing required key "${key}"${path.length > 1 ? ` in ${formatPath(path.slice(0, -1))}` : ''}`, {
              location: source.locate(path),
              hint: `add \`${key}: ...\`${description}`,
            }),
          );
        } else {
          const expected = (issue as { expected?: string }).expected ?? 'another type';
          const quotedNumber = expected === 'number' && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value));
          errors.push(
            new CxError('config', `${where}: expected ${expected}, got ${describeValue(value)}`, {
              location: source.locate(path),
              hint: quotedNumber ? `remove the quotes: ${String(path[path.length - 1])}: ${value}` : undefined,
            }),
          );
        }
        break;
      }
      case 'invalid_value': {
        const options = (issue.values ?? []).map(String);
        errors.push(
          new CxError('config', `${where}: ${describeValue(value)} is not allowed`, {
            location: source.locate(path),
            hint: typeof value === 'string' ? suggestion(value, options, 'allowed values') : `allowed values: ${options.join(', ')}`,
          }),
        );
        break;
      }
      case 'invalid_key': {
        // a record's key (a source or metric name) failed its own check: point at the key
        const inner = (issue as { issues?: { message: string }[] }).issues?.[0]?.message ?? issue.message;
        errors.push(new CxError('config', `${where}: ${inner}`, { location: source.locate(path, { key: true }), hint: 'rename it' }));
        break;
      }
      default:
        errors.push(new CxError('config', `${where || 'config'}: ${issue.message}`, { location: source.locate(path) }));
    }
  }
  return errors;
}
