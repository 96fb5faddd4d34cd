/** The metric types, registered in one table: adding a type touches its module and one line here. */
import { ces, cesSchema } from './ces.js';
import { csat, csatSchema } from './csat.js';
import type { MetricModule } from './module.js';
import { nps, npsSchema } from './nps.js';
import { scoreModule } from './score-module.js';

export const metricModules: Record<string, MetricModule> = {
  nps: scoreModule(nps),
  csat: scoreModule(csat),
  ces: scoreModule(ces),
};

export const metricTypeNames = Object.keys(metricModules);

/** The module for a metric type name. */
export function metricModule(name: string): MetricModule {
  const module = metricModules[name];
  if (!module) throw new Error(`unknown metric type ${name}`);
  return module;
}

/** Config schemas of every metric type, for the config's discriminated union. */
export const metricSchemas = [npsSchema, csatSchema, cesSchema] as const;
