/**
 * `${VAR}` expansion in YAML string values (`${VAR:-default}` gives a fallback, `$${` a literal
 * `${`). Done on the parsed document so that a missing variable is reported at its own position.
 */
import { isScalar, visit } from 'yaml';
import { CxError, rememberSecret } from '../kernel/errors.js';
import type { YamlSource } from './yaml-source.js';

const REF = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces environment references in every string scalar; returns one error per missing variable. */
export function expandEnv(source: YamlSource, env: Record<string, string | undefined>): CxError[] {
  const errors: CxError[] = [];
  visit(source.doc, {
    Scalar(_key, node) {
      if (!isScalar(node) || typeof node.value !== 'string' || !node.value.includes('${')) return;
      node.value = node.value.replace(REF, (whole, escaped: string | undefined, name: string, fallback: string | undefined) => {
        if (escaped) return whole.slice(1);
        const value = env[name];
        if (value !== undefined && value !== '') {
          rememberSecret(value, name);
          return value;
        }
        if (fallback !== undefined) return fallback;
        const start = node.range?.[0] ?? 0;
        const raw = source.text.slice(start, node.range?.[1] ?? start);
        const offset = Math.max(0, raw.indexOf(`\${${name}`));
        errors.push(
          new CxError('config', `environment variable ${name} is not set`, {
            location: source.at(start + offset),
            hint: `set it (export ${name}=...) or give a default: \${${name}:-value}`,
          }),
        );
        return whole;
      });
    },
  });
  return errors;
}
