/**
 * Support tickets: first response time and resolution time (median and 90th percentile, never the
 * mean), SLA attainment, reopen rate, volume and ticket CSAT, per period of ticket creation.
 *
 * Durations are in hours. The median's 95% interval is the distribution-free order-statistic
 * (binomial) interval; a change in a median is tested with Mood's median test. Shares (SLA, reopen,
 * CSAT) use the Wilson interval and the pooled two-proportion z-test. Volume is a Poisson count:
 * exact (Garwood) interval, change by the exact conditional binomial test adjusted for period length.
 */
import { localTranslator, type Vars } from '../../kernel/i18n.js';
import { historyRange, periodStart, shiftPeriod, type Granularity } from '../../kernel/period.js';
import { moodMedianTest, poissonInterval, poissonRateTest } from '../../kernel/stats-exact.js';
import type { Interval } from '../../kernel/stats.js';
import type { Change, ComputeContext, GroupResult, MetricResult, PeriodValue, Unit } from '../module.js';
import { adjustGroups, ALPHA, byReason, makeResult, proportion, proportionChange, totalExclusions } from '../result-builders.js';
import { cells, durationSummary, emptyCell, mergeCells } from './cells.js';
import { MESSAGES, type Translate } from './messages.js';
import type { TicketMeasure, TicketsDef } from './schema.js';
import type { PreparedTickets, TicketCell } from './types.js';

const shareOf = (x: number, n: number) => {
  const v = proportion('', x, n, 0);
  return { count: x, n, share: v.value, ci: v.ci };
};

interface Measured extends PeriodValue {
  se: number | null;
}

/** Whether the ticket log covers a period (from its first to its last period with valid tickets): outside it, volume is "no data", not 0. */
function covers(pt: PreparedTickets, period: string): boolean {
  const last = pt.latestPeriod();
  return pt.firstPeriod !== undefined && last !== undefined && period >= pt.firstPeriod && period <= last;
}

/** The value of one measure for one cell. */
function measureValue(measure: TicketMeasure, period: string, cell: TicketCell, minSample: number, covered = true): Measured {
  if (measure === 'volume' && !covered) return { period, value: null, n: 0, ci: null, lowSample: true, se: null };
  if (measure === 'first_response' || measure === 'resolution') {
    const s = durationSummary(measure === 'first_response' ? cell.fr : cell.res);
    return { period, value: s.median, n: s.n, ci: s.ci, lowSample: s.n < minSample, se: null };
  }
  if (measure === 'volume') {
    const x = cell.volume;
    return { period, value: x, n: x, ci: poissonInterval(x), lowSample: x < minSample, se: Math.sqrt(x) };
  }
  const [x, n] = measure === 'sla' ? [cell.slaMet, cell.slaN] : measure === 'reopen_rate' ? [cell.reopened, cell.reopenN] : [cell.csatSat, cell.csatN];
  const v = proportion(period, x, n, minSample);
  return { ...v, se: n > 0 ? 100 * Math.sqrt((x / n) * (1 - x / n) / n) : null };
}


const days = (period: string, granularity: Granularity) => (periodStart(shiftPeriod(period, 1, granularity), granularity) - periodStart(period, granularity)) / 86_400_000;

/** The change of one measure between two cells, with its test. */
function measureChange(measure: TicketMeasure, pt: PreparedTickets, previousPeriod: string, period: string, prev: TicketCell, cur: TicketCell, minSample: number): Change {
  const a = measureValue(measure, previousPeriod, prev, minSample, covers(pt, previousPeriod));
  const b = measureValue(measure, period, cur, minSample, covers(pt, period));
  const test = MESSAGES.en[`test.${measure}`];
  const previous = a.value === null ? null : { period: previousPeriod, value: a.value, n: a.n, ci: a.ci };
  if (measure === 'sla' || measure === 'reopen_rate' || measure === 'csat') {
    const pick = (c: TicketCell) => (measure === 'sla' ? { x: c.slaMet, n: c.slaN } : measure === 'reopen_rate' ? { x: c.reopened, n: c.reopenN } : { x: c.csatSat, n: c.csatN });
    return { ...proportionChange(previousPeriod, pick(prev), pick(cur), minSample), test };
  }
  if (a.value === null || b.value === null || previous === null) return { previous, delta: null, test, statistic: null, p: null, significant: false };
  const t = measure === 'volume' ? poissonRateTest(prev.volume, days(previousPeriod, pt.granularity), cur.volume, days(period, pt.granularity)) : moodMedianTest(measure === 'first_response' ? prev.fr : prev.res, measure === 'first_response' ? cur.fr : cur.res);
  return { previous, delta: b.value - a.value, test, statistic: t.z, p: t.p, significant: t.p !== null && t.p < ALPHA };
}

const UNIT: Record<TicketMeasure, Unit> = { first_response: 'duration', resolution: 'duration', sla: 'percent', reopen_rate: 'percent', volume: 'count', csat: 'percent' };

function describeTarget(target: number | Record<string, number>, t: Translate): string {
  return typeof target === 'number' ? t('target.hours', { hours: target }) : Object.entries(target).map(([priority, hours]) => t('target.priority', { priority, hours })).join(t('target.sep'));
}

function methodText(def: TicketsDef, t: Translate): string {
  const vars: Vars = { firstResponse: describeTarget(def.sla.first_response_hours, t), resolution: describeTarget(def.sla.resolution_hours, t), from: def.csat_scale - 1, to: def.csat_scale };
  return t('method', { measure: t(`method.${def.measure}`, vars) });
}

// ---------------------------------------------------------------------------------------------
// Compute
// ---------------------------------------------------------------------------------------------

const share = (s: { count: number; n: number; share: number | null; ci: Interval | null }) => ({ count: s.count, n: s.n, share: s.share, ci: s.ci });

export function computeTickets(pt: PreparedTickets, ctx: ComputeContext): MetricResult {
  const def = pt.def;
  const t = localTranslator(MESSAGES, ctx.locale ?? 'en');
  const measure = def.measure;
  const { period, previousPeriod, minSample } = ctx;
  const byPeriod = cells(pt);
  const cur = byPeriod.get(period) ?? emptyCell();
  const prev = byPeriod.get(previousPeriod) ?? emptyCell();
  const head = measureValue(measure, period, cur, minSample, covers(pt, period));
  const change = measureChange(measure, pt, previousPeriod, period, prev, cur, minSample);

  const first = pt.firstPeriod !== undefined && pt.firstPeriod <= period ? pt.firstPeriod : period;
  const series = historyRange(first, period, pt.granularity).map((p) => {
    const { se: _se, ...v } = measureValue(measure, p, byPeriod.get(p) ?? emptyCell(), minSample, covers(pt, p));
    return v;
  });

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const grouped = cells(pt, column, [previousPeriod, period]);
    const groups = [...new Set([...grouped.keys()].map((k) => k.split('\u0000')[1]))].sort();
    breakdowns[column] = adjustGroups(
      groups
        .map((group) => {
          const gc = grouped.get(`${period}\u0000${group}`) ?? emptyCell();
          const { se: _se, ...v } = measureValue(measure, period, gc, minSample, covers(pt, period));
          if (pt.granularity === 'all') {
            // one period over all data: the group against every other ticket (volume: a count, not tested)
            const rest = mergeCells(groups.filter((o) => o !== group).map((o) => grouped.get(`${period}\u0000${o}`) ?? emptyCell()));
            const ch = measure === 'volume' ? null : measureChange(measure, pt, period, period, rest, gc, minSample);
            return { group, ...v, previous: null, rest: ch?.previous ? { value: ch.previous.value, n: ch.previous.n } : null, delta: ch?.delta ?? null, p: ch?.p ?? null, pAdjusted: null as number | null, significant: false };
          }
          const gp = grouped.get(`${previousPeriod}\u0000${group}`) ?? emptyCell();
          const ch = measureChange(measure, pt, previousPeriod, period, gp, gc, minSample);
          return { group, ...v, previous: ch.previous && { period: previousPeriod, value: ch.previous.value, n: ch.previous.n }, delta: ch.delta, p: ch.p, pAdjusted: null as number | null, significant: false };
        })
        .filter((g) => g.n > 0 || (g.previous?.n ?? 0) > 0),
    );
  }

  const rowExcl = pt.exclusions.get(period) ?? {};
  const fieldIssues = pt.fieldIssues.get(period) ?? {};
  const relevant: Partial<Record<TicketMeasure, string[]>> = {
    reopen_rate: ['reopened flag not recognised', 'missing reopened flag'],
    csat: ['csat not a number', 'csat not an integer', 'csat out of range'],
    sla: ['no SLA target for priority', 'missing or invalid created time'],
    first_response: ['missing or invalid created time'],
    resolution: ['missing or invalid created time'],
  };
  const exclusions: Record<string, number> = { ...rowExcl };
  for (const reason of relevant[measure] ?? []) if (fieldIssues[reason]) exclusions[reason] = fieldIssues[reason];
  const all = totalExclusions(pt.exclusions.values());
  for (const entry of pt.fieldIssues.values()) for (const [k, v] of Object.entries(entry)) if ((relevant[measure] ?? []).includes(k)) all[k] = (all[k] ?? 0) + v;

  // Volume by channel for the current period (with the previous period for change).
  let volumeByChannel: { channel: string; count: number; share: number | null; previous: number | null; delta: number | null; p: number | null }[] | null = null;
  if (def.channel && pt.granularity === 'all') {
    // one period over all data: the count and share per channel, nothing to compare with
    const grouped = cells(pt, def.channel, [period]);
    volumeByChannel = [...grouped.entries()]
      .map(([key, cell]) => ({ channel: key.split('\u0000')[1], count: cell.volume, share: cur.volume > 0 ? (100 * cell.volume) / cur.volume : null, previous: null, delta: null, p: null }))
      .sort((a, b) => b.count - a.count || a.channel.localeCompare(b.channel));
  } else if (def.channel) {
    const grouped = cells(pt, def.channel, [previousPeriod, period]);
    const channels = [...new Set([...grouped.keys()].map((k) => k.split('\u0000')[1]))];
    const dPrev = days(previousPeriod, pt.granularity);
    const dCur = days(period, pt.granularity);
    volumeByChannel = channels
      .map((channel) => {
        const c = grouped.get(`${period}\u0000${channel}`)?.volume ?? 0;
        const p = grouped.get(`${previousPeriod}\u0000${channel}`)?.volume ?? 0;
        return { channel, count: c, share: cur.volume > 0 ? (100 * c) / cur.volume : null, previous: p, delta: c - p, p: poissonRateTest(p, dPrev, c, dCur).p };
      })
      .sort((a, b) => b.count - a.count || a.channel.localeCompare(b.channel));
  }

  const frs = durationSummary(cur.fr);
  const ress = durationSummary(cur.res);
  const volPrev = prev.volume;
  const volTest = pt.granularity === 'all' ? { z: null, p: null } : poissonRateTest(volPrev, days(previousPeriod, pt.granularity), cur.volume, days(period, pt.granularity));
  const extra = {
    measure,
    firstResponse: { ...frs, previousMedian: durationSummary(prev.fr).median, awaitingFirstResponse: cur.awaiting },
    resolution: { ...ress, previousMedian: durationSummary(prev.res).median, open: cur.open },
    sla: {
      firstResponseHours: def.sla.first_response_hours,
      resolutionHours: def.sla.resolution_hours,
      overall: share(shareOf(cur.slaMet, cur.slaN)),
      firstResponse: share(shareOf(cur.frMet, cur.frN)),
      resolution: share(shareOf(cur.resMet, cur.resN)),
    },
    reopenRate: def.reopened ? share(shareOf(cur.reopened, cur.reopenN)) : null,
    csat: def.csat ? { ...share(shareOf(cur.csatSat, cur.csatN)), scale: def.csat_scale } : null,
    volume: covers(pt, period)
      ? { count: cur.volume, ci: poissonInterval(cur.volume), previous: covers(pt, previousPeriod) ? volPrev : null, delta: covers(pt, previousPeriod) ? cur.volume - volPrev : null, z: covers(pt, previousPeriod) ? volTest.z : null, p: covers(pt, previousPeriod) ? volTest.p : null }
      : { count: null, ci: null, previous: null, delta: null, z: null, p: null },
    open: cur.open,
    volumeByChannel,
    fieldIssues: Object.fromEntries(Object.entries(fieldIssues).sort(([a], [b]) => a.localeCompare(b))),
  };

  const label = def.label ?? t(`label.${measure}`);
  return makeResult({
    id: pt.id,
    type: 'tickets',
    label,
    title: t(`title.${measure}`),
    unit: UNIT[measure],
    higherIsBetter: measure === 'sla' || measure === 'csat',
    ...head,
    minSample,
    target: def.target ?? null,
    domain: UNIT[measure] === 'percent' ? [0, 100] : null,
    ...change,
    test: t(`test.${measure}`),
    excluded: Object.values(exclusions).reduce((a, b) => a + b, 0),
    exclusions: byReason(exclusions),
    excludedAllPeriods: byReason(all),
    series,
    breakdowns,
    method: methodText(def, t),
    extra,
  });
}
