/**
 * Generates the rest of Acme Cloud's synthetic company data, consistent with the survey in
 * examples/acme/data/responses.csv (which generate.ts writes; this script only reads it):
 *
 *   customers.csv  sign-ups and cancellations, 2023-01..2026-10
 *   mrr.csv        monthly MRR snapshots, 2025-01..2026-10
 *   orders.csv     add-on / marketplace purchases, 2024-01..2026-10
 *   tickets.csv    support tickets, 2025-05..2026-10
 *   reviews.csv    public reviews (G2, Capterra, App Store), 2025-05..2026-10
 *   health.csv     account-health signals at the ends of 2026-08, 2026-09 and 2026-10
 *
 *   npx tsx examples/acme/generate-accounts.ts
 *
 * The data carries planted, explainable structure (README.md, one section per file): a churn
 * spike after the 2026-02 price increase, lower early churn for EMEA accounts that joined after
 * the 2026-05 onboarding programme, Starter churning about twice as often as Enterprise, NRR a
 * little above 100% with GRR around 90%, BG/NBD-style purchasing, a support backlog in 2026-08,
 * an Acme Mobile release that hurt its ratings from 2026-07-15, and ~150 at-risk accounts whose
 * health signals worsen from 2026-08 to 2026-10.
 *
 * Consistency with the survey: every customer who answered it keeps its id, region and plan, and
 * is active (signup_date <= day < cancel_date) on every day they answered. "Active on day d"
 * means exactly that everywhere in this script.
 *
 * Determinism: each output file draws from its own sfc32 stream with a fixed seed, nothing
 * reads the clock or Math.random, so two runs are byte-identical. Because the streams are
 * separate, changing e.g. the reviews generator leaves customers.csv untouched; changing the
 * account simulation changes everything downstream of it. After any change, re-check the summary
 * this script prints and update README.md.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { Rng } from './rng.js';

// =============================================================================================
// Shared helpers: PRNG, calendar, CSV
// =============================================================================================

/** Base seed; each output file gets its own stream derived from it (see `stream`). */
const SEED = 0xacc0_2026;


/** One independent stream per output file, so the files do not shift each other's draws. */
function stream(k: number): Rng {
  return new Rng((SEED ^ Math.imul(k, 0x9e3779b1)) >>> 0);
}

// --- Calendar: whole UTC days since 1970-01-01 ("day"), months indexed from 2023-01 ("mi") ----

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** Month index 0 = 2023-01, the first sign-up month; 45 = 2026-10, the report period. */
const LAST_MI = 45;
const monthStartDay = (mi: number): number => Date.UTC(2023, mi, 1) / DAY_MS;
const monthEndDay = (mi: number): number => monthStartDay(mi + 1) - 1; // last day of the month
const monthKey = (mi: number): string => {
  const d = new Date(monthStartDay(mi) * DAY_MS);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};
const miOfKey = (key: string): number => (Number(key.slice(0, 4)) - 2023) * 12 + Number(key.slice(5, 7)) - 1;
const miOfDay = (day: number): number => {
  const d = new Date(day * DAY_MS);
  return (d.getUTCFullYear() - 2023) * 12 + d.getUTCMonth();
};
const dayOfIso = (iso: string): number => Math.floor(Date.parse(iso) / DAY_MS);
const isoDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Data is "extracted" at this instant: anything later (a response, a resolution) has not happened. */
const EXTRACT_DAY = monthStartDay(LAST_MI + 1); // 2026-11-01
const EXTRACT_MS = EXTRACT_DAY * DAY_MS;

/** Active on day d: signed up on or before d and not yet cancelled (cancel_date is the first inactive day). */
function activeOn(a: { signupDay: number; cancelDay: number | null }, day: number): boolean {
  return a.signupDay <= day && (a.cancelDay === null || day < a.cancelDay);
}

// --- CSV ------------------------------------------------------------------------------------

/** RFC 4180: quote a field containing a comma, quote, CR or LF, doubling embedded quotes. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

interface Written {
  name: string;
  path: string;
  text: string;
  rows: number;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA_DIR = join(HERE, 'data');

/** Writes header + rows with LF line endings and a trailing newline. */
function writeCsv(name: string, header: readonly string[], rows: readonly (readonly string[])[]): Written {
  const lines = [header.join(',')];
  for (const r of rows) lines.push(r.map(csvField).join(','));
  const text = lines.join('\n') + '\n';
  const path = join(DATA_DIR, name);
  mkdirSync(DATA_DIR, { recursive: true });
  writeFileSync(path, text, 'utf8');
  return { name, path, text, rows: rows.length };
}

/** Parses one of our own CSV files back into records, for the summary (it checks what was written). */
function readBack(w: Written): Record<string, string>[] {
  return parse(w.text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

const money = (cents: number): string => (cents / 100).toFixed(2);
const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;

// =============================================================================================
// Dimensions
// =============================================================================================

type Region = 'North America' | 'EMEA' | 'APAC' | 'LATAM';
type Plan = 'Starter' | 'Pro' | 'Enterprise';
type Acquisition = 'organic' | 'paid' | 'partner' | 'sales';

const PLANS: readonly Plan[] = ['Starter', 'Pro', 'Enterprise'];

/** Typical UTC offset per region, so ticket times cluster in each region's working day. */
const REGION_UTC_OFFSET_H: Record<Region, number> = { 'North America': -6, EMEA: 1, APAC: 8, LATAM: -3 };

// =============================================================================================
// Survey input
// =============================================================================================

interface SurveyCustomer {
  id: string;
  region: Region;
  plan: Plan;
  firstDay: number;
  lastDay: number;
  /** Valid NPS answers (0–10) in time order, for health.csv's last_nps. */
  nps: { ms: number; score: number }[];
}

/** Reads responses.csv (quoted multi-line comments included) into one record per customer. */
function readSurvey(): SurveyCustomer[] {
  const text = readFileSync(join(DATA_DIR, 'responses.csv'), 'utf8');
  const rows = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const byId = new Map<string, SurveyCustomer>();
  for (const r of rows) {
    const ms = Date.parse(r.submitted_at!);
    const day = Math.floor(ms / DAY_MS);
    let c = byId.get(r.customer_id!);
    if (!c) {
      c = { id: r.customer_id!, region: r.region as Region, plan: r.plan as Plan, firstDay: day, lastDay: day, nps: [] };
      byId.set(c.id, c);
    }
    c.firstDay = Math.min(c.firstDay, day);
    c.lastDay = Math.max(c.lastDay, day);
    // Out-of-range and empty scores are not answers; health.csv skips them like a report would.
    const score = r.nps_score === '' ? NaN : Number(r.nps_score);
    if (Number.isInteger(score) && score >= 0 && score <= 10) c.nps.push({ ms, score });
  }
  for (const c of byId.values()) c.nps.sort((a, b) => a.ms - b.ms);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

// =============================================================================================
// Account simulation (the shared core behind customers.csv, mrr.csv and everything after)
// =============================================================================================
//
// A customer population is simulated month by month with a real hazard model, then every
// survey customer is matched to a simulated account of the same region and plan whose life
// covers all its answers. The survey customers no simulated account fits (about one in eight)
// are simulated on their own, with cancellation only possible after their last answer. This
// keeps the planted churn effects those of a genuine process, while honouring the survey.

/** New sign-ups a month at 2023-01 and the growth factor to 2026-10 (the company grows ~2.6x). */
const SIGNUPS_FIRST_MONTH = 92;
const SIGNUP_GROWTH = 2.6;
/** Plan mix at sign-up. More Starter than among survey answerers, because Starter churns more. */
const SIGNUP_PLAN: Record<Plan, number> = { Starter: 0.56, Pro: 0.31, Enterprise: 0.13 };
/** Region mix: that of the survey's customers. */
const SIGNUP_REGION: Record<Region, number> = { 'North America': 0.415, EMEA: 0.268, APAC: 0.234, LATAM: 0.083 };
const ACQUISITION: Record<Plan, Record<Acquisition, number>> = {
  Starter: { organic: 0.52, paid: 0.38, partner: 0.08, sales: 0.02 },
  Pro: { organic: 0.36, paid: 0.27, partner: 0.2, sales: 0.17 },
  Enterprise: { organic: 0.05, paid: 0.05, partner: 0.3, sales: 0.6 },
};

// --- Churn hazard (probability of cancelling in a whole month of exposure) -------------------

const BASE_HAZARD = 0.0155;
/** Starter churns about twice as often as Enterprise. */
const PLAN_HAZARD: Record<Plan, number> = { Starter: 1.05, Pro: 0.95, Enterprise: 0.55 };
/** The first six months are riskier everywhere; EMEA's old onboarding made them much riskier. */
const EARLY_MONTHS = 6;
const EARLY_HAZARD = 2.2;
const EMEA_EARLY_HAZARD_BEFORE = 3.0;
/** EMEA accounts signing up from this day get the new onboarding programme. */
const ONBOARDING_PROGRAMME_DAY = Date.UTC(2026, 4, 1) / DAY_MS;
const EMEA_EARLY_HAZARD_PROGRAMME = 0.8;
/** List prices of Starter and Pro rose 10% on 2026-02-01; cancellations spiked that month. */
const PRICE_INCREASE_MI = miOfKey('2026-02');
const PRICE_INCREASE = 1.1;
const PRICE_SPIKE_HAZARD = 2.7;
/**
 * Within a plan, smaller accounts churn more: hazard x (seats / median seats)^exponent. Steepest
 * for Enterprise, where the few large accounts hold most of the revenue, so MRR-weighted churn
 * (GRR) stays far below logo churn.
 */
const SIZE_HAZARD_EXPONENT: Record<Plan, number> = { Starter: -0.6, Pro: -1.0, Enterprise: -2.2 };

// --- Seats and prices ---------------------------------------------------------------------------

const SEATS: Record<Plan, { min: number; max: number; median: number }> = {
  Starter: { min: 1, max: 5, median: 2 },
  Pro: { min: 10, max: 30, median: 15 },
  Enterprise: { min: 60, max: 300, median: 110 },
};

/** List MRR in cents for a plan and seat count, before the account's discount. */
function listPriceCents(plan: Plan, seats: number, mi: number): number {
  const uplift = plan !== 'Enterprise' && mi >= PRICE_INCREASE_MI ? PRICE_INCREASE : 1;
  if (plan === 'Starter') return (4900 + 2500 * (seats - 1)) * uplift; // $49 .. $149
  if (plan === 'Pro') return 3000 * seats * uplift; // $300 .. $900
  return 4000 * seats; // $2,400 .. $12,000 list; negotiated discounts bring it to ~$2,000+
}

function initialSeats(rng: Rng, plan: Plan): number {
  const s = SEATS[plan];
  const raw = plan === 'Starter' ? 1 + Math.floor(rng.exponential(0.9)) : rng.logNormal(s.median, plan === 'Pro' ? 0.3 : 0.65);
  return Math.max(s.min, Math.min(s.max, Math.round(raw)));
}

/**
 * Monthly chance of seat growth / seat cuts and of plan changes. Pro expands twice as often in
 * 2026 (team workspaces launched in January) and upgrades to Enterprise twice as often.
 */
function expansionRate(plan: Plan, mi: number): number {
  if (plan === 'Starter') return 0.025;
  if (plan === 'Pro') return mi >= miOfKey('2026-01') ? 0.07 : 0.035;
  return 0.055;
}
const CONTRACTION_RATE: Record<Plan, number> = { Starter: 0.01, Pro: 0.012, Enterprise: 0.008 };
const upgradeRate = (plan: Plan, mi: number): number =>
  plan === 'Starter' ? 0.006 : plan === 'Pro' ? (mi >= miOfKey('2026-01') ? 0.006 : 0.003) : 0;
const DOWNGRADE_RATE: Record<Plan, number> = { Starter: 0, Pro: 0.0025, Enterprise: 0.001 };

interface Account {
  id: string;
  region: Region;
  /** Current plan (at cancellation, if cancelled): the plan column of customers.csv. */
  plan: Plan;
  acquisition: Acquisition;
  signupDay: number;
  /** First day no longer a customer; null while active. */
  cancelDay: number | null;
  /** Per month index: plan, seats and MRR (cents) at the month end, null when not active then. */
  plans: (Plan | null)[];
  seats: (number | null)[];
  mrr: (number | null)[];
  /** Day of the last plan change (the signup day if none): survey answers must come after it. */
  lastPlanChangeDay: number;
  survey: SurveyCustomer | null;
  /** Planted at-risk account (health.csv). */
  atRisk: boolean;
  /** Price factor: annual prepay (Starter/Pro) or negotiated (Enterprise) discount. */
  discount: number;
}

interface SimOptions {
  /** Cancellation impossible up to and including this day (a survey customer's last answer). */
  protectUntilDay?: number;
  /** No plan changes (a survey customer keeps the plan it answered with). */
  freezePlan?: boolean;
}

function hazard(a: Account, plan: Plan, seats: number, mi: number): number {
  const tenure = mi - miOfDay(a.signupDay);
  let early = 1;
  if (tenure < EARLY_MONTHS) {
    if (a.region !== 'EMEA') early = EARLY_HAZARD;
    else early = a.signupDay >= ONBOARDING_PROGRAMME_DAY ? EMEA_EARLY_HAZARD_PROGRAMME : EMEA_EARLY_HAZARD_BEFORE;
  }
  const size = Math.min(3, Math.max(0.25, (seats / SEATS[plan].median) ** SIZE_HAZARD_EXPONENT[plan]));
  const spike = mi === PRICE_INCREASE_MI && plan !== 'Enterprise' ? PRICE_SPIKE_HAZARD : 1;
  return BASE_HAZARD * PLAN_HAZARD[plan] * size * early * spike;
}

/** Simulates one account from its sign-up day to its cancellation or 2026-10-31. */
function simulateAccount(rng: Rng, signupDay: number, region: Region, plan0: Plan, opts: SimOptions = {}): Account {
  const acquisition = rng.weighted(ACQUISITION[plan0]);
  // Starter/Pro: a quarter prepay annually at 15% off; Enterprise: negotiated 0–20% off.
  const discount = plan0 === 'Enterprise' ? rng.uniform(0.8, 1) : rng.chance(0.25) ? 0.85 : 1;
  const a: Account = {
    id: '',
    region,
    plan: plan0,
    acquisition,
    signupDay,
    cancelDay: null,
    plans: new Array<Plan | null>(LAST_MI + 1).fill(null),
    seats: new Array<number | null>(LAST_MI + 1).fill(null),
    mrr: new Array<number | null>(LAST_MI + 1).fill(null),
    lastPlanChangeDay: signupDay,
    survey: null,
    atRisk: false,
    discount,
  };
  let plan = plan0;
  let seats = initialSeats(rng, plan);
  const firstMi = miOfDay(signupDay);
  for (let mi = firstMi; mi <= LAST_MI; mi++) {
    const ms = monthStartDay(mi);
    if (mi > firstMi) {
      // Changes take effect on the 1st: the month-end snapshot shows the new MRR.
      const lim = SEATS[plan];
      const r = rng.next();
      const up = opts.freezePlan ? 0 : upgradeRate(plan, mi);
      const down = opts.freezePlan ? 0 : DOWNGRADE_RATE[plan];
      if (r < up) {
        plan = plan === 'Starter' ? 'Pro' : 'Enterprise';
        seats = plan === 'Pro' ? rng.int(10, 14) : rng.int(60, 80);
        a.lastPlanChangeDay = ms;
      } else if (r < up + down) {
        plan = plan === 'Enterprise' ? 'Pro' : 'Starter';
        seats = plan === 'Pro' ? rng.int(24, 30) : rng.int(3, 5);
        a.lastPlanChangeDay = ms;
      } else if (r < up + down + expansionRate(plan, mi)) {
        const add = plan === 'Starter' ? 1 : plan === 'Pro' ? rng.int(1, 5) : Math.round(seats * rng.uniform(0.08, 0.3));
        seats = Math.min(lim.max, seats + add);
      } else if (r < up + down + expansionRate(plan, mi) + CONTRACTION_RATE[plan]) {
        const cut = plan === 'Starter' ? 1 : plan === 'Pro' ? rng.int(1, 4) : Math.round(seats * rng.uniform(0.05, 0.2));
        seats = Math.max(lim.min, seats - cut);
      }
    }
    // Exposure this month: from the day after sign-up (or after the protected period) to month end.
    let from = Math.max(signupDay + 1, ms);
    if (opts.protectUntilDay !== undefined) from = Math.max(from, opts.protectUntilDay + 1);
    const to = monthStartDay(mi + 1);
    if (from < to) {
      const exposure = (to - from) / (to - ms);
      if (rng.chance(hazard(a, plan, seats, mi) * exposure)) {
        a.cancelDay = rng.int(from, to - 1);
        break;
      }
    }
    a.plans[mi] = plan;
    a.seats[mi] = seats;
    a.mrr[mi] = Math.round(listPriceCents(plan, seats, mi) * discount);
  }
  a.plan = plan;
  return a;
}

/** Sign-ups per month: steady growth with mild seasonality (quiet Decembers) and noise. */
function signupsIn(rng: Rng, mi: number): number {
  const growth = SIGNUPS_FIRST_MONTH * Math.pow(SIGNUP_GROWTH, mi / LAST_MI);
  const month = mi % 12;
  const season = 1 + 0.06 * Math.cos((2 * Math.PI * (month - 2)) / 12) - (month === 11 ? 0.12 : 0);
  return Math.round(growth * season * (1 + rng.normal(0, 0.05)));
}

/** Draws a sign-up day before `beforeDay` with the population's growing sign-up density. */
function signupDayBefore(rng: Rng, beforeDay: number): number {
  const lo = monthStartDay(0);
  const k = Math.log(SIGNUP_GROWTH) / (LAST_MI * 30.44); // growth rate per day
  const span = beforeDay - lo;
  // Inverse CDF of an exponential density on [0, span).
  const u = rng.next();
  const x = Math.log(1 + u * (Math.exp(k * span) - 1)) / k;
  return lo + Math.min(span - 1, Math.floor(x));
}

interface Population {
  accounts: Account[];
  matched: number;
  simulatedForSurvey: number;
}

function simulateAccounts(survey: SurveyCustomer[]): Population {
  const rng = stream(1);
  const pool: Account[] = [];
  for (let mi = 0; mi <= LAST_MI; mi++) {
    const n = signupsIn(rng, mi);
    const days: number[] = [];
    for (let i = 0; i < n; i++) days.push(rng.int(monthStartDay(mi), monthEndDay(mi)));
    days.sort((x, y) => x - y);
    for (const day of days) pool.push(simulateAccount(rng, day, rng.weighted(SIGNUP_REGION), rng.weighted(SIGNUP_PLAN)));
  }

  // Match survey customers (earliest first answer first) to the tightest fitting pool account:
  // the one cancelling soonest after the last answer, which leaves long-lived accounts for the
  // customers that need them.
  const cells = new Map<string, Account[]>();
  for (const a of pool) {
    const key = `${a.region}|${a.plan}`;
    if (!cells.has(key)) cells.set(key, []);
    cells.get(key)!.push(a); // in sign-up order
  }
  const used = new Set<Account>();
  const ordered = [...survey].sort((x, y) => x.firstDay - y.firstDay || (x.id < y.id ? -1 : 1));
  const extra: Account[] = [];
  let matched = 0;
  for (const c of ordered) {
    let best: Account | null = null;
    for (const a of cells.get(`${c.region}|${c.plan}`) ?? []) {
      if (a.signupDay >= c.firstDay) break;
      if (used.has(a) || a.lastPlanChangeDay >= c.firstDay) continue;
      const end = a.cancelDay ?? Infinity;
      if (end <= c.lastDay) continue;
      if (!best || end < (best.cancelDay ?? Infinity)) best = a;
    }
    if (best) {
      used.add(best);
      best.survey = c;
      matched++;
    } else {
      const a = simulateAccount(rng, signupDayBefore(rng, c.firstDay), c.region, c.plan, { protectUntilDay: c.lastDay, freezePlan: true });
      a.survey = c;
      extra.push(a);
    }
  }
  const accounts = [...pool, ...extra];

  // Ids: survey customers keep theirs; the others take the unused C-numbers, in sign-up order.
  const taken = new Set(survey.map((c) => c.id));
  let next = 1;
  const freeId = (): string => {
    for (;;) {
      const id = `C${String(next++).padStart(5, '0')}`;
      if (!taken.has(id)) return id;
    }
  };
  const bySignup = [...accounts].sort((x, y) => x.signupDay - y.signupDay);
  for (const a of bySignup) a.id = a.survey ? a.survey.id : freeId();
  accounts.sort((x, y) => (x.id < y.id ? -1 : 1));
  return { accounts, matched, simulatedForSurvey: extra.length };
}

// =============================================================================================
// At-risk accounts (planted here because tickets.csv, mrr.csv and health.csv all show them)
// =============================================================================================

const HEALTH_MONTHS = ['2026-08', '2026-09', '2026-10'].map(miOfKey);
/** Of the ~150 at-risk accounts, this many are taken from the accounts that cancel in 2026-09/10. */
const AT_RISK_CANCELLING = 50;
const AT_RISK_STAYING = 100;

/** Last valid NPS the customer gave in the survey before `endMs`, or null if none. */
function lastNpsBy(a: Account, endMs: number): number | null {
  let last: number | null = null;
  for (const r of a.survey?.nps ?? []) if (r.ms < endMs) last = r.score;
  return last;
}

/**
 * Picks the at-risk group among accounts active at the end of 2026-08: some of the accounts that
 * do cancel in 2026-09/10, and more that are still customers at the end of 2026-10. Detractors and
 * silent accounts are likelier picks, so the group looks like what a CS team would flag. Those
 * still active cut seats in 2026-09/10 (contraction before churn).
 */
function plantAtRisk(accounts: Account[]): Account[] {
  const rng = stream(2);
  const augEnd = monthEndDay(HEALTH_MONTHS[0]!);
  const weight = (a: Account): number => {
    const nps = lastNpsBy(a, (augEnd + 1) * DAY_MS);
    const w = nps === null ? 2 : nps <= 6 ? 3 : nps <= 8 ? 1 : 0.3;
    return w * (a.plan === 'Enterprise' ? 0.5 : 1);
  };
  const sample = (pool: Account[], n: number): Account[] => {
    const out: Account[] = [];
    const rest = [...pool];
    while (out.length < n && rest.length > 0) {
      const total = rest.reduce((s, a) => s + weight(a), 0);
      let r = rng.next() * total;
      let i = 0;
      while (i < rest.length - 1 && (r -= weight(rest[i]!)) >= 0) i++;
      out.push(rest.splice(i, 1)[0]!);
    }
    return out;
  };
  const activeAug = accounts.filter((a) => activeOn(a, augEnd));
  const cancelling = activeAug.filter((a) => a.cancelDay !== null);
  const staying = activeAug.filter((a) => a.cancelDay === null);
  const group = [...sample(cancelling, AT_RISK_CANCELLING), ...sample(staying, AT_RISK_STAYING)];
  for (const a of group) {
    a.atRisk = true;
    if (a.cancelDay !== null || !rng.chance(0.4)) continue;
    // Seat cuts from 2026-09 or 2026-10 on, if the plan has seats to cut.
    const firstCut = rng.chance(0.5) ? HEALTH_MONTHS[1]! : HEALTH_MONTHS[2]!;
    const keep = rng.uniform(0.6, 0.8);
    for (let mi = firstCut; mi <= LAST_MI; mi++) {
      const plan = a.plans[mi]!;
      const seats = Math.max(SEATS[plan].min, Math.round(a.seats[mi]! * keep));
      a.seats[mi] = seats;
      a.mrr[mi] = Math.round(listPriceCents(plan, seats, mi) * a.discount);
    }
  }
  return group.sort((x, y) => (x.id < y.id ? -1 : 1));
}

// =============================================================================================
// customers.csv
// =============================================================================================

function writeCustomers(accounts: readonly Account[]): Written {
  const rows = accounts.map((a) => [
    a.id,
    isoDate(a.signupDay),
    a.cancelDay === null ? '' : isoDate(a.cancelDay),
    a.plan,
    a.region,
    a.acquisition,
  ]);
  return writeCsv('customers.csv', ['customer_id', 'signup_date', 'cancel_date', 'plan', 'region', 'acquisition_channel'], rows);
}

// =============================================================================================
// mrr.csv
// =============================================================================================

/** First MRR month written. Earlier months were simulated (sizes drive churn) but not written. */
const MRR_FIRST_MI = miOfKey('2025-01');

function writeMrr(accounts: readonly Account[]): Written {
  const rows: string[][] = [];
  for (let mi = MRR_FIRST_MI; mi <= LAST_MI; mi++) {
    for (const a of accounts) {
      const v = a.mrr[mi];
      if (v !== null && v !== undefined) rows.push([a.id, monthKey(mi), money(v)]);
    }
  }
  return writeCsv('mrr.csv', ['customer_id', 'month', 'mrr'], rows);
}

// =============================================================================================
// orders.csv — add-on / marketplace purchases (BG/NBD + Gamma-Gamma by construction)
// =============================================================================================
//
// Each customer gets a purchase rate λ ~ Gamma(r, scale) and, after every purchase, drops out of
// purchasing with probability p ~ Beta(a, b): the BG/NBD story. Its order values are Gamma(P, ν)
// with a per-customer ν ~ Gamma(Q, γ) independent of λ: the Gamma-Gamma story. Enterprise buys
// more often and drops out less, so repeat purchasing is more common there. Orders only happen
// while the customer is active.

const ORDERS_FIRST_DAY = Date.UTC(2024, 0, 1) / DAY_MS;

const PURCHASING: Record<Plan, { r: number; scale: number; a: number; b: number; spend: number }> = {
  // r, scale: Gamma shape and scale of orders per month; a, b: Beta of the dropout probability;
  // spend: mean order value in USD.
  Starter: { r: 0.6, scale: 0.5, a: 1.2, b: 3.5, spend: 38 },
  Pro: { r: 0.8, scale: 0.7, a: 1.0, b: 5, spend: 120 },
  Enterprise: { r: 1.1, scale: 1.1, a: 0.7, b: 8, spend: 480 },
};
/** Gamma-Gamma shapes: P for order values around a customer's mean, Q across customers. */
const SPEND_P = 3.5;
const SPEND_Q = 4;

function writeOrders(accounts: readonly Account[]): Written {
  const rng = stream(3);
  const orders: { day: number; id: string; cents: number }[] = [];
  for (const a of accounts) {
    const k = PURCHASING[a.plan];
    const perDay = rng.gamma(k.r, k.scale) / 30.44;
    const dropout = rng.beta(k.a, k.b);
    // ν ~ Gamma(Q, rate γ) with γ chosen so the mean order value is `spend`; orders ~ Gamma(P, rate ν).
    const gamma = (k.spend * (SPEND_Q - 1)) / SPEND_P;
    const nu = rng.gamma(SPEND_Q, 1 / gamma);
    const start = Math.max(a.signupDay, ORDERS_FIRST_DAY);
    const end = Math.min(a.cancelDay ?? EXTRACT_DAY, EXTRACT_DAY);
    let t = start + rng.exponential(perDay);
    while (t < end) {
      const cents = Math.max(500, Math.round(100 * rng.gamma(SPEND_P, 1 / nu)));
      orders.push({ day: Math.floor(t), id: a.id, cents });
      if (rng.chance(dropout)) break; // the customer stops buying add-ons (BG/NBD dropout)
      t += rng.exponential(perDay);
    }
  }
  orders.sort((x, y) => x.day - y.day || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const rows = orders.map((o, i) => [`O${String(i + 1).padStart(6, '0')}`, o.id, isoDate(o.day), money(o.cents)]);
  return writeCsv('orders.csv', ['order_id', 'customer_id', 'order_date', 'amount'], rows);
}

// =============================================================================================
// tickets.csv — support tickets
// =============================================================================================

type TicketChannel = 'email' | 'chat' | 'phone';
type Priority = 'low' | 'normal' | 'high' | 'urgent';

const TICKETS_FIRST_DAY = Date.UTC(2025, 4, 1) / DAY_MS;
/** Mean tickets per active month by plan (a Gamma spread around it per customer). */
const TICKET_RATE: Record<Plan, number> = { Starter: 0.085, Pro: 0.17, Enterprise: 0.42 };
const TICKET_CHANNEL: Record<Plan, Record<TicketChannel, number>> = {
  Starter: { email: 0.55, chat: 0.36, phone: 0.09 },
  Pro: { email: 0.5, chat: 0.33, phone: 0.17 },
  Enterprise: { email: 0.45, chat: 0.25, phone: 0.3 },
};
const TICKET_PRIORITY: Record<Plan, Record<Priority, number>> = {
  Starter: { low: 0.25, normal: 0.53, high: 0.17, urgent: 0.05 },
  Pro: { low: 0.22, normal: 0.52, high: 0.19, urgent: 0.07 },
  Enterprise: { low: 0.15, normal: 0.5, high: 0.25, urgent: 0.1 },
};
/** Median first-response time (minutes): chat is live, phone means a call-back, email a queue. */
const FIRST_RESPONSE_MIN: Record<TicketChannel, number> = { chat: 3, phone: 35, email: 150 };
const PRIORITY_SPEED: Record<Priority, number> = { urgent: 0.35, high: 0.6, normal: 1, low: 1.8 };
/** First-response targets used for the SLA figures in README.md (hours). */
const SLA_HOURS: Record<Priority, number> = { urgent: 1, high: 4, normal: 8, low: 24 };
/** 2026-08: two agents left and a ticket-routing change misfired; first responses were ~4x slower. */
const BACKLOG_MONTH = '2026-08';
const BACKLOG_SLOWDOWN = 4;
/** Median hours from creation to resolution. */
const RESOLUTION_H: Record<Priority, number> = { urgent: 4, high: 10, normal: 24, low: 48 };
const CHANNEL_RESOLUTION: Record<TicketChannel, number> = { chat: 0.5, phone: 0.8, email: 1 };
/** Tickets waiting on engineering or on the customer take this many times longer. */
const WAITING_SHARE = 0.22;
const WAITING_FACTOR = 20;
const MAX_RESOLUTION_DAYS = 90;

/** Relative ticket rate by local weekday (0 = Sunday) and local hour: people write in working hours. */
const WEEKDAY_RATE = [0.25, 1, 1, 1, 0.95, 0.85, 0.3];
const HOUR_RATE = [
  0.04, 0.03, 0.02, 0.02, 0.03, 0.06, 0.15, 0.4, 0.8, 1, 1, 0.95, 0.8, 0.9, 1, 0.95, 0.85, 0.7, 0.45, 0.35, 0.3,
  0.25, 0.15, 0.08,
];
const MEAN_ACCEPT = (WEEKDAY_RATE.reduce((s, v) => s + v, 0) / 7) * (HOUR_RATE.reduce((s, v) => s + v, 0) / 24);

interface Ticket {
  account: Account;
  channel: TicketChannel;
  priority: Priority;
  createdMs: number;
  /** True times; null when it had not happened by the extraction (2026-11-01T00:00:00Z). */
  firstMs: number | null;
  resolvedMs: number | null;
  reopened: boolean;
  csat: number | null;
}

/** A ticket as written: the cells, after the planted data-quality problems. */
interface TicketCells {
  created: string;
  first: string;
  resolved: string;
}

/** Planted data-quality problems, by index into the sorted tickets (see README.md). */
interface TicketDefects {
  resolvedBeforeCreated: number[];
  unparseable: { index: number; column: keyof TicketCells; value: string }[];
}

function makeTicket(rng: Rng, a: Account, createdMs: number, stuck: boolean): Ticket {
  const plan = a.plan;
  const channel = stuck ? 'email' : rng.weighted(TICKET_CHANNEL[plan]);
  const priority = stuck ? (rng.chance(0.5) ? 'high' : 'normal') : rng.weighted(TICKET_PRIORITY[plan]);
  const backlog = isoSeconds(createdMs).startsWith(BACKLOG_MONTH) ? BACKLOG_SLOWDOWN : 1;
  const firstMin = Math.max(0.5, rng.logNormal(FIRST_RESPONSE_MIN[channel] * PRIORITY_SPEED[priority] * backlog, channel === 'chat' ? 0.8 : 1));
  let firstMs = createdMs + Math.round(firstMin * 60) * 1000;
  // The email queue is not worked at weekends: a reply due then goes out on Monday morning.
  const wd = new Date(firstMs).getUTCDay();
  if (channel === 'email' && (wd === 0 || wd === 6)) {
    const monday = (Math.floor(firstMs / DAY_MS) + (wd === 6 ? 2 : 1)) * DAY_MS;
    firstMs = monday + rng.int(7 * 3600, 10 * 3600) * 1000;
  }
  // Resolution: log-normal, with a tail of tickets waiting on engineering; at-risk accounts'
  // escalations ("stuck") drag on for weeks.
  let resH = rng.logNormal(RESOLUTION_H[priority] * CHANNEL_RESOLUTION[channel] * (backlog > 1 ? 1.5 : 1), 1);
  if (rng.chance(WAITING_SHARE)) resH *= WAITING_FACTOR;
  resH = Math.min(resH, MAX_RESOLUTION_DAYS * 24); // auto-closed after 90 days
  if (stuck) resH = rng.uniform(20, 60) * 24;
  const resolvedMs = Math.max(firstMs + 5 * MINUTE_MS, createdMs + Math.round(resH * 3600) * 1000);
  const done = resolvedMs < EXTRACT_MS;
  // Quick closes get reopened more often (premature "fixed"); slow ones rarely.
  const reopened = done && rng.chance(resH < 2 ? 0.13 : 0.05);
  let csat: number | null = null;
  if (done && rng.chance(0.6)) {
    const breached = firstMin > SLA_HOURS[priority] * 60;
    const x = 4.55 - 0.35 * Math.log2(1 + resH / 8) - (reopened ? 1 : 0) - (breached ? 0.4 : 0) + rng.normal(0, 0.8);
    csat = Math.min(5, Math.max(1, Math.round(x)));
  }
  return {
    account: a,
    channel,
    priority,
    createdMs,
    firstMs: firstMs < EXTRACT_MS ? firstMs : null,
    resolvedMs: done ? resolvedMs : null,
    reopened,
    csat,
  };
}

/** Tickets a customer raises while active: a Poisson process thinned by working hours. */
function generateTickets(accounts: readonly Account[]): Ticket[] {
  const rng = stream(4);
  const tickets: Ticket[] = [];
  for (const a of accounts) {
    const rate = rng.gamma(1.5, TICKET_RATE[a.plan] / 1.5) / 30.44; // per day
    const offsetMs = REGION_UTC_OFFSET_H[a.region] * HOUR_MS;
    const startMs = Math.max(a.signupDay, TICKETS_FIRST_DAY) * DAY_MS;
    const endMs = Math.min(a.cancelDay ?? EXTRACT_DAY, EXTRACT_DAY) * DAY_MS;
    let t = startMs + rng.exponential(rate / MEAN_ACCEPT) * DAY_MS;
    while (t < endMs) {
      const ms = Math.floor(t / 1000) * 1000;
      const local = new Date(ms + offsetMs);
      if (rng.chance(WEEKDAY_RATE[local.getUTCDay()]! * HOUR_RATE[local.getUTCHours()]!)) tickets.push(makeTicket(rng, a, ms, false));
      t += rng.exponential(rate / MEAN_ACCEPT) * DAY_MS;
    }
    // At-risk accounts escalate from 2026-08 on, and those escalations stay open for weeks.
    if (a.atRisk) {
      for (const [mi, p, most] of [[HEALTH_MONTHS[0]!, 0.35, 1], [HEALTH_MONTHS[1]!, 0.75, 2], [HEALTH_MONTHS[2]!, 0.85, 3]] as const) {
        const n = rng.chance(p) ? rng.int(1, most) : 0;
        for (let i = 0; i < n; i++) {
          const day = rng.int(monthStartDay(mi), monthEndDay(mi));
          if (!activeOn(a, day)) continue;
          const ms = day * DAY_MS - offsetMs + rng.int(9 * 3600, 17 * 3600) * 1000; // local working hours
          tickets.push(makeTicket(rng, a, ms, true));
        }
      }
    }
  }
  tickets.sort((x, y) => x.createdMs - y.createdMs || (x.account.id < y.account.id ? -1 : 1));
  return tickets;
}

/** "17/08/2026 14:05": the day-first local format a legacy import wrote (day > 12, never ambiguous). */
function dayFirst(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

/**
 * Picks the tickets that get data-quality problems: 7 fast North-American resolutions whose
 * resolved_at was written in local time (UTC-6) but labelled Z, so they end before they begin;
 * and 4 unparseable timestamps (a day-first created_at and resolved_at, a spreadsheet error, and
 * "not recorded").
 */
function pickTicketDefects(rng: Rng, tickets: readonly Ticket[]): TicketDefects {
  const used = new Set<number>();
  const pickWhere = (ok: (t: Ticket) => boolean): number => {
    for (;;) {
      const i = rng.int(0, tickets.length - 1);
      if (!used.has(i) && ok(tickets[i]!)) {
        used.add(i);
        return i;
      }
    }
  };
  const resolvedBeforeCreated: number[] = [];
  for (let k = 0; k < 7; k++) {
    resolvedBeforeCreated.push(
      pickWhere((t) => t.account.region === 'North America' && t.resolvedMs !== null && t.resolvedMs - t.createdMs < 5 * HOUR_MS),
    );
  }
  const lateInMonth = (ms: number | null): boolean => ms !== null && new Date(ms).getUTCDate() > 12;
  const i1 = pickWhere((t) => lateInMonth(t.createdMs) && t.resolvedMs !== null);
  const i2 = pickWhere((t) => t.firstMs !== null && t.resolvedMs !== null);
  const i3 = pickWhere((t) => t.resolvedMs !== null);
  const i4 = pickWhere((t) => lateInMonth(t.resolvedMs));
  return {
    resolvedBeforeCreated: resolvedBeforeCreated.sort((x, y) => x - y),
    unparseable: [
      { index: i1, column: 'created', value: dayFirst(tickets[i1]!.createdMs) },
      { index: i2, column: 'first', value: '#VALUE!' },
      { index: i3, column: 'resolved', value: 'not recorded' },
      { index: i4, column: 'resolved', value: dayFirst(tickets[i4]!.resolvedMs!) },
    ].sort((x, y) => x.index - y.index) as TicketDefects['unparseable'],
  };
}

function writeTickets(tickets: readonly Ticket[]): { file: Written; defects: TicketDefects } {
  const defects = pickTicketDefects(stream(7), tickets);
  const rows = tickets.map((t, i) => {
    const cells: TicketCells = {
      created: isoSeconds(t.createdMs),
      first: t.firstMs === null ? '' : isoSeconds(t.firstMs),
      resolved: t.resolvedMs === null ? '' : isoSeconds(t.resolvedMs),
    };
    if (defects.resolvedBeforeCreated.includes(i)) cells.resolved = isoSeconds(t.resolvedMs! - 6 * HOUR_MS);
    for (const u of defects.unparseable) if (u.index === i) cells[u.column] = u.value;
    return [
      `T${String(i + 1).padStart(6, '0')}`,
      t.account.id,
      t.channel,
      t.priority,
      cells.created,
      cells.first,
      cells.resolved,
      t.resolvedMs === null ? '0' : t.reopened ? '1' : '0',
      t.csat === null ? '' : String(t.csat),
    ];
  });
  const header = ['ticket_id', 'customer_id', 'channel', 'priority', 'created_at', 'first_response_at', 'resolved_at', 'reopened', 'csat'];
  return { file: writeCsv('tickets.csv', header, rows), defects };
}

// =============================================================================================
// reviews.csv — public reviews
// =============================================================================================

type Product = 'Acme Cloud' | 'Acme Mobile' | 'Acme API';
type Source = 'G2' | 'Capterra' | 'App Store';
type Tone = 'positive' | 'mixed' | 'negative';
type ReviewTopic =
  | 'performance'
  | 'pricing'
  | 'support'
  | 'mobile'
  | 'mobileRelease' // Acme Mobile, from the 5.2 release on
  | 'mobileFix' // Acme Mobile, from the 5.2.3 fix on
  | 'apiDocs'
  | 'onboarding'
  | 'integrations';

const REVIEWS_FIRST_MI = miOfKey('2025-05');
/** Acme Mobile 5.2 shipped on this day and crashed on launch for many users. */
const MOBILE_RELEASE_MS = Date.UTC(2026, 6, 15);
/** 5.2.3, fixing most of the crashes, shipped on this day. */
const MOBILE_FIX_MS = Date.UTC(2026, 9, 1);

/** Acme Mobile's review volume relative to normal while 5.2 was broken. */
const MOBILE_BROKEN_VOLUME = 1.7;
const PRODUCT_SHARE: Record<Product, number> = { 'Acme Cloud': 0.45, 'Acme Mobile': 0.33, 'Acme API': 0.22 };
const SOURCE_SHARE: Record<Product, Partial<Record<Source, number>>> = {
  'Acme Cloud': { G2: 0.6, Capterra: 0.4 },
  'Acme Mobile': { 'App Store': 0.7, G2: 0.18, Capterra: 0.12 },
  'Acme API': { G2: 0.7, Capterra: 0.3 },
};
/** P(rating = 1..5). Positive skew throughout, except Acme Mobile after the 5.2 release. */
const RATINGS: Record<Product | 'mobileBroken' | 'mobileRecovering', readonly number[]> = {
  'Acme Cloud': [0.03, 0.05, 0.1, 0.34, 0.48],
  'Acme API': [0.05, 0.07, 0.13, 0.35, 0.4],
  'Acme Mobile': [0.05, 0.06, 0.12, 0.33, 0.44],
  mobileBroken: [0.34, 0.2, 0.16, 0.16, 0.14],
  mobileRecovering: [0.13, 0.12, 0.18, 0.28, 0.29],
};

const TOPIC_WEIGHT: Record<Product, Partial<Record<ReviewTopic, number>>> = {
  'Acme Cloud': { performance: 3, pricing: 2, support: 2, onboarding: 2, integrations: 2 },
  'Acme Mobile': { mobile: 4, performance: 2, support: 1, pricing: 0.5 },
  'Acme API': { apiDocs: 4, performance: 2, integrations: 2, pricing: 1, support: 1 },
};

type Fragments = Record<Tone, readonly string[]>;

const REVIEW_OPENERS: Fragments = {
  positive: [
    "We've used Acme for about a year now.",
    "Switched from a competitor last spring and haven't looked back.",
    'Our team of twelve uses this every day.',
    'Honestly one of the better tools in our stack.',
    'Really solid product.',
    'I was skeptical at first, but it won me over.',
    'We rolled it out across three departments.',
  ],
  mixed: [
    'It does the job, mostly.',
    'Some things are great, others less so.',
    "We've had it for six months and have mixed feelings.",
    'Good product with a few annoying gaps.',
    "It's fine, but not quite there yet.",
    'Decent tool overall.',
  ],
  negative: [
    'Really disappointed.',
    'I wanted to like this.',
    "We're actively looking at alternatives.",
    'Not what we were sold.',
    'Save yourself the trouble.',
    'This used to be good.',
    'Two stars is generous.',
  ],
};

const REVIEW_CLOSERS: Fragments = {
  positive: [
    'Highly recommended.',
    'Would recommend to any growing team.',
    'Five stars from our team.',
    'Keep up the good work!',
    'Worth every penny.',
    "Can't imagine going back.",
  ],
  mixed: [
    'Would give five stars if they fixed this.',
    'Still worth a look.',
    'Hoping the next release helps.',
    'Fine for now.',
    'Three stars for now.',
    'Ask me again in a few months.',
  ],
  negative: [
    'Avoid until they fix it.',
    'We will not be renewing.',
    'Very frustrating.',
    'Look elsewhere.',
    'Hope someone at Acme reads this.',
    'Not recommended.',
  ],
};

const REVIEW_FRAGMENTS: Record<ReviewTopic, Fragments> = {
  performance: {
    positive: [
      'Dashboards load in under a second even with a year of data.',
      'Performance has been rock solid, even during our month-end peak.',
      "Syncs are fast and we've never noticed any downtime.",
      'Search is quick and the app never feels sluggish.',
      'Reports that took minutes in our old tool now take seconds.',
    ],
    mixed: [
      'Usually fast, but large exports can take a while.',
      'Performance is fine most days, with the occasional slow afternoon.',
      'Loads quickly for small teams; bigger workspaces feel heavier.',
      'There was one outage this quarter, otherwise stable.',
      'Speed is okay, though the reporting module lags with lots of data.',
    ],
    negative: [
      'The web app has become painfully slow over the last few months.',
      'We hit timeouts on the reporting page almost every day.',
      'Two outages in one month, both during our busiest hours.',
      'Exports time out with anything more than a few thousand rows.',
      'Everything feels sluggish since the last redesign.',
    ],
  },
  pricing: {
    positive: [
      'Pricing is fair for what you get.',
      'The Pro plan paid for itself within a quarter.',
      'Transparent pricing with no surprise add-ons.',
      'Good value compared with the big-name alternatives.',
      'The annual discount made it an easy decision.',
    ],
    mixed: [
      'A bit pricey, but the features mostly justify it.',
      'The jump from Starter to Pro is steep for a small team.',
      'Pricing is reasonable, though per-seat costs add up quickly.',
      'Fair price, but some basic features are locked behind higher tiers.',
      'Not cheap, and the invoices take some decoding.',
    ],
    negative: [
      'Way too expensive for what it does.',
      'Every useful feature seems to be an extra charge.',
      "We're paying premium prices for bargain-bin support.",
      'Per-seat pricing punishes you for growing.',
      'The renewal quote came in far above what we were told at signup.',
    ],
  },
  support: {
    positive: [
      'Support answered within minutes and actually solved the problem.',
      'Our account manager checks in regularly and knows our setup.',
      'The support team is friendly, patient and knowledgeable.',
      'Chat support fixed a billing mix-up on the spot.',
      'Every ticket we have raised was handled quickly.',
    ],
    mixed: [
      'Support is helpful once you reach the right person.',
      'Replies are polite but can take a day or two.',
      'Chat is quick for simple questions; anything complex gets escalated.',
      'Support was fine, but we had to repeat ourselves a few times.',
      'Good help articles, slower human support.',
    ],
    negative: [
      'Support takes days to reply and then sends a canned answer.',
      'Our ticket was closed twice without anyone fixing the issue.',
      'Impossible to reach a human on the phone.',
      'We waited over a week for a response to a high-priority ticket.',
      'Support keeps asking for the same logs over and over.',
    ],
  },
  mobile: {
    positive: [
      'The mobile app is clean and does everything I need on the go.',
      'Notifications on the phone are reliable and easy to act on.',
      'Approving requests from the app saves me hours a week.',
      'The iPhone app is fast and the offline mode works well.',
      'Love the dark mode and the home-screen widget.',
    ],
    mixed: [
      'The app is handy, but some features only work on the desktop.',
      'Works well on iPhone, a little clunky on my Android tablet.',
      'Good for quick checks, not for real work.',
      'Sync between the app and the web is sometimes a few minutes behind.',
      'Useful app, though it logs me out more often than it should.',
    ],
    negative: [
      'The app drains my battery and freezes when switching workspaces.',
      'Half the settings are missing from the mobile version.',
      'The app crashes whenever I open an attachment.',
      'Notifications arrive hours late, if at all.',
      'The mobile app feels like an afterthought.',
    ],
  },
  mobileRelease: {
    positive: [
      "The new 5.2 design looks great and it runs fine on my iPhone, so I'm not sure what the fuss is about.",
      'The redesigned home screen in the latest version is a real improvement.',
    ],
    mixed: [
      'The new design is nice, but the app crashes a few times a day since the update.',
      "Looks better since the update, when it doesn't crash.",
      'Some of the new features are great, but stability took a big hit in 5.2.',
      'The update added useful shortcuts and a lot of crashes.',
    ],
    negative: [
      'Since the July update the app crashes every time I open it.',
      'Version 5.2 logs me out every few minutes and then crashes.',
      "After the latest update the app won't even start on my Pixel.",
      "The new release broke offline mode and I lost a morning's notes.",
      'Ever since 5.2 the app freezes on the loading screen.',
      'The update wiped my saved filters and crashes when I try to rebuild them.',
      "Crashes on launch since the update; reinstalling didn't help.",
    ],
  },
  mobileFix: {
    positive: [
      'The crash from the summer update is fixed and the app is fast again.',
      'Glad they sorted out the 5.2 problems in the end; it has been stable for weeks.',
      'The latest patch fixed everything that broke in July.',
    ],
    mixed: [
      'The latest patch fixed most of the crashes, but it still logs me out sometimes.',
      '5.2.3 is much better, though not quite back to where it was before the summer.',
      'Crashes are mostly gone now; offline mode is still flaky.',
    ],
    negative: [
      "They say 5.2.3 fixed the crashes; not on my phone it didn't.",
      'Still crashing after the so-called fix.',
      'Three months of crashes and the patch only fixed half of them.',
    ],
  },
  apiDocs: {
    positive: [
      'The API docs are clear, with working examples for every endpoint.',
      'We had our first integration running in an afternoon thanks to the docs.',
      'The SDKs are well maintained and the changelog is actually useful.',
      'Sandbox keys and a ready-made Postman collection made testing painless.',
      'Error messages from the API are precise and easy to act on.',
    ],
    mixed: [
      'The API is solid, but the docs lag behind new features.',
      'Docs cover the basics well; advanced use cases need trial and error.',
      'Good REST API, although pagination is inconsistent between endpoints.',
      "Rate limits are fine for us, but they're poorly documented.",
      'The examples are mostly in Python; other languages are thin.',
    ],
    negative: [
      "The documentation is out of date and half the examples don't run.",
      'Breaking API changes shipped with no deprecation notice.',
      "Webhook payloads don't match what the docs describe.",
      "Error messages are vague and the docs don't explain them.",
      'We spent days reverse-engineering endpoints the docs barely mention.',
    ],
  },
  onboarding: {
    positive: [
      'Onboarding was smooth and we were live within a week.',
      'The setup wizard and onboarding calls got our whole team going quickly.',
      'Our onboarding manager was excellent and very responsive.',
      'Importing our old data took minutes, not days.',
      'The in-app checklist made setup almost effortless.',
    ],
    mixed: [
      'Setup took longer than promised, but we got there.',
      'Onboarding was okay; the training videos are a bit generic.',
      'The import tool handled most of our data, the rest was manual.',
      'Getting permissions right took a few tries.',
      'Onboarding calls were useful but hard to schedule from Europe.',
    ],
    negative: [
      'Onboarding was chaotic and nobody followed up after the kickoff.',
      'It took us two months to get properly set up.',
      "The data import failed repeatedly and support couldn't explain why.",
      'We were basically left alone after signing the contract.',
      'Setup documentation is outdated and full of broken links.',
    ],
  },
  integrations: {
    positive: [
      'The Slack and Salesforce integrations work out of the box.',
      'Connecting our SSO provider took ten minutes.',
      'The Zapier integration saves us hours every week.',
      'Integrations with our data warehouse are reliable and well designed.',
      'Webhooks fire instantly and have never missed an event for us.',
    ],
    mixed: [
      'The main integrations are good, but niche tools are missing.',
      'The Salesforce sync works, though field mapping is fiddly.',
      'Integrations exist for most things; some of them feel half-finished.',
      'SSO works, but SCIM provisioning is Enterprise-only.',
      'The HubSpot connector occasionally drops records.',
    ],
    negative: [
      'The Salesforce sync breaks every few weeks and needs a manual reset.',
      'Half the advertised integrations are just links to Zapier.',
      'SSO setup failed and support had no idea why.',
      'Our warehouse sync silently stopped for three days.',
      'Integrations are buggy and poorly documented.',
    ],
  },
};

const REVIEW_TITLES: Fragments = {
  positive: [
    'Does exactly what we need',
    'Great tool for growing teams',
    'Reliable and easy to use',
    'Best decision we made this year',
    'Solid product, great support',
    'Highly recommend',
    'Fast, simple, dependable',
    'A real time-saver',
  ],
  mixed: ['Good, but not great', 'Solid core, rough edges', 'Mixed feelings', 'Does the job', 'Promising, with caveats', 'Okay for the price'],
  negative: ['Very disappointed', 'Not worth the money', 'Going downhill', 'Frustrating experience', 'Look elsewhere', 'Used to be good'],
};
/** Topic-specific titles, used about half the time when a topic has them. */
const TOPIC_TITLES: Partial<Record<ReviewTopic, Partial<Fragments>>> = {
  mobileRelease: {
    negative: ['Crashes since the update', '5.2 broke everything', 'Unusable after the latest update', 'Please roll back 5.2'],
    mixed: ['Nice redesign, shame about the crashes'],
  },
  mobileFix: { positive: ['Fixed and fast again'], mixed: ['Better since the patch'], negative: ['Still crashing'] },
  apiDocs: { positive: ['Great API, great docs'], negative: ['Docs are a mess'] },
  pricing: { negative: ['Overpriced'], positive: ['Great value'] },
  support: { positive: ['Support that actually helps'], negative: ['Support is a black hole'] },
};

/**
 * Hand-written reviews whose title or text needs HTML escaping (`<`, `&`, quotes), each placed at
 * a random time between `from` and the end of that month, so they fit the story at that time.
 */
const SPECIAL_REVIEWS: { from: string; product: Product; source: Source; rating: number; title: string; text: string }[] = [
  {
    from: '2025-06-01',
    product: 'Acme Cloud',
    source: 'G2',
    rating: 5,
    title: 'Perfect for teams <50 people',
    text: 'We\'re a team of <50 people & Acme Cloud fits us perfectly. The "quick setup" wizard really is quick.',
  },
  {
    from: '2025-11-01',
    product: 'Acme API',
    source: 'Capterra',
    rating: 2,
    title: 'Docs say "optional", API says 400',
    text: 'The docs mark the "region" field as optional, but leaving it out returns a 400 & an empty body. Took us a day to find out.',
  },
  {
    from: '2026-03-01',
    product: 'Acme Cloud',
    source: 'Capterra',
    rating: 4,
    title: 'Support & onboarding: A+',
    text: 'Onboarding & support were excellent. Only gripe: the report builder escapes nothing, so a column named <Total> broke our export.',
  },
  {
    from: '2026-07-16',
    product: 'Acme Mobile',
    source: 'App Store',
    rating: 1,
    title: 'Crashes on launch since 5.2 :(',
    text: 'Since the 5.2 update the app crashes on launch with "Unexpected <null> in session". Reinstalled & still broken.',
  },
  {
    from: '2026-09-01',
    product: 'Acme API',
    source: 'G2',
    rating: 4,
    title: 'Solid REST API & webhooks',
    text: 'Rate limits of <1,000 requests/min are fine for us. Webhooks & retries just work, and the "Idempotency-Key" header saved us twice.',
  },
  {
    from: '2026-10-01',
    product: 'Acme Mobile',
    source: 'App Store',
    rating: 3,
    title: 'Better after 5.2.3 — mostly',
    text: '5.2.3 fixed the crash, but the "Sign in with SSO" button still shows raw <div> tags on my tablet & phone.',
  },
];

interface Review {
  ms: number;
  product: Product;
  source: Source;
  rating: number;
  title: string;
  text: string;
}

const toneOf = (rating: number): Tone => (rating >= 4 ? 'positive' : rating === 3 ? 'mixed' : 'negative');

function ratingOf(rng: Rng, product: Product, ms: number): number {
  let probs = RATINGS[product];
  if (product === 'Acme Mobile' && ms >= MOBILE_RELEASE_MS) probs = ms >= MOBILE_FIX_MS ? RATINGS.mobileRecovering : RATINGS.mobileBroken;
  let r = rng.next();
  for (let i = 0; i < 5; i++) if ((r -= probs[i]!) < 0) return i + 1;
  return 5;
}

function reviewTopic(rng: Rng, product: Product, tone: Tone, ms: number): ReviewTopic {
  const weights: Partial<Record<ReviewTopic, number>> = { ...TOPIC_WEIGHT[product] };
  // After the release, Acme Mobile reviews are mostly about it; after the fix, about the fix.
  if (product === 'Acme Mobile' && ms >= MOBILE_RELEASE_MS) {
    if (ms < MOBILE_FIX_MS) weights.mobileRelease = tone === 'positive' ? 1 : 12;
    else weights.mobileFix = 6;
  }
  return rng.weighted(weights as Record<ReviewTopic, number>);
}

function composeReview(rng: Rng, product: Product, rating: number, ms: number): { title: string; text: string } {
  const tone = toneOf(rating);
  const topic = reviewTopic(rng, product, tone, ms);
  const main = rng.pick(REVIEW_FRAGMENTS[topic][tone]);
  const parts: string[] = [];
  if (rng.chance(0.55)) parts.push(rng.pick(REVIEW_OPENERS[tone]));
  parts.push(main);
  if (rng.chance(0.6)) {
    const second = reviewTopic(rng, product, tone, ms);
    const extra = rng.pick(REVIEW_FRAGMENTS[second][tone]);
    if (extra !== main) parts.push(extra);
  }
  if (rng.chance(0.45)) parts.push(rng.pick(REVIEW_CLOSERS[tone]));
  // A lone fragment reads like a stub and repeats across reviews: give it company.
  if (parts.length === 1) {
    if (rng.chance(0.5)) parts.unshift(rng.pick(REVIEW_OPENERS[tone]));
    else parts.push(rng.pick(REVIEW_CLOSERS[tone]));
  }
  const topicTitles = TOPIC_TITLES[topic]?.[tone];
  const title = topicTitles && rng.chance(0.5) ? rng.pick(topicTitles) : rng.pick(REVIEW_TITLES[tone]);
  return { title, text: parts.join(' ') };
}

/** Guard: ordinary fragments must not need HTML escaping, so the special reviews stay the only ones. */
function checkReviewFragments(): void {
  const lists: (readonly string[])[] = [
    ...Object.values(REVIEW_OPENERS),
    ...Object.values(REVIEW_CLOSERS),
    ...Object.values(REVIEW_TITLES),
    ...Object.values(REVIEW_FRAGMENTS).flatMap((f) => Object.values(f)),
    ...Object.values(TOPIC_TITLES).flatMap((f) => Object.values(f ?? {})),
  ];
  for (const list of lists) for (const s of list) if (/[<>&"\n]/.test(s)) throw new Error(`review fragment needs escaping: ${s}`);
}

function writeReviews(): Written {
  checkReviewFragments();
  const rng = stream(5);
  const reviews: Review[] = [];
  for (let mi = REVIEWS_FIRST_MI; mi <= LAST_MI; mi++) {
    const startMs = monthStartDay(mi) * DAY_MS;
    const spanS = (monthStartDay(mi + 1) - monthStartDay(mi)) * 86_400;
    // ~150 a month, growing slowly. While 5.2 was broken, Acme Mobile drew MOBILE_BROKEN_VOLUME
    // times its usual reviews (angry users review): draw at that rate, keep 1 in that many otherwise.
    const n = 150 * (1 + 0.012 * (mi - REVIEWS_FIRST_MI)) * (1 + rng.normal(0, 0.06));
    for (const product of Object.keys(PRODUCT_SHARE) as Product[]) {
      const boost = product === 'Acme Mobile' ? MOBILE_BROKEN_VOLUME : 1;
      const candidates = Math.round(n * PRODUCT_SHARE[product] * boost);
      for (let i = 0; i < candidates; i++) {
        const ms = startMs + rng.int(0, spanS - 1) * 1000;
        const broken = ms >= MOBILE_RELEASE_MS && ms < MOBILE_FIX_MS;
        if (boost > 1 && !broken && !rng.chance(1 / boost)) continue;
        const source = rng.weighted(SOURCE_SHARE[product] as Record<Source, number>);
        const rating = ratingOf(rng, product, ms);
        reviews.push({ ms, product, source, rating, ...composeReview(rng, product, rating, ms) });
      }
    }
  }
  for (const s of SPECIAL_REVIEWS) {
    const fromDay = dayOfIso(s.from);
    const ms = fromDay * DAY_MS + rng.int(0, (monthStartDay(miOfDay(fromDay) + 1) - fromDay) * 86_400 - 1) * 1000;
    reviews.push({ ms, product: s.product, source: s.source, rating: s.rating, title: s.title, text: s.text });
  }
  reviews.sort((x, y) => x.ms - y.ms);
  const rows = reviews.map((r, i) => [`V${String(i + 1).padStart(5, '0')}`, r.product, r.source, String(r.rating), isoSeconds(r.ms), r.title, r.text]);
  return writeCsv('reviews.csv', ['review_id', 'product', 'source', 'rating', 'submitted_at', 'title', 'text'], rows);
}

// =============================================================================================
// health.csv — account-health signals at the ends of 2026-08, 2026-09 and 2026-10
// =============================================================================================

/** How much worse the at-risk accounts look in 2026-08, -09 and -10 (by index into HEALTH_MONTHS). */
const AT_RISK_LOGINS = [0.75, 0.45, 0.22];
const AT_RISK_SEATS_DROP = [8, 20, 34]; // percentage points of seats in use

/** Tickets created on or before the instant and not resolved by then (true times, before defects). */
function openTicketsAt(tickets: readonly Ticket[], endMs: number): Map<Account, number> {
  const open = new Map<Account, number>();
  for (const t of tickets) {
    if (t.createdMs >= endMs) break; // sorted by creation
    if (t.resolvedMs === null || t.resolvedMs >= endMs) open.set(t.account, (open.get(t.account) ?? 0) + 1);
  }
  return open;
}

function writeHealth(accounts: readonly Account[], tickets: readonly Ticket[]): Written {
  const rng = stream(6);
  // Per-account traits that persist across the three months.
  const traits = new Map<Account, { engagement: number; seatsUsed: number; dueDay: number | null }>();
  for (const a of accounts) {
    traits.set(a, {
      engagement: rng.logNormal(1, 0.45),
      seatsUsed: Math.min(98, Math.max(20, rng.normal(74, 13))),
      // At-risk accounts stop paying: an invoice falls due between 2026-08-05 and 2026-09-30.
      dueDay: a.atRisk && rng.chance(0.85) ? rng.int(monthStartDay(HEALTH_MONTHS[0]!) + 4, monthEndDay(HEALTH_MONTHS[1]!)) : null,
    });
  }
  const rows: string[][] = [];
  HEALTH_MONTHS.forEach((mi, k) => {
    const endDay = monthEndDay(mi);
    const endMs = (endDay + 1) * DAY_MS;
    const open = openTicketsAt(tickets, endMs);
    for (const a of accounts) {
      if (!activeOn(a, endDay)) continue;
      const tr = traits.get(a)!;
      let seatsUsed = tr.seatsUsed + rng.normal(0, 3);
      let logins = a.seats[mi]! * (seatsUsed / 100) * 7 * tr.engagement * rng.logNormal(1, 0.12);
      // Ordinary accounts that cancel within two months also fade a little first.
      if (a.cancelDay !== null && a.cancelDay - endDay <= 61) logins *= 0.8;
      let overdue = 0;
      if (a.atRisk) {
        logins *= AT_RISK_LOGINS[k]!;
        seatsUsed -= AT_RISK_SEATS_DROP[k]!;
        if (tr.dueDay !== null) overdue = Math.max(0, endDay - tr.dueDay);
      } else if (rng.chance(0.06)) {
        overdue = Math.round(1 + rng.exponential(1 / 8)); // a late payer, usually a few days
      }
      rows.push([
        a.id,
        monthKey(mi),
        String(Math.round(logins)),
        String(Math.min(100, Math.max(0, Math.round(seatsUsed)))),
        String(open.get(a) ?? 0),
        String(lastNpsBy(a, endMs) ?? ''),
        String(overdue),
      ]);
    }
  });
  const header = ['customer_id', 'month', 'logins_30d', 'seats_used_pct', 'open_tickets', 'last_nps', 'days_overdue'];
  return writeCsv('health.csv', header, rows);
}

// =============================================================================================
// Summary: recomputes the planted effects from the rows as written (parsed back from the CSV)
// =============================================================================================

type Rec = Record<string, string>;
const out: string[] = [];
const say = (s = ''): void => void out.push(s);
const sign = (x: number, digits = 1): string => (x >= 0 ? '+' : '') + x.toFixed(digits);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const meanOf = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;

interface Life {
  signup: number;
  cancel: number | null;
}
const lifeOf = (r: Rec): Life => ({ signup: dayOfIso(r.signup_date!), cancel: r.cancel_date ? dayOfIso(r.cancel_date) : null });

/** Monthly logo churn: cancellations in the month / customers active on the previous month's last day. */
function churnIn(lives: readonly Life[], mi: number): { rate: number; cancels: number; base: number } {
  const start = monthStartDay(mi);
  const end = monthStartDay(mi + 1);
  let base = 0;
  let cancels = 0;
  for (const l of lives) {
    if (!(l.signup < start && (l.cancel === null || l.cancel >= start))) continue;
    base++;
    if (l.cancel !== null && l.cancel < end) cancels++;
  }
  return { rate: cancels / base, cancels, base };
}

function summarizeCustomers(rows: Rec[], responses: Rec[]): void {
  say('customers.csv');
  const lives = rows.map(lifeOf);
  const years = [2023, 2024, 2025, 2026].map((y) => `${y}: ${rows.filter((r) => r.signup_date!.startsWith(String(y))).length}`);
  say(`  sign-ups by year  ${years.join(', ')} (2026 = Jan..Oct)`);
  say(`  active on 2026-10-31: ${lives.filter((l) => activeOn({ signupDay: l.signup, cancelDay: l.cancel }, EXTRACT_DAY - 1)).length}; cancelled: ${lives.filter((l) => l.cancel !== null).length}`);
  const line: string[] = [];
  for (let mi = miOfKey('2025-01'); mi <= LAST_MI; mi++) line.push(`${monthKey(mi).slice(2)} ${pct(churnIn(lives, mi).rate)}`);
  say('  monthly logo churn (cancellations / active at the start of the month):');
  for (let i = 0; i < line.length; i += 6) say(`    ${line.slice(i, i + 6).join('  ')}`);
  const avg = (pick: (r: Rec) => boolean, from: string, to: string, skip: string[] = []): { rate: number; cancels: number } => {
    const sub = rows.filter(pick).map(lifeOf);
    let c = 0;
    let b = 0;
    for (let mi = miOfKey(from); mi <= miOfKey(to); mi++) {
      if (skip.includes(monthKey(mi))) continue;
      const x = churnIn(sub, mi);
      c += x.cancels;
      b += x.base;
    }
    return { rate: c / b, cancels: c };
  };
  const all = avg(() => true, '2025-01', '2026-10', ['2026-02']);
  say(`  average 2025-01..2026-10 excluding 2026-02: ${pct(all.rate, 2)} a month`);
  const byPlan = PLANS.map((p) => ({ p, ...avg((r) => r.plan === p, '2025-01', '2026-10', ['2026-02']) }));
  say(`  by plan (same months): ${byPlan.map((x) => `${x.p} ${pct(x.rate, 2)}`).join(', ')}; Starter / Enterprise = ${(byPlan[0]!.rate / byPlan[2]!.rate).toFixed(2)}x`);
  const feb = churnIn(lives, PRICE_INCREASE_MI);
  const janMar = (churnIn(lives, PRICE_INCREASE_MI - 1).rate + churnIn(lives, PRICE_INCREASE_MI + 1).rate) / 2;
  const febEnt = churnIn(rows.filter((r) => r.plan === 'Enterprise').map(lifeOf), PRICE_INCREASE_MI);
  say(`  price increase 2026-02: churn ${pct(feb.rate)} (${feb.cancels} cancellations) vs ${pct(janMar)} in Jan/Mar; Enterprise (not repriced) ${pct(febEnt.rate)}`);
  // Early churn: cancelled within 90 days of sign-up, for cohorts whose 90 days are observed.
  const early = (pick: (r: Rec) => boolean, from: string, to: string): string => {
    const sub = rows.filter((r) => pick(r) && r.signup_date! >= from && r.signup_date! <= to).map(lifeOf);
    const k = sub.filter((l) => l.cancel !== null && l.cancel - l.signup <= 90).length;
    return `${pct(k / sub.length)} (${k}/${sub.length})`;
  };
  say('  cancelled within 90 days of sign-up:');
  say(`    EMEA   sign-ups 2025-05-01..2026-04-30 ${early((r) => r.region === 'EMEA', '2025-05-01', '2026-04-30')}   2026-05-01..2026-08-02 ${early((r) => r.region === 'EMEA', '2026-05-01', '2026-08-02')}`);
  say(`    others sign-ups 2025-05-01..2026-04-30 ${early((r) => r.region !== 'EMEA', '2025-05-01', '2026-04-30')}   2026-05-01..2026-08-02 ${early((r) => r.region !== 'EMEA', '2026-05-01', '2026-08-02')}`);
  const byId = new Map(rows.map((r) => [r.customer_id!, lifeOf(r)]));
  let bad = 0;
  for (const r of responses) {
    const l = byId.get(r.customer_id!);
    const day = dayOfIso(r.submitted_at!);
    if (!l || !activeOn({ signupDay: l.signup, cancelDay: l.cancel }, day)) bad++;
  }
  const row = new Map(rows.map((r) => [r.customer_id!, r]));
  const differs = responses.filter((r) => row.get(r.customer_id!)?.region !== r.region || row.get(r.customer_id!)?.plan !== r.plan).length;
  const surveyed = new Set(responses.map((r) => r.customer_id!)).size;
  say(`  survey: ${surveyed} answering customers; responses from a customer not active that day: ${bad}; with another region or plan: ${differs}`);
  const ch: Record<string, number> = {};
  for (const r of rows) ch[r.acquisition_channel!] = (ch[r.acquisition_channel!] ?? 0) + 1;
  say(`  acquisition: ${Object.entries(ch).map(([k, v]) => `${k} ${pct(v / rows.length, 0)}`).join(', ')}`);
}

function summarizeMrr(rows: Rec[], customers: Rec[]): void {
  say('mrr.csv');
  const m = new Map<string, Map<string, number>>(); // month -> customer -> cents
  for (const r of rows) {
    if (!m.has(r.month!)) m.set(r.month!, new Map());
    m.get(r.month!)!.set(r.customer_id!, Math.round(Number(r.mrr) * 100));
  }
  const total = (k: string): number => [...m.get(k)!.values()].reduce((s, v) => s + v, 0);
  say(`  total MRR: 2025-01 $${money(total('2025-01'))}, 2025-10 $${money(total('2025-10'))}, 2026-10 $${money(total('2026-10'))}`);
  const retention = (from: string, to: string): string => {
    const a = m.get(from)!;
    const b = m.get(to)!;
    let start = 0;
    let net = 0;
    let gross = 0;
    for (const [id, v] of a) {
      const w = b.get(id) ?? 0;
      start += v;
      net += w;
      gross += Math.min(v, w);
    }
    return `NRR ${pct(net / start)}, GRR ${pct(gross / start)}`;
  };
  say(`  ${'2025-01 -> 2026-01'}: ${retention('2025-01', '2026-01')}`);
  say(`  ${'2025-10 -> 2026-10'}: ${retention('2025-10', '2026-10')}`);
  // Month-over-month bridge, summed per year of the later month.
  const bridge = (fromMi: number, toMi: number): Record<string, number> => {
    const acc = { new: 0, expansion: 0, contraction: 0, churned: 0 };
    for (let mi = fromMi; mi <= toMi; mi++) {
      const prev = m.get(monthKey(mi - 1))!;
      const cur = m.get(monthKey(mi))!;
      for (const [id, v] of cur) {
        const p = prev.get(id);
        if (p === undefined) acc.new += v;
        else if (v > p) acc.expansion += v - p;
        else acc.contraction += p - v;
      }
      for (const [id, p] of prev) if (!cur.has(id)) acc.churned += p;
    }
    return acc;
  };
  const b = bridge(miOfKey('2025-11'), miOfKey('2026-10'));
  const base = total('2025-10');
  say(
    `  bridge 2025-11..2026-10 (as % of 2025-10 MRR): new +${pct(b.new! / base)}, expansion +${pct(b.expansion! / base)}, contraction -${pct(b.contraction! / base)}, churned -${pct(b.churned! / base)}`,
  );
  const plan = new Map(customers.map((r) => [r.customer_id!, r.plan!]));
  // Seat growth among Pro accounts: share of Pro month-pairs with a rise, 2025 vs 2026 (2026-02
  // excluded: that month every Starter/Pro MRR rose with the list price).
  const proRise = (from: string, to: string): string => {
    let n = 0;
    let up = 0;
    for (let mi = miOfKey(from); mi <= miOfKey(to); mi++) {
      if (mi === PRICE_INCREASE_MI) continue;
      const prev = m.get(monthKey(mi - 1))!;
      for (const [id, v] of m.get(monthKey(mi))!) {
        const p = prev.get(id);
        if (p === undefined || plan.get(id) !== 'Pro') continue;
        n++;
        if (v > p) up++;
      }
    }
    return pct(up / n);
  };
  say(`  Pro accounts with a month-over-month MRR rise: 2025-02..2025-12 ${proRise('2025-02', '2025-12')}, 2026-01..2026-10 ${proRise('2026-01', '2026-10')}`);
  const bands = PLANS.map((p) => {
    const v = [...m.get('2026-10')!].filter(([id]) => plan.get(id) === p).map(([, c]) => c / 100);
    return `${p} $${Math.min(...v).toFixed(0)}..$${Math.max(...v).toFixed(0)} (median $${median(v).toFixed(0)})`;
  });
  say(`  2026-10 MRR by current plan: ${bands.join(', ')}`);
  let changes = 0;
  for (let mi = MRR_FIRST_MI + 1; mi <= LAST_MI; mi++) {
    const prev = m.get(monthKey(mi - 1))!;
    for (const [id, v] of m.get(monthKey(mi))!) {
      const p = prev.get(id);
      if (p !== undefined && (v > 2.5 * p || v < p / 2.5)) changes++;
    }
  }
  say(`  plan changes visible as MRR jumps (x2.5 or more) 2025-02..2026-10: ${changes}`);
}

function summarizeOrders(rows: Rec[], customers: Rec[]): void {
  say('orders.csv');
  const plan = new Map(customers.map((r) => [r.customer_id!, r.plan!]));
  const per = new Map<string, number[]>();
  for (const r of rows) {
    if (!per.has(r.customer_id!)) per.set(r.customer_id!, []);
    per.get(r.customer_id!)!.push(Number(r.amount));
  }
  say(`  ${rows.length} orders ${rows[0]!.order_date} .. ${rows[rows.length - 1]!.order_date} from ${per.size} of ${customers.length} customers`);
  const byPlan = PLANS.map((p) => {
    const buyers = [...per].filter(([id]) => plan.get(id) === p);
    const repeat = buyers.filter(([, v]) => v.length >= 2).length;
    const orders = buyers.reduce((s, [, v]) => s + v.length, 0);
    const all = buyers.flatMap(([, v]) => v);
    return `${p}: ${buyers.length} buyers, ${pct(repeat / buyers.length, 0)} repeat, ${(orders / buyers.length).toFixed(1)} orders/buyer, median $${median(all).toFixed(0)}`;
  });
  for (const line of byPlan) say(`  ${line}`);
  const amounts = rows.map((r) => Number(r.amount));
  say(
    `  amount: median $${median(amounts).toFixed(2)}, mean $${meanOf(amounts).toFixed(2)}, p95 $${quantile(amounts, 0.95).toFixed(2)}, max $${Math.max(...amounts).toFixed(2)} (right-skewed)`,
  );
  // Gamma-Gamma assumes spend is independent of frequency, within a plan; check it for repeat buyers.
  const corr = PLANS.map((p) => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const [id, v] of per) {
      if (plan.get(id) !== p || v.length < 2) continue;
      xs.push(v.length);
      ys.push(meanOf(v));
    }
    const mx = meanOf(xs);
    const my = meanOf(ys);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < xs.length; i++) {
      sxy += (xs[i]! - mx) * (ys[i]! - my);
      sxx += (xs[i]! - mx) ** 2;
      syy += (ys[i]! - my) ** 2;
    }
    return `${p} ${sign(sxy / Math.sqrt(sxx * syy), 2)}`;
  });
  say(`  correlation of order count and mean order value among repeat buyers: ${corr.join(', ')}`);
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const parseTs = (s: string): number | null => (ISO_UTC.test(s) && !Number.isNaN(Date.parse(s)) ? Date.parse(s) : null);

function summarizeTickets(rows: Rec[], defects: TicketDefects): void {
  say('tickets.csv');
  const bad = { created_at: 0, first_response_at: 0, resolved_at: 0 };
  for (const r of rows) for (const k of Object.keys(bad) as (keyof typeof bad)[]) if (r[k] !== '' && parseTs(r[k]!) === null) bad[k]++;
  const valid = rows.filter((r) => parseTs(r.created_at!) !== null);
  say(`  ${rows.length} tickets ${valid[0]!.created_at} .. ${valid[valid.length - 1]!.created_at}`);
  const share = (k: string, vals: string[]): string => vals.map((v) => `${v} ${pct(rows.filter((r) => r[k] === v).length / rows.length, 0)}`).join(', ');
  say(`  channel: ${share('channel', ['email', 'chat', 'phone'])}; priority: ${share('priority', ['low', 'normal', 'high', 'urgent'])}`);
  const firstMin = (r: Rec): number | null => {
    const c = parseTs(r.created_at!);
    const f = parseTs(r.first_response_at!);
    return c === null || f === null ? null : (f - c) / MINUTE_MS;
  };
  const medFirst = (sub: Rec[], ch: string): string => {
    const v = sub.filter((r) => r.channel === ch).map(firstMin).filter((x): x is number => x !== null);
    const m = median(v);
    return m < 90 ? `${m.toFixed(0)} min` : `${(m / 60).toFixed(1)} h`;
  };
  const inMonth = (k: string): Rec[] => valid.filter((r) => r.created_at!.startsWith(k));
  const others = valid.filter((r) => !r.created_at!.startsWith(BACKLOG_MONTH));
  say(`  median first response (other months | ${BACKLOG_MONTH}): ${(['chat', 'phone', 'email'] as const).map((ch) => `${ch} ${medFirst(others, ch)} | ${medFirst(inMonth(BACKLOG_MONTH), ch)}`).join(', ')}`);
  const breach = (sub: Rec[]): number => {
    const v = sub.filter((r) => firstMin(r) !== null);
    return v.filter((r) => firstMin(r)! > SLA_HOURS[r.priority as Priority] * 60).length / v.length;
  };
  const line: string[] = [];
  for (let mi = miOfDay(TICKETS_FIRST_DAY); mi <= LAST_MI; mi++) line.push(`${monthKey(mi).slice(2)} ${pct(breach(inMonth(monthKey(mi))), 0)}`);
  say(`  first-response SLA breaches (urgent 1h, high 4h, normal 8h, low 24h) by month created:`);
  for (let i = 0; i < line.length; i += 9) say(`    ${line.slice(i, i + 9).join('  ')}`);
  const resH = (r: Rec): number | null => {
    const c = parseTs(r.created_at!);
    const z = parseTs(r.resolved_at!);
    return c === null || z === null ? null : (z - c) / HOUR_MS;
  };
  const res = valid.map(resH).filter((x): x is number => x !== null && x >= 0);
  say(`  resolution: median ${median(res).toFixed(1)} h, p90 ${(quantile(res, 0.9) / 24).toFixed(1)} days, max ${(Math.max(...res) / 24).toFixed(0)} days`);
  const openRes = rows.filter((r) => r.resolved_at === '').length;
  const openFirst = rows.filter((r) => r.first_response_at === '').length;
  say(`  open at extraction: ${openRes} without resolved_at (${pct(openRes / rows.length)}), ${openFirst} of them also without first_response_at`);
  say(`  reopened: ${pct(rows.filter((r) => r.reopened === '1').length / rows.length)}`);
  const answered = rows.filter((r) => r.csat !== '');
  const resolved = rows.filter((r) => r.resolved_at !== '');
  say(`  csat answered: ${pct(answered.length / resolved.length, 0)} of resolved tickets, mean ${meanOf(answered.map((r) => Number(r.csat))).toFixed(2)}`);
  const buckets: [string, number, number][] = [['<8h', 0, 8], ['8-24h', 8, 24], ['1-3d', 24, 72], ['3-10d', 72, 240], ['>10d', 240, Infinity]];
  say(
    `  csat by resolution time: ${buckets
      .map(([label, lo, hi]) => {
        const v = answered.filter((r) => {
          const h = resH(r);
          return h !== null && h >= lo && h < hi;
        });
        return `${label} ${meanOf(v.map((r) => Number(r.csat))).toFixed(2)} (n=${v.length})`;
      })
      .join(', ')}`,
  );
  const reo = answered.filter((r) => r.reopened === '1');
  say(`  csat reopened ${meanOf(reo.map((r) => Number(r.csat))).toFixed(2)} vs not ${meanOf(answered.filter((r) => r.reopened === '0').map((r) => Number(r.csat))).toFixed(2)}`);
  const before = rows.filter((r) => {
    const c = parseTs(r.created_at!);
    const z = parseTs(r.resolved_at!);
    return c !== null && z !== null && z < c;
  });
  say(`  data quality: resolved_at before created_at ${before.length} (${before.map((r) => r.ticket_id).join(', ')})`);
  say(
    `                unparseable: created_at ${bad.created_at}, first_response_at ${bad.first_response_at}, resolved_at ${bad.resolved_at} (${defects.unparseable.map((u) => `${rows[u.index]!.ticket_id} ${JSON.stringify(u.value)}`).join(', ')})`,
  );
}

function summarizeReviews(rows: Rec[]): void {
  say('reviews.csv');
  const count: Record<string, number> = {};
  for (const r of rows) count[`${r.product} / ${r.source}`] = (count[`${r.product} / ${r.source}`] ?? 0) + 1;
  say(`  ${rows.length} reviews ${rows[0]!.submitted_at} .. ${rows[rows.length - 1]!.submitted_at}`);
  say(`  ${Object.entries(count).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const avg = (sub: Rec[]): string => `${meanOf(sub.map((r) => Number(r.rating))).toFixed(2)} (n=${sub.length})`;
  const products: Product[] = ['Acme Cloud', 'Acme Mobile', 'Acme API'];
  say(`  mean rating overall: ${products.map((p) => `${p} ${avg(rows.filter((r) => r.product === p))}`).join(', ')}`);
  say(`  share of 4-5 stars: ${pct(rows.filter((r) => Number(r.rating) >= 4).length / rows.length, 0)}`);
  const mob = rows.filter((r) => r.product === 'Acme Mobile');
  const seg = (from: string, to: string): string => avg(mob.filter((r) => r.submitted_at! >= from && r.submitted_at! < to));
  say(
    `  Acme Mobile: before 2026-07-15 ${seg('2025-05', '2026-07-15')}; 2026-07-15..09-30 ${seg('2026-07-15', '2026-10')}; 2026-10 ${seg('2026-10', '2026-11')}`,
  );
  const line: string[] = [];
  for (let mi = miOfKey('2026-04'); mi <= LAST_MI; mi++) line.push(`${monthKey(mi).slice(2)} ${seg(monthKey(mi), monthKey(mi + 1)).replace(/ \(n=(\d+)\)/, '/$1')}`);
  say(`  Acme Mobile by month (mean/n): ${line.join('  ')}`);
  const lowCrash = (sub: Rec[]): string => pct(sub.filter((r) => /crash/i.test(r.text!)).length / sub.length, 0);
  say(`  Mobile reviews mentioning a crash: before release ${lowCrash(mob.filter((r) => r.submitted_at! < '2026-07-15'))}, after ${lowCrash(mob.filter((r) => r.submitted_at! >= '2026-07-15'))}`);
  const special = rows.filter((r) => /[<>&"]/.test(r.title! + r.text!));
  say(`  need HTML escaping: ${special.length} (${special.map((r) => r.review_id).join(', ')}); distinct texts ${new Set(rows.map((r) => r.text)).size}`);
}

function summarizeHealth(rows: Rec[], customers: Rec[], atRisk: readonly Account[]): void {
  say('health.csv');
  const risk = new Set(atRisk.map((a) => a.id));
  const cancel = new Map(customers.map((r) => [r.customer_id!, r.cancel_date!]));
  const months = HEALTH_MONTHS.map(monthKey);
  say(`  rows per month: ${months.map((m) => `${m} ${rows.filter((r) => r.month === m).length}`).join(', ')}`);
  for (const [label, inGroup] of [['at-risk', true], ['others ', false]] as const) {
    const parts = months.map((m) => {
      const sub = rows.filter((r) => r.month === m && risk.has(r.customer_id!) === inGroup);
      const logins = median(sub.map((r) => Number(r.logins_30d)));
      return `${m}: n=${sub.length} median logins ${logins.toFixed(0)}, seats ${meanOf(sub.map((r) => Number(r.seats_used_pct))).toFixed(0)}%, open tickets ${pct(sub.filter((r) => r.open_tickets !== '0').length / sub.length, 0)}, overdue ${pct(sub.filter((r) => r.days_overdue !== '0').length / sub.length, 0)} (mean ${meanOf(sub.map((r) => Number(r.days_overdue))).toFixed(0)} d)`;
    });
    say(`  ${label} ${parts.join('\n          ')}`);
  }
  // Change within the same accounts, 2026-08 -> 2026-10 (those present in both months).
  const byKey = new Map(rows.map((r) => [`${r.customer_id}|${r.month}`, r]));
  const change = (inGroup: boolean): string => {
    const ratios: number[] = [];
    const seats: number[] = [];
    for (const r of rows) {
      if (r.month !== months[0] || risk.has(r.customer_id!) !== inGroup) continue;
      const oct = byKey.get(`${r.customer_id}|${months[2]}`);
      if (!oct || Number(r.logins_30d) === 0) continue;
      ratios.push(Number(oct.logins_30d) / Number(r.logins_30d));
      seats.push(Number(oct.seats_used_pct) - Number(r.seats_used_pct));
    }
    return `median logins ${sign(100 * (median(ratios) - 1), 0)}%, seats used ${sign(meanOf(seats), 0)} points (n=${ratios.length})`;
  };
  say(`  same accounts 2026-08 -> 2026-10: at-risk ${change(true)}; others ${change(false)}`);
  const aug = rows.filter((r) => r.month === months[0]);
  const churned = (sub: Rec[]): string => `${pct(sub.filter((r) => cancel.get(r.customer_id!) !== '').length / sub.length, 0)} (${sub.filter((r) => cancel.get(r.customer_id!) !== '').length}/${sub.length})`;
  say(`  cancelled by 2026-10-31, of accounts active at the end of 2026-08: at-risk ${churned(aug.filter((r) => risk.has(r.customer_id!)))}, others ${churned(aug.filter((r) => !risk.has(r.customer_id!)))}`);
  // A simple rule a CS team might use finds most of the group from the rows alone.
  let flagged = 0;
  let hit = 0;
  for (const r of aug) {
    const last = byKey.get(`${r.customer_id}|${months[2]}`) ?? byKey.get(`${r.customer_id}|${months[1]}`);
    if (!last) continue;
    if (Number(last.logins_30d) < 0.6 * Number(r.logins_30d) && Number(last.days_overdue) >= 20) {
      flagged++;
      if (risk.has(r.customer_id!)) hit++;
    }
  }
  say(`  rule "logins down >40% since 2026-08 and >=20 days overdue in the last row": flags ${flagged}, of which ${hit} planted at-risk`);
  const npsKnown = rows.filter((r) => r.last_nps !== '').length;
  say(`  last_nps present in ${pct(npsKnown / rows.length, 0)} of rows; open_tickets total ${rows.reduce((s, r) => s + Number(r.open_tickets), 0)}`);
}

// =============================================================================================

function main(): void {
  const survey = readSurvey();
  const pop = simulateAccounts(survey);
  const atRisk = plantAtRisk(pop.accounts);
  const customers = writeCustomers(pop.accounts);
  const mrr = writeMrr(pop.accounts);
  const orders = writeOrders(pop.accounts);
  const tickets = generateTickets(pop.accounts);
  const ticketFile = writeTickets(tickets);
  const reviews = writeReviews();
  const health = writeHealth(pop.accounts, tickets);
  const files = [customers, mrr, orders, ticketFile.file, reviews, health];

  say(`survey: ${survey.length} answering customers; ${pop.matched} matched to simulated accounts, ${pop.simulatedForSurvey} simulated for their answers`);
  say(`accounts: ${pop.accounts.length}; at-risk group ${atRisk.length}`);
  say();
  const responses = parse(readFileSync(join(DATA_DIR, 'responses.csv'), 'utf8'), { columns: true }) as Rec[];
  const customerRows = readBack(customers);
  summarizeCustomers(customerRows, responses);
  summarizeMrr(readBack(mrr), customerRows);
  summarizeOrders(readBack(orders), customerRows);
  summarizeTickets(readBack(ticketFile.file), ticketFile.defects);
  summarizeReviews(readBack(reviews));
  summarizeHealth(readBack(health), customerRows, atRisk);
  say();
  let total = 0;
  for (const f of files) {
    total += Buffer.byteLength(f.text);
    const sha = createHash('sha256').update(f.text).digest('hex');
    say(`${relative(process.cwd(), f.path) || f.path}  ${f.rows} rows  ${(Buffer.byteLength(f.text) / 1e6).toFixed(2)} MB  sha256 ${sha}`);
  }
  say(`total ${(total / 1e6).toFixed(2)} MB`);
  console.log(out.join('\n'));
}

main();
