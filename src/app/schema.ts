/**
 * The config schema, composed above the layers from each layer's own schema: the source
 * definitions (sources/schema.ts), every metric type's schema (metrics/registry.ts) and every
 * section type's schema (report/sections/index.ts), inside the report, outputs and theme settings
 * of config/schema.ts. One source of truth for validation, defaults, the full config type and the
 * JSON Schema that editors use (`cxreport schema`).
 */
import { z } from 'zod';
import { composeConfigSchema } from '../config/schema.js';
import { addExamples } from '../config/examples.js';
import type { Config } from '../config/load.js';
import { metricModules, metricSchemas } from '../metrics/registry.js';
import { sectionSchemas, type SectionDef } from '../report/sections/index.js';
import { sourceSchema, type SourceDef } from '../sources/schema.js';

export const metricSchema = z.discriminatedUnion('type', [...metricSchemas]);
export const sectionSchema = z.discriminatedUnion('type', [...sectionSchemas]);
export const configSchema = composeConfigSchema({ source: sourceSchema, metric: metricSchema, section: sectionSchema });

let composed: { schemas: z.ZodType[]; schema: z.ZodType } | undefined;

/**
 * The config schema over the metric types registered now: each entry of `metricModules`
 * (metrics/registry.ts) brings its own schema, so a type added to the registry (a plugin, a test's
 * toy type) validates without another list to extend. With the built-in types this is
 * `configSchema` itself; `metricSchemas` types the built-in definitions for the code above.
 */
export function currentConfigSchema(): z.ZodType {
  const schemas = Object.values(metricModules).map((m) => m.schema);
  if (schemas.length === metricSchemas.length && schemas.every((s, i) => s === metricSchemas[i])) return configSchema;
  if (!composed || composed.schemas.length !== schemas.length || composed.schemas.some((s, i) => s !== schemas[i])) {
    const metric = z.discriminatedUnion('type', schemas as unknown as [typeof metricSchemas[number], ...typeof metricSchemas[number][]]);
    composed = { schemas, schema: composeConfigSchema({ source: sourceSchema, metric, section: sectionSchema }) };
  }
  return composed.schema;
}

export type FullRawConfig = z.infer<typeof configSchema>;
export type { SectionDef, SourceDef };
export type MetricDef = z.infer<typeof metricSchema>;

/** A loaded config with every source, metric and section typed by its own schema (the layers below see `Config`). */
export type FullConfig = Omit<Config, 'sources' | 'metrics' | 'sections'> & Pick<FullRawConfig, 'sources' | 'metrics' | 'sections'>;

/** The config with its definitions typed by their schemas (it was validated against them when loaded). */
export const full = (config: Config): FullConfig => config as unknown as FullConfig;

/** JSON Schema (draft 2020-12) of the config file, generated from the zod schema. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(currentConfigSchema(), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  addExamples(schema);
  return { ...schema, title: 'cxreport.yaml' };
}
