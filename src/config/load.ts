/**
 * Loads cxreport.yaml: parse with positions → expand ${VAR} → validate with the zod schema →
 * check cross-references → normalise (resolve paths against the config file's folder).
 * Every problem is reported with file:line:column and a hint, all at once.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { isScalar, visit, type Alias, type Scalar } from 'yaml';
import { CxError, CxErrors } from '../errors.js';
import { checkUserFile, displayPath, MAX_FILE_BYTES } from '../user-files.js';
import { isPeriodKey, isPlausiblePeriod, periodExample, plausibleDates, setDateRange, type Granularity } from '../metrics/period.js';
import { expandEnv } from './env.js';
import { configSchema, type RawConfig } from './schema.js';
import { suggestion } from './suggest.js';
import { YamlSource, type Path } from './yaml-source.js';
import { issuesToErrors } from './zod-issues.js';

export interface Config extends RawConfig {
  /** absolute path of the config file */
  file: string;
  /** folder relative paths resolve against */
  dir: string;
  /** the parsed YAML, to locate any key or value for error messages */
  yaml: YamlSource;
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

/** Reads, validates and normalises a config file. Throws CxError/CxErrors on any problem. */
export async function loadConfig(file: string, options: LoadOptions = {}): Promise<Config> {
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
  return parseConfig(text, { ...options, file: absolute, shownAs: shown });
}

/** Validates config text; `file` is its absolute path (relative paths resolve against its folder). */
export function parseConfig(text: string, options: LoadOptions & { file: string; shownAs?: string }): Config {
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
  const config: Config = { ...parsed.data, file: options.file, dir, yaml };
  // the plausible date range applies to everything read and computed from here on
  setDateRange(config.report.date_range);
  const problems = checkReferences(config);
  const fatal = problems.filter((p) => !options.lenient || p.section === undefined);
  if (fatal.length > 0) throw new CxErrors(fatal.map((p) => p.error));
  for (const p of problems) if (p.section !== undefined) addSectionError(p.section, p.error);
  const sections = config.sections.map((s, i) => (sectionErrors.has(i) ? (PLACEHOLDER as typeof s) : s));
  return { ...normalisePaths({ ...config, sections }), ...(options.lenient ? { sectionErrors } : {}) };
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

interface Problem {
  error: CxError;
  /** index of the section the problem belongs to, if any */
  section?: number;
}

/** Cross-reference checks the schema cannot express: metric → source, section → metric, periods. */
function checkReferences(config: Config): Problem[] {
  const problems: Problem[] = [];
  const errors = { push: (error: CxError) => problems.push({ error }) };
  const sectionErrors = (section: number) => ({ push: (error: CxError) => problems.push({ error, section }) });
  const at = (path: Path) => config.yaml.locate(path);
  const sources = Object.keys(config.sources);
  const metrics = Object.keys(config.metrics);
  const { granularity, current } = config.report.period;
  if (current !== 'latest' && !isPeriodKey(current, granularity)) {
    errors.push(
      granularity === 'all'
        ? new CxError('config', `report.period.current "${current}" is not a period of granularity all, which has one period over all data`, { location: at(['report', 'period', 'current']), hint: 'use "latest" or "all" (or remove `current`), or choose a granularity of month, quarter or year' })
        : new CxError('config', `report.period.current "${current}" is not a ${granularity} period`, { location: at(['report', 'period', 'current']), hint: `use "latest" or a key like "${periodExample(granularity)}"${current === 'all' ? ', or set granularity: all for one period over all data' : ''}` }),
    );
  } else if (current !== 'latest') {
    const problem = periodProblem(current, granularity, 'report.period.current', ['report', 'period', 'current'], config);
    if (problem) errors.push(problem);
  }
  for (const [id, metric] of Object.entries(config.metrics)) {
    if (!sources.includes(metric.source)) {
      errors.push(new CxError('config', `metric "${id}" uses source "${metric.source}", which is not defined`, { location: at(['metrics', id, 'source']), hint: suggestion(metric.source, sources, 'defined sources') }));
    }
    if (metric.type === 'csat' && metric.satisfied) {
      metric.satisfied.forEach((v, i) => {
        if (v < 1 || v > metric.scale) errors.push(new CxError('config', `metric "${id}": satisfied value ${v} is outside the 1–${metric.scale} scale`, { location: at(['metrics', id, 'satisfied', i]), hint: `use values between 1 and ${metric.scale}` }));
      });
    }
  }
  config.sections.forEach((section, i) => {
    const errors = sectionErrors(i);
    const refs: [Path, string][] = [];
    const s = section as Record<string, unknown>;
    if (typeof s.metric === 'string') refs.push([['sections', i, 'metric'], s.metric]);
    if (Array.isArray(s.metrics)) s.metrics.forEach((m, j) => refs.push([['sections', i, 'metrics', j], String(m)]));
    for (const [path, name] of refs) {
      if (!metrics.includes(name)) errors.push(new CxError('config', `section ${i + 1} (${section.type}) refers to metric "${name}", which is not defined`, { location: at(path), hint: suggestion(name, metrics, 'defined metrics') }));
    }
    if (typeof s.source === 'string' && !sources.includes(s.source)) {
      errors.push(new CxError('config', `section ${i + 1} (${section.type}) uses source "${s.source}", which is not defined`, { location: at(['sections', i, 'source']), hint: suggestion(s.source, sources, 'defined sources') }));
    }
    if (section.type === 'case-study' && granularity === 'all') {
      errors.push(new CxError('config', `case study "${section.title}" compares a before and an after window of periods, but the report is one period over all data (granularity all)`, { location: at(['sections', i, 'type']), hint: 'remove this section, or set report.period.granularity to month, quarter or year' }));
    } else if (section.type === 'case-study') {
      const keys: [string, Path][] = [
        ...(['before', 'after'] as const).flatMap((key) => (['from', 'to'] as const).map((end): [string, Path] => [section[key][end], ['sections', i, key, end]])),
        ...(section.intervention ? [[section.intervention.period, ['sections', i, 'intervention', 'period']] as [string, Path]] : []),
      ];
      const bad = keys.map(([value, path]) => periodProblem(value, granularity, `case study "${section.title}": ${path.slice(2).join('.')}`, path, config)).filter((p): p is CxError => p !== undefined);
      bad.forEach((e) => errors.push(e));
      // the windows are compared as independent samples: each runs forwards, and `after` starts after `before` ends
      if (bad.length === 0) {
        const reversed = (['before', 'after'] as const).filter((key) => section[key].to < section[key].from);
        for (const key of reversed) {
          const w = section[key];
          errors.push(new CxError('config', `case study "${section.title}": the ${key} window ends (${w.to}) before it starts (${w.from})`, { location: at(['sections', i, key, 'to']), hint: `swap them: from: "${w.to}", to: "${w.from}"` }));
        }
        if (reversed.length === 0 && section.before.to >= section.after.from) {
          errors.push(new CxError('config', `case study "${section.title}": the after window (from ${section.after.from}) must start after the before window ends (${section.before.to})`, { location: at(['sections', i, 'after', 'from']), hint: 'the two windows are compared as independent samples, so they must not overlap: let `after` start after `before` ends' }));
        }
      }
    }
    if (section.type === 'trend') {
      section.annotations?.forEach((a, j) => {
        const problem = periodProblem(a.period, granularity, `section ${i + 1} (trend): annotation period`, ['sections', i, 'annotations', j, 'period'], config);
        if (problem) errors.push(problem);
      });
    }
  });
  return problems;
}

/** Why a period key from the config cannot be used (wrong granularity, outside the plausible dates), or undefined. */
function periodProblem(value: string, granularity: Granularity, what: string, path: Path, config: Config): CxError | undefined {
  const location = config.yaml.locate(path);
  if (!isPeriodKey(value, granularity)) return new CxError('config', `${what} "${value}" is not a ${granularity} period`, { location, hint: `this report is by ${granularity}: use a key like "${periodExample(granularity)}"` });
  if (!isPlausiblePeriod(value, granularity)) return new CxError('config', `${what} "${value}" lies outside the plausible dates (${plausibleDates().label})`, { location, hint: 'use a period inside them, or widen report.date_range: { min, max }' });
  return undefined;
}

function resolvePath(dir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(dir, p);
}

/** Resolves every file path in the config against the config's folder. */
function normalisePaths(config: Config): Config {
  const sources = Object.fromEntries(Object.entries(config.sources).map(([k, s]) => [k, 'path' in s ? { ...s, path: resolvePath(config.dir, s.path) } : s]));
  const sections = config.sections.map((s) => {
    if (s.type === 'markdown' && s.file) return { ...s, file: resolvePath(config.dir, s.file) };
    if (s.type === 'case-study' && s.narrative_file) return { ...s, narrative_file: resolvePath(config.dir, s.narrative_file) };
    if (s.type === 'chart') return { ...s, spec: resolvePath(config.dir, s.spec) };
    return s;
  });
  const report = config.report.logo ? { ...config.report, logo: resolvePath(config.dir, config.report.logo) } : config.report;
  const templates = config.templates ? resolvePath(config.dir, config.templates) : undefined;
  return { ...config, report, sources, sections, templates };
}
