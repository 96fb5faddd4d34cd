/**
 * Loading cxreport.yaml with the composed schema: config/load.ts reads, expands and validates it;
 * this file adds what needs every layer's types — the cross-reference checks the schema cannot
 * express (metric → source, section → metric, periods, case-study windows) and the resolution of
 * file paths against the config's folder.
 */
import { isAbsolute, resolve } from 'node:path';
import { loadConfigWith, parseConfigWith, type Config, type ConfigSpec, type LoadOptions, type Problem } from '../config/load.js';
import type { Path } from '../config/yaml-source.js';
import { CxError } from '../kernel/errors.js';
import { isPeriodKey, isPlausiblePeriod, periodExample, plausibleDates, type Granularity } from '../kernel/period.js';
import { suggestion } from '../kernel/suggest.js';
import { loadChartChecks } from '../report/sections/custom.js';
import { currentConfigSchema, full, type FullConfig } from './schema.js';

export type { Config, LoadOptions } from '../config/load.js';

const spec: ConfigSpec = {
  // the metric types registered when the config is read (metrics/registry.ts)
  get schema() {
    return currentConfigSchema();
  },
  check: (c) => checkReferences(full(c)),
  normalise: (c) => normalisePaths(full(c)) as unknown as Config,
};

/** Reads, validates and normalises a config file. Throws CxError/CxErrors on any problem. */
export async function loadConfig(file: string, options: LoadOptions = {}): Promise<Config> {
  const config = await loadConfigWith(spec, file, options);
  await loadChartChecks(config);
  return config;
}

/** Validates config text; `file` is its absolute path (relative paths resolve against its folder). A config with chart sections needs `await loadChartChecks(config)` before its report is built. */
export function parseConfig(text: string, options: LoadOptions & { file: string; shownAs?: string }): Config {
  return parseConfigWith(spec, text, options);
}

/** Cross-reference checks the schema cannot express: metric → source, section → metric, periods. */
function checkReferences(config: FullConfig): Problem[] {
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
function periodProblem(value: string, granularity: Granularity, what: string, path: Path, config: FullConfig): CxError | undefined {
  const location = config.yaml.locate(path);
  if (!isPeriodKey(value, granularity)) return new CxError('config', `${what} "${value}" is not a ${granularity} period`, { location, hint: `this report is by ${granularity}: use a key like "${periodExample(granularity)}"` });
  if (!isPlausiblePeriod(value, granularity)) return new CxError('config', `${what} "${value}" lies outside the plausible dates (${plausibleDates().label})`, { location, hint: 'use a period inside them, or widen report.date_range: { min, max }' });
  return undefined;
}

function resolvePath(dir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(dir, p);
}

/** Resolves every file path in the config against the config's folder. */
function normalisePaths(config: FullConfig): FullConfig {
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
