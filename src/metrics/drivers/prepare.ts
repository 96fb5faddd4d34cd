/** The answers and driver values of the drivers sections naming a score metric, checked and read once per build. */
import type { Config } from '../../config/load.js';
import { CxError } from '../../kernel/errors.js';
import { specOf, type ColumnDecl } from '../../sources/columns.js';
import { requireColumn, type PreparedMetric } from '../prepare.js';
import type { DriversSpec, PreparedDrivers } from './types.js';

const sameSpec = (a: DriversSpec, b: DriversSpec) => a.periods === b.periods && a.resamples === b.resamples && a.seed === b.seed && a.drivers.join('\u0000') === b.drivers.join('\u0000');

/**
 * Reads and checks the answers and driver values of the drivers sections naming metric `id`:
 * each driver a column of the metric's source (did-you-mean otherwise), not the score itself, and
 * holding numbers (or text mapped by `levels:`). One analysis per metric: further sections must
 * ask for the same one. A problem stops the build; in the preview (lenient config) it is kept in
 * `problems` by section index instead, for that section to show in its place (the data may be
 * fixed while the config stays loaded, so nothing is recorded in the config).
 */
export function prepareDrivers(id: string, pm: PreparedMetric, config: Config, specs: DriversSpec[], problems: Map<number, CxError>): PreparedDrivers | undefined {
  const fail = (indices: number[], error: CxError): void => {
    if (!config.lenient) throw error;
    for (const i of indices) problems.set(i, error);
  };
  let chosen: DriversSpec | undefined;
  const sections: number[] = [];
  for (const spec of specs) {
    const what = `section ${spec.index + 1} (drivers)`;
    try {
      if (chosen && !sameSpec(chosen, spec)) {
        throw new CxError('config', `${what}: metric "${id}" already has a drivers analysis (section ${chosen.index + 1}) with other drivers or settings; metrics.json holds one per metric`, {
          location: config.yaml.locate(['sections', spec.index, 'drivers']),
          hint: 'show the same analysis (same drivers, periods, resamples and seed), or define a second metric on the same source for another analysis',
        });
      }
      spec.drivers.forEach((column, j) => {
        requireColumn(pm.source, column, config, ['sections', spec.index, 'drivers', j], what);
        if (column === pm.def.score) {
          throw new CxError('config', `${what}: "${column}" is the score of metric "${id}" itself, not a driver of it`, {
            location: config.yaml.locate(['sections', spec.index, 'drivers', j]),
            hint: 'list the questions that may explain the score, e.g. satisfaction with onboarding, support, reliability',
          });
        }
      });
      chosen ??= spec;
      sections.push(spec.index);
    } catch (error) {
      if (error instanceof CxError) fail([spec.index], error);
      else throw error;
    }
  }
  if (!chosen) return undefined;
  const spec = chosen;

  const status = pm.rows.array('__status') as ArrayLike<string>;
  const periods = pm.rows.array('__period') as ArrayLike<string | null>;
  const values = pm.rows.array('__value') as ArrayLike<number | null>;
  const keep: number[] = [];
  for (let i = 0; i < status.length; i++) if (status[i] === 'ok') keep.push(i);
  const y = Float64Array.from(keep, (i) => values[i] as number);
  const period = keep.map((i) => periods[i]);
  const declared = (config.sources as Record<string, { columns?: Record<string, ColumnDecl> }>)[pm.def.source]?.columns ?? {};
  const x: Float64Array[] = [];
  const levels: (number | null)[] = [];
  for (const [j, column] of spec.drivers.entries()) {
    const cells = pm.rows.array(column) as ArrayLike<unknown>;
    const out = new Float64Array(keep.length);
    let numbers = 0;
    const texts = new Set<string>();
    keep.forEach((i, r) => {
      const v = numberOf(cells[i]);
      out[r] = v;
      if (Number.isFinite(v)) numbers++;
      else if (typeof cells[i] === 'string' && String(cells[i]).trim() !== '' && texts.size < 3) texts.add(String(cells[i]).trim());
    });
    if (numbers === 0 && texts.size > 0) {
      const examples = [...texts].map((v) => JSON.stringify(v));
      fail(
        sections,
        new CxError('data', `section ${spec.index + 1} (drivers): driver "${column}" holds text (${examples.join(', ')}…), not numbers`, {
          location: config.yaml.locate(['sections', spec.index, 'drivers', j]),
          hint: `map ordinal answers to 1…k with levels: under the source, lowest first, e.g. columns: { ${column}: { levels: [${examples.slice(0, 2).join(', ')}, …] } }`,
        }),
      );
      return undefined;
    }
    const decl = specOf(declared[column]);
    levels.push(decl.levels ? decl.levels.length : null);
    x.push(out);
  }
  return { spec, sections, period, y, x, levels, cache: new Map() };
}

/** A driver cell as a number: numbers and numeric text; anything else (empty, unmapped text) is NaN. */
function numberOf(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : Number.NaN;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(v)) return Number(v);
  return Number.NaN;
}
