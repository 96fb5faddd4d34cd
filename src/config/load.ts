/**
 * Loads cxreport.yaml: parse with positions → expand ${VAR} → validate with the zod schema →
 * check cross-references → normalise (resolve paths against the config file's folder).
 * Every problem is reported with file:line:column and a hint, all at once.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { CxError, CxErrors } from '../errors.js';
import { isPeriodKey, periodExample } from '../metrics/period.js';
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
    text = await readFile(absolute, 'utf8');
  } catch (error) {
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

  const data: unknown = yaml.doc.toJS() ?? {};
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
  const problems = checkReferences(config);
  const fatal = problems.filter((p) => !options.lenient || p.section === undefined);
  if (fatal.length > 0) throw new CxErrors(fatal.map((p) => p.error));
  for (const p of problems) if (p.section !== undefined) addSectionError(p.section, p.error);
  const sections = config.sections.map((s, i) => (sectionErrors.has(i) ? (PLACEHOLDER as typeof s) : s));
  return { ...normalisePaths({ ...config, sections }), ...(options.lenient ? { sectionErrors } : {}) };
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
    errors.push(new CxError('config', `report.period.current "${current}" is not a ${granularity} period`, { location: at(['report', 'period', 'current']), hint: `use "latest" or a key like "${periodExample(granularity)}"` }));
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
    if (section.type === 'case-study') {
      for (const key of ['before', 'after'] as const) {
        for (const end of ['from', 'to'] as const) {
          const value = section[key][end];
          if (!isPeriodKey(value, granularity)) errors.push(new CxError('config', `case study "${section.title}": ${key}.${end} "${value}" is not a ${granularity} period`, { location: at(['sections', i, key, end]), hint: `use a key like "${periodExample(granularity)}"` }));
        }
      }
    }
  });
  return problems;
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
