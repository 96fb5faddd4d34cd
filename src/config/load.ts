/**
 * Loads cxreport.yaml: parse with positions → expand ${VAR} → validate with the zod schema →
 * check cross-references → normalise (resolve paths against the config file's folder).
 * Every problem is reported with file:line:column and a hint, all at once.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { isScalar, visit, type Alias, type Scalar } from 'yaml';
import { CxError, CxErrors } from '../kernel/errors.js';
import { checkUserFile, displayPath, MAX_FILE_BYTES } from '../kernel/user-files.js';
import { setDateRange } from '../kernel/period.js';
import { expandEnv } from './env.js';
import type { z } from 'zod';
import { planOf, type Plan } from './plan.js';
import type { RawConfig } from './schema.js';
import { YamlSource } from './yaml-source.js';
import { issuesToErrors } from './zod-issues.js';

export interface Config extends RawConfig {
  /** absolute path of the config file */
  file: string;
  /** folder relative paths resolve against */
  dir: string;
  /** the parsed YAML, to locate any key or value for error messages */
  yaml: YamlSource;
  /** what the sections need of sources and metrics (plan.ts), decided once at load */
  plan: Plan;
  /** lenient mode (the preview, the notebook): a problem of one section is kept for that section instead of stopping the build */
  lenient?: boolean;
  /** lenient mode only: errors of sections that were replaced by an empty placeholder */
  sectionErrors?: Map<number, CxError[]>;
  /** the highlights scan's dimensions per metric (metrics/dimensions.ts), set by prepareAll */
  scanDimensions?: Map<string, string[]>;
}

/** What an invalid section is replaced by in lenient mode. */
const PLACEHOLDER = { type: 'markdown', text: '' } as const;

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  /** keep going past errors that belong to one section (the preview shows them in that section's cell) */
  lenient?: boolean;
  /** paths in messages are shown relative to this folder (default: the working directory) */
  cwd?: string;
}

/** A problem found after validation (a cross-reference, a period); `section` when it belongs to one section. */
export interface Problem {
  error: CxError;
  /** index of the section the problem belongs to, if any */
  section?: number;
}

/**
 * What the layers above contribute to loading: the composed schema (src/app/schema.ts), the
 * cross-reference checks the schema cannot express, and the normalisation of paths.
 */
export interface ConfigSpec {
  schema: z.ZodType;
  check(config: Config): Problem[];
  normalise(config: Config): Config;
}

/** Reads, validates and normalises a config file. Throws CxError/CxErrors on any problem. */
export async function loadConfigWith(spec: ConfigSpec, file: string, options: LoadOptions = {}): Promise<Config> {
  const cwd = options.cwd ?? process.cwd();
  const absolute = resolve(cwd, file);
  const shown = relative(cwd, absolute) || absolute;
  let text: string;
  try {
    // a folder, a device or a pipe, or a huge file, is refused before it is read
    const stats = await stat(absolute);
    if (!stats.isFile() || stats.size > MAX_FILE_BYTES) checkUserFile(absolute, { what: 'config', shown: displayPath(cwd, absolute), location: { file: displayPath(cwd, absolute) } });
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    if (error instanceof CxError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CxError('config', code === 'ENOENT' ? `config file not found: ${shown}` : `cannot read config file ${shown} (${code})`, {
      location: { file: shown },
      hint: code === 'ENOENT' ? 'run cxreport in the folder that holds cxreport.yaml, or pass its path: cxreport build path/to/cxreport.yaml' : undefined,
    });
  }
  return parseConfigWith(spec, text, { ...options, file: absolute, shownAs: shown });
}

/** Validates config text; `file` is its absolute path (relative paths resolve against its folder). */
export function parseConfigWith(spec: ConfigSpec, text: string, options: LoadOptions & { file: string; shownAs?: string }): Config {
  const configSchema = spec.schema;
  const yaml = new YamlSource(options.shownAs ?? options.file, text.replace(/^\uFEFF/, ''));
  const syntax = yaml.doc.errors.map((e) => {
    const offset = e.pos[0];
    return new CxError('config', `YAML syntax: ${e.message.split('\n')[0]}`, {
      location: yaml.at(offset),
      hint: e.code === 'DUPLICATE_KEY' ? 'each key may appear once in a mapping; remove or rename the repeated one' : 'check indentation, colons and quotes on this line',
    });
  });
  if (syntax.length > 0) throw new CxErrors(syntax);

  const envErrors = expandEnv(yaml, options.env ?? process.env);
  if (envErrors.length > 0) throw new CxErrors(envErrors);

  const data: unknown = toData(yaml);
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new CxError('config', 'the config must be a mapping with report, sources, metrics and sections', { location: yaml.at(0) });
  }
  const sectionErrors = new Map<number, CxError[]>();
  const addSectionError = (i: number, e: CxError) => sectionErrors.set(i, [...(sectionErrors.get(i) ?? []), e]);
  let parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const errors = issuesToErrors(parsed.error.issues, configSchema, data, yaml);
    const sectionOf = (path: PropertyKey[]) => (path[0] === 'sections' && typeof path[1] === 'number' ? path[1] : undefined);
    const bySection = parsed.error.issues.map((issue) => sectionOf(issue.path));
    // In lenient mode (the preview), an invalid section becomes a placeholder and its errors are kept for that cell.
    if (!options.lenient || bySection.some((i) => i === undefined)) throw new CxErrors(errors);
    errors.forEach((e, k) => addSectionError(bySection[Math.min(k, bySection.length - 1)] as number, e));
    const sections = [...((data as { sections: unknown[] }).sections ?? [])];
    for (const i of sectionErrors.keys()) sections[i] = PLACEHOLDER;
    parsed = configSchema.safeParse({ ...(data as object), sections });
    if (!parsed.success) throw new CxErrors(errors);
  }

  const dir = dirname(options.file);
  const config: Config = { ...(parsed.data as RawConfig), file: options.file, dir, yaml, plan: { metrics: new Map(), names: new Set(), scan: false } };
  // the plausible date range applies to everything read and computed from here on
  setDateRange(config.report.date_range);
  const problems = spec.check(config);
  const fatal = problems.filter((p) => !options.lenient || p.section === undefined);
  if (fatal.length > 0) throw new CxErrors(fatal.map((p) => p.error));
  for (const p of problems) if (p.section !== undefined) addSectionError(p.section, p.error);
  const sections = config.sections.map((s, i) => (sectionErrors.has(i) ? (PLACEHOLDER as typeof s) : s));
  const normalised = spec.normalise({ ...config, sections });
  return { ...normalised, plan: planOf(normalised), ...(options.lenient ? { lenient: true, sectionErrors } : {}) };
}

/** Longest alias expansion accepted (the yaml package's guard against "billion laughs" documents). */
const MAX_ALIASES = 100;

/**
 * The document as plain data. Aliases (`*name`) are allowed; one without an anchor before it, and
 * documents whose aliases expand too much, are config errors at the alias.
 */
function toData(yaml: YamlSource): unknown {
  const aliases: Alias[] = [];
  const protoKeys: Scalar[] = [];
  visit(yaml.doc, {
    Alias: (_key, node) => void aliases.push(node),
    // `__proto__` as a key would set an object's prototype instead of naming an entry
    Pair: (_key, pair) => void (isScalar(pair.key) && pair.key.value === '__proto__' && protoKeys.push(pair.key)),
  });
  if (protoKeys.length > 0) {
    throw new CxErrors(protoKeys.map((k) => new CxError('config', 'the key "__proto__" is not allowed', { location: yaml.at(k.range?.[0] ?? 0), hint: 'rename it: __proto__, constructor and prototype cannot name a source, metric, section or column' })));
  }
  const unresolved = aliases.filter((a) => a.resolve(yaml.doc) === undefined);
  if (unresolved.length > 0) {
    throw new CxErrors(
      unresolved.map((a) => new CxError('config', `YAML alias "*${a.source}" refers to no anchor`, {
        location: yaml.at(a.range?.[0] ?? 0),
        hint: `define the anchor before its use, e.g. \`key: &${a.source} value\`, or write the value out`,
      })),
    );
  }
  try {
    return yaml.doc.toJS({ maxAliasCount: MAX_ALIASES }) ?? {};
  } catch (error) {
    const message = (error as Error).message;
    throw new CxError('config', /alias/i.test(message) ? `YAML aliases expand too much (${aliases.length} aliases; at most ${MAX_ALIASES} expansions)` : `YAML: ${message}`, {
      location: yaml.at(aliases[0]?.range?.[0] ?? 0),
      hint: 'write the values out instead of repeating aliases (`*name`)',
    });
  }
}

