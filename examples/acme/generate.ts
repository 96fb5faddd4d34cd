/**
 * Generates the synthetic survey data of the flagship example, "Acme Cloud":
 * examples/acme/data/responses.csv (overwritten on every run).
 *
 *   npx tsx examples/acme/generate.ts
 *
 * The data is fictional but deliberately carries structure, so that the example report has
 * something true to say (see README.md next to this file):
 *   1. EMEA scores clearly worse until a new onboarding programme starts on 2026-05-01, then
 *      recovering over about two months to slightly above the company average;
 *   2. the phone channel needs markedly more effort (lower CES) and has somewhat lower CSAT;
 *   3. company NPS drifts up slowly, with month-to-month noise; Enterprise > Starter;
 *   4. NPS, CSAT and CES share one latent satisfaction per response, so they move together;
 *   5. comments whose tone follows the scores, a few with HTML-special characters and
 *      embedded newlines;
 *   6. some missing and out-of-range scores that a report must exclude and count.
 *
 * Determinism: every random draw comes from one seeded PRNG (sfc32) consumed in a fixed
 * order, and nothing reads the clock or Math.random, so the output is byte-identical on every
 * run and every platform. Changing any constant or the order of draws changes the data — if you
 * do, re-check the summary this script prints and update README.md.
 *
 * Only Node built-ins are used.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allCommentText, COMMENT_SEED, writeComment } from './comments.js';
import { DRIVER_QUESTIONS, DRIVER_SEED, driverRatings, plantedShares } from './drivers.js';
import { Rng } from './rng.js';

// ---------------------------------------------------------------------------------------------
// Seeded PRNG
// ---------------------------------------------------------------------------------------------

/** Fixed seed: the whole data set is a pure function of this number and the constants below. */
const SEED = 0x5eed_ac4e;


const rng = new Rng(SEED);
/**
 * The key-driver ratings (drivers.ts) come from a stream of their own, so that adding them left
 * every other column exactly as it was.
 */
const driverRng = new Rng(DRIVER_SEED);
/** The comments' text (comments.ts) comes from a stream of its own too. */
const commentRng = new Rng(COMMENT_SEED);

// ---------------------------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const FIRST_MONTH = { year: 2025, month: 5 }; // 2025-05
const MONTH_COUNT = 18; // .. 2026-10, the current reporting period

/** The intervention: a new onboarding programme for EMEA customers starts on this date. */
const INTERVENTION_MS = Date.UTC(2026, 4, 1); // 2026-05-01T00:00:00Z
/** Days over which the EMEA effect ramps from its old level to its new one. */
const INTERVENTION_RAMP_DAYS = 60;

interface Month {
  index: number; // 0 .. MONTH_COUNT-1
  key: string; // "2026-10"
  startMs: number;
  endMs: number; // exclusive
  calendarMonth: number; // 1..12
}

const MONTHS: Month[] = Array.from({ length: MONTH_COUNT }, (_, index) => {
  const m0 = FIRST_MONTH.month - 1 + index;
  const year = FIRST_MONTH.year + Math.floor(m0 / 12);
  const month = (m0 % 12) + 1;
  return {
    index,
    key: `${year}-${String(month).padStart(2, '0')}`,
    startMs: Date.UTC(year, month - 1, 1),
    endMs: Date.UTC(year, month, 1),
    calendarMonth: month,
  };
});

// ---------------------------------------------------------------------------------------------
// Dimensions
// ---------------------------------------------------------------------------------------------

type Region = 'North America' | 'EMEA' | 'APAC' | 'LATAM';
type Plan = 'Starter' | 'Pro' | 'Enterprise';
type Channel = 'email' | 'chat' | 'phone' | 'in-app';

/** Share of customers per region. LATAM is small on purpose: its monthly cells get low-n. */
const REGION_SHARE: Record<Region, number> = { 'North America': 0.42, EMEA: 0.26, APAC: 0.24, LATAM: 0.08 };
const PLAN_SHARE: Record<Plan, number> = { Starter: 0.5, Pro: 0.35, Enterprise: 0.15 };
const CHANNEL_SHARE: Record<Channel, number> = { email: 0.35, chat: 0.25, phone: 0.2, 'in-app': 0.2 };

/** Typical UTC offset per region, so submission times cluster in each region's working day. */
const REGION_UTC_OFFSET_H: Record<Region, number> = { 'North America': -6, EMEA: 1, APAC: 8, LATAM: -3 };

// ---------------------------------------------------------------------------------------------
// Latent satisfaction model
// ---------------------------------------------------------------------------------------------
//
// Each response has one latent satisfaction `s` (roughly standard normal); nps, csat and ces are
// noisy read-outs of it. Effects below are in units of s. As a rule of thumb, +0.1 in s moves
// NPS by about 6–7 points.

/** Company-wide level at the first month and its linear drift per month (the slow trend). */
const BASE_LEVEL = 0.5;
const DRIFT_PER_MONTH = 0.005;

/**
 * Small hand-set month-to-month wobble on top of sampling noise, so the trend line is not
 * suspiciously smooth. The last two values are equal on purpose: 2026-10 vs 2026-09 should show
 * only a small, non-significant change.
 */
const MONTH_WOBBLE = [
  0.0, 0.02, -0.02, 0.02, -0.03, 0.01, 0.02, -0.02, 0.01, 0.02, -0.01, 0.0, 0.01, -0.02, 0.02, 0.01, 0.0, 0.0,
];

const REGION_EFFECT: Record<Region, number> = { 'North America': 0.03, EMEA: 0, APAC: 0.0, LATAM: -0.04 };
/** EMEA before the intervention (clearly worse) and after the ramp (slightly above average). */
const EMEA_BEFORE = -0.4;
const EMEA_AFTER = 0.06;

const PLAN_EFFECT: Record<Plan, number> = { Starter: -0.04, Pro: 0.02, Enterprise: 0.1 };
const CHANNEL_EFFECT: Record<Channel, number> = { email: 0.0, chat: 0.04, phone: -0.12, 'in-app': 0.03 };

/** Persistent per-customer offset (some accounts are simply happier) and per-response noise. */
const CUSTOMER_SD = 0.35;
const RESPONSE_SD = 0.9;

/**
 * A few responses follow a genuinely bad experience (an outage, a lost ticket). Normal noise
 * alone almost never yields scores of 0–3; real NPS data has a thin but real tail there.
 */
const BAD_EXPERIENCE_RATE = 0.05;
const BAD_EXPERIENCE_SHIFT = -1.4;

/** Extra effort on the phone, in CES points (hold queues, transfers): the high-effort channel. */
const PHONE_CES_PENALTY = 1.4;

/** EMEA's region effect at time `ms`: flat, then a smooth ramp after the intervention. */
function emeaEffect(ms: number): number {
  if (ms < INTERVENTION_MS) return EMEA_BEFORE;
  const x = Math.min(1, (ms - INTERVENTION_MS) / (INTERVENTION_RAMP_DAYS * DAY_MS));
  const smooth = x * x * (3 - 2 * x); // smoothstep: the change builds up, then settles
  return EMEA_BEFORE + (EMEA_AFTER - EMEA_BEFORE) * smooth;
}

function clampRound(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(x)));
}

/** 0–10 likelihood to recommend. */
function npsFromLatent(s: number): number {
  return clampRound(7.35 + 2.05 * (s + rng.normal(0, 0.45)), 0, 10);
}

/** 1–5 satisfaction, via cut points on the noisy latent (CSAT answers bunch at 4). */
function csatFromLatent(s: number): number {
  const x = s + rng.normal(0, 0.55);
  const cuts = [-1.75, -0.95, -0.15, 0.95];
  let score = 1;
  for (const c of cuts) if (x > c) score++;
  return score;
}

/** 1–7 Customer Effort Score, CES 2.0 agreement scale: 7 = very easy. */
function cesFromLatent(s: number, channel: Channel): number {
  const penalty = channel === 'phone' ? PHONE_CES_PENALTY : 0;
  return clampRound(4.95 + 1.05 * s + rng.normal(0, 0.9) - penalty, 1, 7);
}

// ---------------------------------------------------------------------------------------------
// Customers
// ---------------------------------------------------------------------------------------------

/** Size of the account pool; with the skewed activity below about 6,000 of them answer. */
const CUSTOMER_POOL = 7_600;

interface Customer {
  id: string;
  region: Region;
  plan: Plan;
  offset: number;
  activity: number; // relative chance of answering a survey
}

const customers: Customer[] = Array.from({ length: CUSTOMER_POOL }, (_, i) => ({
  id: `C${String(i + 1).padStart(5, '0')}`,
  region: rng.weighted(REGION_SHARE),
  plan: rng.weighted(PLAN_SHARE),
  offset: rng.normal(0, CUSTOMER_SD),
  // Log-normal: most accounts answer once or never, a few contact support (and answer) often.
  activity: Math.exp(rng.normal(0, 0.8)),
}));

const activityCumulative: number[] = [];
{
  let sum = 0;
  for (const c of customers) activityCumulative.push((sum += c.activity));
}

function pickCustomer(): Customer {
  const total = activityCumulative[activityCumulative.length - 1]!;
  const r = rng.next() * total;
  let lo = 0;
  let hi = activityCumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (activityCumulative[mid]! > r) hi = mid;
    else lo = mid + 1;
  }
  return customers[lo]!;
}

// ---------------------------------------------------------------------------------------------
// Volume and timestamps
// ---------------------------------------------------------------------------------------------

/**
 * Responses in a month: slow growth (~1%/month), mild seasonality (quieter in summer and over
 * the December holidays) and a little noise — about 1,000–1,250 a month.
 */
function monthVolume(m: Month): number {
  const growth = 1040 * (1 + 0.011 * m.index);
  const season = 1 + 0.035 * Math.cos((2 * Math.PI * (m.calendarMonth - 2)) / 12) - (m.calendarMonth === 12 ? 0.04 : 0);
  return Math.round(growth * season * (1 + rng.normal(0, 0.015)));
}

/** Relative submission rate by local weekday (0 = Sunday) and local hour. */
const WEEKDAY_RATE = [0.35, 1, 1, 1, 0.95, 0.85, 0.4];
const HOUR_RATE = [
  0.05, 0.03, 0.02, 0.02, 0.03, 0.06, 0.15, 0.35, 0.7, 1, 1, 0.95, 0.8, 0.9, 1, 0.95, 0.85, 0.7, 0.5, 0.4, 0.35,
  0.3, 0.2, 0.1,
];

/** A second within the month, denser during the region's local working hours (rejection sampling). */
function timestampIn(m: Month, region: Region): number {
  const offsetMs = REGION_UTC_OFFSET_H[region] * 3_600_000;
  const seconds = (m.endMs - m.startMs) / 1000;
  for (;;) {
    const ms = m.startMs + Math.floor(rng.next() * seconds) * 1000;
    const local = new Date(ms + offsetMs);
    if (rng.next() < WEEKDAY_RATE[local.getUTCDay()]! * HOUR_RATE[local.getUTCHours()]!) return ms;
  }
}

// ---------------------------------------------------------------------------------------------
// Comments
// ---------------------------------------------------------------------------------------------

type Sentiment = 'promoter' | 'passive' | 'detractor';
/**
 * Comments with characters a report must escape in HTML (< > & "), two of them also with a
 * comma, a quote and a newline inside (exercising CSV quoting). Each is placed on one response
 * whose scores match its tone (and channel, where given); those marked `current` land in the
 * current reporting period, where a report is most likely to quote verbatims.
 */
const SPECIAL_COMMENTS: readonly { text: string; sentiment: Sentiment; channel?: Channel; current?: true }[] = [
  {
    text: 'Billing page says "<b>overdue</b>" even though I paid & got a receipt',
    sentiment: 'detractor',
    current: true,
  },
  { text: 'Searching for "R&D" returns nothing, the & seems to break the query.', sentiment: 'passive' },
  { text: 'Exports turn <br> tags into literal text in both the CSV & the PDF.', sentiment: 'detractor' },
  { text: 'Support & billing were quick, and the new reports page is <em>much</em> better. Thanks!', sentiment: 'promoter' },
  { text: 'Dashboard claims response time < 1s, but it feels like > 5s from our office.', sentiment: 'passive' },
  { text: 'Clicked "Import <CSV>" & nothing happened, twice.', sentiment: 'detractor' },
  {
    text: 'Agent said "it\'s a known issue, we\'ll call you back",\nthat was two weeks ago.\nStill waiting.',
    sentiment: 'detractor',
    channel: 'phone',
  },
  {
    text: 'Great call with Priya, she said "no problem" & fixed it in minutes.\nP.S. the <Save> button is still misaligned.',
    sentiment: 'promoter',
    channel: 'phone',
    current: true,
  },
];

/** Share of responses with an empty comment; passives bother least, detractors most. */
const EMPTY_COMMENT_RATE: Record<Sentiment, number> = { promoter: 0.25, passive: 0.33, detractor: 0.16 };

const MIN_WORDS = 5;
const MAX_WORDS = 40;

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function sentimentOf(nps: number): Sentiment {
  return nps >= 9 ? 'promoter' : nps >= 7 ? 'passive' : 'detractor';
}

/**
 * A comment whose tone matches the scores, written by comments.ts from a stream of its own. From the
 * main stream it takes exactly the draws the earlier template comments took (whether there is a
 * comment, then four picks and a shape, and two more picks for a two-topic comment), so every
 * score, date and segment of the file is what it was before the comments were rewritten.
 */
function composeComment(sentiment: Sentiment, channel: Channel, region: Region, plan: Plan, ms: number): string {
  if (rng.chance(EMPTY_COMMENT_RATE[sentiment])) return '';
  for (let i = 0; i < 4; i++) rng.next();
  if (rng.next() >= 0.85) {
    rng.next();
    rng.next();
  }
  return writeComment(commentRng, { tone: sentiment, channel, region, plan, ms });
}

/** Guard: ordinary comment text must not need HTML escaping, so the special comments stay few. */
function checkFragments(): number {
  const all = new Set(allCommentText());
  for (const f of all) {
    if (/[<>&"\n]/.test(f)) throw new Error(`comment text needs escaping, move it to SPECIAL_COMMENTS: ${f}`);
  }
  return all.size;
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

/** A score cell: a valid integer, empty (not answered), or a planted out-of-range value. */
type Cell = number | null;

interface Row {
  seq: number; // generation order, the tie-breaker for equal timestamps
  ms: number;
  customer: Customer;
  channel: Channel;
  nps: Cell;
  csat: Cell;
  ces: Cell;
  comment: string;
  sentiment: Sentiment;
  /** 0–10 satisfaction with each driver of DRIVER_QUESTIONS (null: skipped) */
  drivers: (number | null)[];
}

/** Rates of unanswered questions (CES is only asked after a support contact, so it is skipped more). */
const MISSING_RATE = { nps: 0.005, csat: 0.005, ces: 0.01 };

/**
 * Planted out-of-range values (data-entry / integration bugs); a report must exclude and count
 * them. The first of each list lands in the current reporting period, so its data-quality note
 * has something to count; the rest are spread over the whole range.
 */
const OUT_OF_RANGE = {
  nps: [11, 11, 12, -1, 11],
  csat: [0, 0, 6, 0],
  ces: [9, 0, 8, 9, 9, 0],
} as const;

function generate(): Row[] {
  const rows: Row[] = [];
  for (const m of MONTHS) {
    const n = monthVolume(m);
    for (let i = 0; i < n; i++) {
      const customer = pickCustomer();
      const channel = rng.weighted(CHANNEL_SHARE);
      const ms = timestampIn(m, customer.region);
      const monthsElapsed = (ms - MONTHS[0]!.startMs) / (30.44 * DAY_MS);
      const regionEffect = customer.region === 'EMEA' ? emeaEffect(ms) : REGION_EFFECT[customer.region];
      // the response's own noise, split into the driver experiences (drivers.ts); drawn in the same order as ever
      const noise = rng.normal(0, RESPONSE_SD);
      const badExperience = rng.chance(BAD_EXPERIENCE_RATE);
      const s =
        BASE_LEVEL +
        DRIFT_PER_MONTH * monthsElapsed +
        MONTH_WOBBLE[m.index]! +
        regionEffect +
        PLAN_EFFECT[customer.plan] +
        CHANNEL_EFFECT[channel] +
        customer.offset +
        noise +
        (badExperience ? BAD_EXPERIENCE_SHIFT : 0);
      const drivers = driverRatings(driverRng, noise, RESPONSE_SD ** 2);
      const nps = npsFromLatent(s);
      const csat = csatFromLatent(s);
      const ces = cesFromLatent(s, channel);
      const sentiment = sentimentOf(nps); // from the true score, so blanked rows keep a fitting comment
      const comment = composeComment(sentiment, channel, customer.region, customer.plan, ms);
      rows.push({
        seq: rows.length,
        ms,
        customer,
        channel,
        nps: rng.chance(MISSING_RATE.nps) ? null : nps,
        csat: rng.chance(MISSING_RATE.csat) ? null : csat,
        ces: rng.chance(MISSING_RATE.ces) ? null : ces,
        comment,
        sentiment,
        drivers,
      });
    }
  }
  rows.sort((a, b) => a.ms - b.ms || a.seq - b.seq);

  // Plant the out-of-range values on distinct rows that are otherwise complete.
  const currentStart = MONTHS[MONTHS.length - 1]!.startMs;
  const firstCurrent = rows.findIndex((r) => r.ms >= currentStart);
  const taken = new Set<number>();
  const freeRow = (accept: (r: Row) => boolean, current = false): Row => {
    for (;;) {
      const idx = rng.int(current ? firstCurrent : 0, rows.length - 1);
      const r = rows[idx]!;
      if (!taken.has(idx) && r.nps !== null && r.csat !== null && r.ces !== null && accept(r)) {
        taken.add(idx);
        return r;
      }
    }
  };
  OUT_OF_RANGE.nps.forEach((v, i) => (freeRow(() => true, i === 0).nps = v));
  OUT_OF_RANGE.csat.forEach((v, i) => (freeRow(() => true, i === 0).csat = v));
  OUT_OF_RANGE.ces.forEach((v, i) => (freeRow(() => true, i === 0).ces = v));

  // Place the special comments on rows that already carry a comment and whose scores agree with
  // the comment's tone (NPS category, and a CSAT on the same side), so they read as genuine.
  const csatFits = (sentiment: Sentiment, csat: number): boolean =>
    sentiment === 'promoter' ? csat >= 4 : sentiment === 'detractor' ? csat <= 3 : csat >= 3 && csat <= 4;
  for (const sc of SPECIAL_COMMENTS) {
    const row = freeRow(
      (r) =>
        r.comment !== '' &&
        r.sentiment === sc.sentiment &&
        csatFits(sc.sentiment, r.csat!) &&
        (!sc.channel || r.channel === sc.channel),
      sc.current,
    );
    row.comment = sc.text;
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

const HEADER = ['response_id', 'customer_id', 'submitted_at', 'channel', 'region', 'plan', 'nps_score', 'csat', 'ces', 'comment', ...DRIVER_QUESTIONS.map((q) => q.column)];

/** RFC 4180: quote a field containing a comma, quote, CR or LF, doubling embedded quotes. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function toCsv(rows: Row[]): string {
  const lines = [HEADER.join(',')];
  rows.forEach((r, i) => {
    const cells = [
      `R${String(i + 1).padStart(6, '0')}`,
      r.customer.id,
      isoSeconds(r.ms),
      r.channel,
      r.customer.region,
      r.customer.plan,
      r.nps === null ? '' : String(r.nps),
      r.csat === null ? '' : String(r.csat),
      r.ces === null ? '' : String(r.ces),
      r.comment,
      ...r.drivers.map((v) => (v === null ? '' : String(v))),
    ];
    lines.push(cells.map(csvField).join(','));
  });
  // LF line endings (embedded newlines in comments are LF too); trailing newline at the end.
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Summary (recomputed from the generated rows, to verify the planted structure)
// ---------------------------------------------------------------------------------------------

const validNps = (v: Cell): v is number => v !== null && Number.isInteger(v) && v >= 0 && v <= 10;
const validCsat = (v: Cell): v is number => v !== null && Number.isInteger(v) && v >= 1 && v <= 5;
const validCes = (v: Cell): v is number => v !== null && Number.isInteger(v) && v >= 1 && v <= 7;

interface NpsStat {
  n: number;
  nps: number; // -100..100
  se: number; // standard error of the NPS, in points
}

/** NPS with its standard error (each answer scored +1 / 0 / -1; NPS = 100 x the mean). */
function npsStat(rows: readonly Row[]): NpsStat {
  let n = 0;
  let pro = 0;
  let det = 0;
  for (const r of rows) {
    if (!validNps(r.nps)) continue;
    n++;
    if (r.nps >= 9) pro++;
    else if (r.nps <= 6) det++;
  }
  const p = pro / n;
  const d = det / n;
  const variance = p + d - (p - d) ** 2;
  return { n, nps: 100 * (p - d), se: 100 * Math.sqrt(variance / n) };
}

function diffZ(a: NpsStat, b: NpsStat): number {
  return (b.nps - a.nps) / Math.sqrt(a.se ** 2 + b.se ** 2);
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

const fmt = (x: number, digits = 1): string => (x >= 0 ? '+' : '') + x.toFixed(digits);

function summarize(rows: Row[], csvPath: string, csv: string, fragmentCount: number): void {
  const monthOf = (r: Row) => isoSeconds(r.ms).slice(0, 7);
  const inMonths = (from: string, to: string) => rows.filter((r) => monthOf(r) >= from && monthOf(r) <= to);
  const out: string[] = [];
  const say = (s = '') => out.push(s);

  say(`wrote ${csvPath}`);
  say(`  ${rows.length} rows, ${(csv.length / 1e6).toFixed(2)} MB, sha256 ${createHash('sha256').update(csv).digest('hex')}`);
  say(`  ${isoSeconds(rows[0]!.ms)} .. ${isoSeconds(rows[rows.length - 1]!.ms)}`);
  say(`  ${new Set(rows.map((r) => r.customer.id)).size} distinct customers; ${fragmentCount} distinct comment fragments`);

  say();
  say('month     n     NPS   (EMEA  others)  CSAT  CES');
  for (const m of MONTHS) {
    const mr = rows.filter((r) => monthOf(r) === m.key);
    const emea = npsStat(mr.filter((r) => r.customer.region === 'EMEA'));
    const others = npsStat(mr.filter((r) => r.customer.region !== 'EMEA'));
    say(
      `${m.key}  ${String(mr.length).padStart(4)}  ${fmt(npsStat(mr).nps).padStart(6)}  (${fmt(emea.nps).padStart(6)} ${fmt(others.nps).padStart(6)})` +
        `  ${mean(mr.map((r) => r.csat).filter(validCsat)).toFixed(2)}  ${mean(mr.map((r) => r.ces).filter(validCes)).toFixed(2)}`,
    );
  }

  const sep = npsStat(inMonths('2026-09', '2026-09'));
  const oct = npsStat(inMonths('2026-10', '2026-10'));
  say();
  say(`overall NPS 2026-09: ${fmt(sep.nps)} (n=${sep.n})   2026-10: ${fmt(oct.nps)} (n=${oct.n})   change ${fmt(oct.nps - sep.nps)}, z=${diffZ(sep, oct).toFixed(2)}`);

  const emea = rows.filter((r) => r.customer.region === 'EMEA');
  const before = npsStat(emea.filter((r) => r.ms < INTERVENTION_MS && monthOf(r) >= '2025-11'));
  const after = npsStat(emea.filter((r) => r.ms >= INTERVENTION_MS));
  const late = npsStat(emea.filter((r) => monthOf(r) >= '2026-07'));
  const companyLate = npsStat(inMonths('2026-07', '2026-10'));
  say(
    `EMEA NPS 2025-11..2026-04: ${fmt(before.nps)} (n=${before.n})   2026-05..2026-10: ${fmt(after.nps)} (n=${after.n})   change ${fmt(after.nps - before.nps)}, z=${diffZ(before, after).toFixed(1)}`,
  );
  say(`EMEA NPS 2026-07..2026-10: ${fmt(late.nps)} vs company ${fmt(companyLate.nps)}`);

  say();
  say('by channel   share   CES   CSAT   NPS');
  for (const ch of Object.keys(CHANNEL_SHARE) as Channel[]) {
    const cr = rows.filter((r) => r.channel === ch);
    say(
      `  ${ch.padEnd(9)} ${((100 * cr.length) / rows.length).toFixed(1).padStart(5)}%  ${mean(cr.map((r) => r.ces).filter(validCes)).toFixed(2)}  ${mean(cr.map((r) => r.csat).filter(validCsat)).toFixed(2)}  ${fmt(npsStat(cr).nps)}`,
    );
  }
  say('by region    share   NPS (whole period)');
  for (const rg of Object.keys(REGION_SHARE) as Region[]) {
    const rr = rows.filter((r) => r.customer.region === rg);
    say(`  ${rg.padEnd(13)} ${((100 * rr.length) / rows.length).toFixed(1).padStart(5)}%  ${fmt(npsStat(rr).nps)}`);
  }
  const latamOct = inMonths('2026-10', '2026-10').filter((r) => r.customer.region === 'LATAM');
  say(
    `  LATAM x channel in 2026-10: ${(Object.keys(CHANNEL_SHARE) as Channel[]).map((ch) => `${ch} ${latamOct.filter((r) => r.channel === ch).length}`).join(', ')}`,
  );
  say('by plan      NPS (whole period)');
  for (const pl of Object.keys(PLAN_SHARE) as Plan[]) {
    say(`  ${pl.padEnd(11)} ${fmt(npsStat(rows.filter((r) => r.customer.plan === pl)).nps)}`);
  }

  const det = rows.filter((r) => validNps(r.nps) && r.nps <= 6 && validCsat(r.csat));
  say();
  say(`detractors with csat <= 3: ${((100 * det.filter((r) => r.csat! <= 3).length) / det.length).toFixed(0)}%`);
  const blanks = (k: 'nps' | 'csat' | 'ces') => rows.filter((r) => r[k] === null).length;
  say(`missing:      nps ${blanks('nps')}, csat ${blanks('csat')}, ces ${blanks('ces')}`);
  const bad = (k: 'nps' | 'csat' | 'ces', ok: (v: Cell) => boolean) => rows.filter((r) => r[k] !== null && !ok(r[k])).length;
  say(`out of range: nps ${bad('nps', validNps)}, csat ${bad('csat', validCsat)}, ces ${bad('ces', validCes)}`);
  const cur = inMonths('2026-10', '2026-10');
  const curBlank = (k: 'nps' | 'csat' | 'ces') => cur.filter((r) => r[k] === null).length;
  const curBad = (k: 'nps' | 'csat' | 'ces', ok: (v: Cell) => boolean) => cur.filter((r) => r[k] !== null && !ok(r[k])).length;
  say(
    `  in 2026-10:  missing nps ${curBlank('nps')}, csat ${curBlank('csat')}, ces ${curBlank('ces')}; ` +
      `out of range nps ${curBad('nps', validNps)}, csat ${curBad('csat', validCsat)}, ces ${curBad('ces', validCes)}`,
  );
  say('key drivers (0-10) mean   skipped  planted LMG share of R2');
  const planted = plantedShares();
  DRIVER_QUESTIONS.forEach((q, j) => {
    const given = rows.map((r) => r.drivers[j]).filter((v): v is number => v !== null);
    say(`  ${q.column.padEnd(12)}  ${mean(given).toFixed(2)}  ${String(rows.length - given.length).padStart(7)}  ${planted[j]!.share.toFixed(1).padStart(5)}%`);
  });
  const words = rows.filter((r) => r.comment !== '').map((r) => wordCount(r.comment));
  say(
    `comments: ${((100 * words.length) / rows.length).toFixed(1)}% non-empty, ${new Set(rows.map((r) => r.comment)).size - 1} distinct, ` +
      `${Math.min(...words)}-${Math.max(...words)} words, ${rows.filter((r) => /[<>&"]/.test(r.comment)).length} need HTML escaping, ` +
      `${rows.filter((r) => r.comment.includes('\n')).length} multi-line`,
  );
  console.log(out.join('\n'));
}

// ---------------------------------------------------------------------------------------------

function main(): void {
  const fragmentCount = checkFragments();
  const rows = generate();
  const csv = toCsv(rows);
  const here = dirname(fileURLToPath(import.meta.url));
  const csvPath = join(here, 'data', 'responses.csv');
  mkdirSync(dirname(csvPath), { recursive: true });
  writeFileSync(csvPath, csv, 'utf8');
  summarize(rows, relative(process.cwd(), csvPath) || csvPath, csv, fragmentCount);
}

main();
