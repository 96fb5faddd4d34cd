/** The metric types, registered in one table: adding a type touches its module and one line here. */
import { ces, cesSchema } from './ces.js';
import { csat, csatSchema } from './csat.js';
import { nps, npsSchema } from './nps.js';
import type { MetricType } from './types.js';

export const metricTypes = { nps, csat, ces } as const;

export type MetricTypeName = keyof typeof metricTypes;

export const metricTypeNames = Object.keys(metricTypes) as MetricTypeName[];

/** The module for a metric type name. */
export function metricType(name: string): MetricType<any> {
  const type = (metricTypes as Record<string, MetricType<any>>)[name];
  if (!type) throw new Error(`unknown metric type ${name}`);
  return type;
}

/** Config schemas of every metric type, for the config's discriminated union. */
export const metricSchemas = [npsSchema, csatSchema, cesSchema] as const;
