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
import { metricSchemas } from '../metrics/registry.js';
import { sectionSchemas, type SectionDef } from '../report/sections/index.js';
import { sourceSchema, type SourceDef } from '../sources/schema.js';

export const metricSchema = z.discriminatedUnion('type', [...metricSchemas]);
export const sectionSchema = z.discriminatedUnion('type', [...sectionSchemas]);
export const configSchema = composeConfigSchema({ source: sourceSchema, metric: metricSchema, section: sectionSchema });

export type FullRawConfig = z.infer<typeof configSchema>;
export type { SectionDef, SourceDef };
export type MetricDef = z.infer<typeof metricSchema>;

/** A loaded config with every source, metric and section typed by its own schema (the layers below see `Config`). */
export type FullConfig = Omit<Config, 'sources' | 'metrics' | 'sections'> & Pick<FullRawConfig, 'sources' | 'metrics' | 'sections'>;

/** The config with its definitions typed by their schemas (it was validated against them when loaded). */
export const full = (config: Config): FullConfig => config as unknown as FullConfig;

/** JSON Schema (draft 2020-12) of the config file, generated from the zod schema. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  addExamples(schema);
  return { ...schema, title: 'cxreport.yaml' };
}
