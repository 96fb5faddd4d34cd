/** Section types, registered in one table: each has a schema (config) and a builder (model). */
import { z } from 'zod';
import type { SectionContext } from '../context.js';
import type { SectionModel } from '../model.js';
import { breakdownSchema, buildBreakdown } from './breakdown.js';
import { buildCaseStudy, caseStudySchema } from './case-study.js';
import { buildDistribution, distributionSchema } from './distribution.js';
import { buildDrivers, driversSchema } from './drivers.js';
import { buildKpis, kpisSchema } from './kpis.js';
import { buildMarkdown, markdownSchema } from './markdown.js';
import { buildChart, buildCustom, chartSchema, customSchema } from './custom.js';
import { buildMetricSection, metricSectionSchema } from './metric.js';
import { buildTrend, trendSchema } from './trend.js';
import { buildVerbatims, verbatimsSchema } from './verbatims.js';
import { buildHighlights, highlightsSchema } from './highlights.js';
import { buildSummary, summarySchema } from './summary.js';

export const sectionSchemas = [kpisSchema, trendSchema, breakdownSchema, distributionSchema, verbatimsSchema, markdownSchema, caseStudySchema, metricSectionSchema, customSchema, chartSchema, driversSchema, highlightsSchema, summarySchema] as const;

const sectionUnion = z.discriminatedUnion('type', [...sectionSchemas]);
/** A configured section, typed by its type's schema. */
export type SectionDef = z.infer<typeof sectionUnion>;

const builders: { [K in SectionDef['type']]: (section: Extract<SectionDef, { type: K }>, ctx: SectionContext, templatesDir?: string) => SectionModel } = {
  kpis: buildKpis,
  trend: buildTrend,
  breakdown: buildBreakdown,
  distribution: buildDistribution,
  verbatims: buildVerbatims,
  markdown: buildMarkdown,
  'case-study': buildCaseStudy,
  metric: buildMetricSection,
  custom: buildCustom,
  chart: buildChart,
  drivers: buildDrivers,
  highlights: buildHighlights,
  summary: buildSummary,
};

/** Builds the model of one configured section. */
export function buildSection(section: SectionDef, ctx: SectionContext, templatesDir?: string): SectionModel {
  return (builders[section.type] as (s: SectionDef, c: SectionContext, t?: string) => SectionModel)(section, ctx, templatesDir);
}
