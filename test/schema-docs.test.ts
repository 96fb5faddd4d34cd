/** Editor support: every key of the JSON Schema carries a description (hover docs) and an example or default. */
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../src/app/schema.js';

type Node = Record<string, any>;

/** Every object property in the schema, with its path. */
function properties(node: Node, path: string, out: { path: string; schema: Node }[] = []): { path: string; schema: Node }[] {
  if (!node || typeof node !== 'object') return out;
  for (const key of ['anyOf', 'oneOf', 'allOf']) for (const sub of node[key] ?? []) properties(sub, path, out);
  if (node.items) properties(node.items, `${path}[]`, out);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') properties(node.additionalProperties, `${path}.<name>`, out);
  for (const [key, sub] of Object.entries<Node>(node.properties ?? {})) {
    out.push({ path: `${path}.${key}`, schema: sub });
    properties(sub, `${path}.${key}`, out);
  }
  return out;
}

const documented = (s: Node): boolean => typeof s.description === 'string' || [...(s.anyOf ?? []), ...(s.oneOf ?? [])].some(documented);
const exemplified = (s: Node): boolean =>
  s.examples !== undefined || s.default !== undefined || s.const !== undefined || s.enum !== undefined || [...(s.anyOf ?? []), ...(s.oneOf ?? [])].some(exemplified) || s.type === 'boolean';

describe('JSON Schema documentation', () => {
  const all = properties(configJsonSchema(), '$');
  it('covers many keys', () => expect(all.length).toBeGreaterThan(150));
  it('every key has a description', () => {
    expect(all.filter((p) => !documented(p.schema) && p.path.split('.').pop() !== 'type').map((p) => p.path)).toEqual([]);
  });
  it('every key has an example, a default or its allowed values', () => {
    const bare = all.filter((p) => !exemplified(p.schema) && p.schema.type !== 'object' && p.schema.type !== 'array').map((p) => p.path);
    expect(bare).toEqual([]);
  });
});
