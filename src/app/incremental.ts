/**
 * What a rebuild may keep from the build before it (the preview): a metric's prepared rows while
 * its definition, what the sections need of it (the plan) and the report settings it reads are
 * unchanged and its sources are the same tables; a metric's result for a period while, on top of
 * that, its prepared rows are the ones it was computed from. A YAML edit to one section then
 * recomputes only the metrics whose needs the edit changed.
 */
import type { Config } from '../config/load.js';
import type { CxError } from '../kernel/errors.js';
import { computeMetrics, highlightsOf, prepareAll, type ComputedMetrics, type MetricResult } from '../metrics/index.js';
import { scanDimensions } from '../metrics/dimensions.js';
import type { GroupResult } from '../metrics/module.js';
import type { Prepared } from '../metrics/module.js';
import type { SourceTable } from '../sources/types.js';

export class MetricCache {
  private prepared = new Map<string, { key: string; sources: Map<string, SourceTable>; value: Prepared }>();
  private results = new Map<string, { key: string; from: Prepared; value: MetricResult; scanned: Record<string, GroupResult[]> }>();
  private dimensions?: { sources: Map<string, SourceTable>; key: string; value: Map<string, string[]> };
  /** ids prepared and computed by the last calls (not taken from the cache), for the preview's status and tests */
  lastPrepared: string[] = [];
  lastComputed: string[] = [];

  /** What a metric's preparation and result depend on in the config. */
  private key(config: Config, id: string): string {
    const { period, date_range, locale, min_sample } = config.report;
    return JSON.stringify([config.metrics[id], config.plan.metrics.get(id), config.scanDimensions?.get(id) ?? null, period, date_range, locale, min_sample, config.report.dimensions ?? null, config.lenient === true]);
  }

  /** Every metric's prepared rows, preparing only those not kept; failures are recorded in `errors` (lenient) and never kept. */
  async prepare(config: Config, sources: Map<string, SourceTable>, errors?: Map<string, CxError>): Promise<Map<string, Prepared>> {
    const ids = Object.keys(config.metrics);
    // the dimensions the highlights scan groups each metric by (detected from the sources unless
    // declared), detected again only when the sources or what detection reads have changed
    const dimsKey = JSON.stringify([config.metrics, config.report.dimensions ?? null, config.report.period.granularity, config.plan.scan]);
    if (this.dimensions?.sources !== sources || this.dimensions.key !== dimsKey) this.dimensions = { sources, key: dimsKey, value: await scanDimensions(config, sources) };
    config.scanDimensions = this.dimensions.value;
    const stale = ids.filter((id) => {
      const kept = this.prepared.get(id);
      return !kept || kept.sources !== sources || kept.key !== this.key(config, id);
    });
    const fresh = stale.length === 0 ? new Map<string, Prepared>() : await prepareAll({ ...config, metrics: Object.fromEntries(stale.map((id) => [id, config.metrics[id]])) }, sources, errors, config.scanDimensions);
    for (const id of stale) {
      const value = fresh.get(id);
      if (value) this.prepared.set(id, { key: this.key(config, id), sources, value });
      else this.prepared.delete(id);
    }
    for (const id of [...this.prepared.keys()]) if (!ids.includes(id)) this.prepared.delete(id);
    this.lastPrepared = stale;
    return new Map(ids.filter((id) => this.prepared.has(id)).map((id) => [id, this.prepared.get(id)!.value]));
  }

  /** The results for `period` of the metrics in `prepared` (all, or those a notebook cell shows), computing only those not kept (in the order of `prepared`). */
  compute(config: Config, prepared: Map<string, Prepared>, sources: Map<string, SourceTable>, period: string, errors: Map<string, CxError>, onMetric?: (id: string, index: number, total: number) => void): ComputedMetrics {
    const key = (id: string) => `${this.key(config, id)}\u0000${period}`;
    const stale = [...prepared.keys()].filter((id) => {
      const kept = this.results.get(id);
      return !kept || kept.key !== key(id) || kept.from !== prepared.get(id);
    });
    // the breakdown checks (ComputedMetrics.sectionErrors) run over the whole plan whatever is computed
    const computed = computeMetrics(config, new Map(stale.map((id) => [id, prepared.get(id)!])), sources, period, errors, onMetric);
    for (const [id, value] of computed.results) this.results.set(id, { key: key(id), from: prepared.get(id)!, value, scanned: computed.scanned?.get(id) ?? {} });
    // results of metrics not asked for this time stay (a notebook cell computes its section's metrics only)
    for (const id of [...this.results.keys()]) if (!Object.hasOwn(config.metrics, id)) this.results.delete(id);
    this.lastComputed = stale;
    const results = new Map([...prepared.keys()].filter((id) => this.results.has(id)).map((id) => [id, this.results.get(id)!.value]));
    const scanned = new Map([...results.keys()].map((id) => [id, this.results.get(id)!.scanned]));
    // the scan ranks every metric's changes together, so it runs over kept and new results alike
    return { ...computed, prepared, results, scanned, highlights: highlightsOf(config, results, scanned) };
  }
}
