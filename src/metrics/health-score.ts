/**
 * Customer health score: per account and period, a weighted mean of component signals (usage,
 * seats, open tickets, NPS, days overdue, …), each normalised to 0–100 with a configurable
 * direction. Bounds come from the config or from the data's 5th–95th percentiles (values outside
 * are clipped). Missing components are re-weighted over the present ones; an account with fewer
 * than half of its components present is excluded and counted. Bands: red < red-threshold ≤ amber
 * < amber-threshold ≤ green. The value is the mean score (t interval, Welch's t-test for the change);
 * the share of red accounts, band counts, band movements since the previous period and the
 * at-risk accounts come with it.
 */
import { ExclusionCounter } from './exclusions.js';
import { invalidRowHint, rowRejecter } from './invalid.js';
import { cellValue, ident, isPushdown, isTemporal, loadRows, type PushdownSource, type SqlRelation } from '../sources/sql.js';
import type { SourceTable } from '../sources/types.js';
import { periodKey, sourceDimensions } from './pushdown.js';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { z } from 'zod';
import { CxError } from '../kernel/errors.js';
import { formatter } from '../kernel/format.js';
import { localTranslator, type Locale, type Vars } from '../kernel/i18n.js';
import { palette } from '../kernel/theme.js';
import { compileFilter, filterSchema, type Filter } from '../kernel/filter.js';
import type { ComputeContext, GroupResult, MetricModule, MetricResult, PeriodValue, Prepared, PrepareContext, VisualBlock, VisualContext } from './module.js';
import { historyRange, parseTimestamp, periodOf, periodStart, shiftPeriod, type Granularity } from '../kernel/period.js';
import { groupKey } from './prepare.js';
import { adjustGroups, ALPHA, makeResult, exclusionFields } from './result-builders.js';
import { metricFields } from './score/schema.js';
import { meanEstimate, quantileSorted, studentTCdf, twoProportionZTest, welchTTest, wilsonInterval, type Interval } from '../kernel/stats.js';
import { precise } from '../kernel/precision.js';

/** The module's text in each report locale (see localTranslator in kernel/i18n.ts). */
export const MESSAGES = {
  en: {
    label: 'Health score',
    title: 'Customer health score',
    test: "Welch's t-test",
    'test.paired': 'paired t-test over the {n} accounts scored in both periods',
    method:
      "Per account and period, each component is normalised to 0–100 as 100·(x − min)/(max − min), clipped to [0, 100] and reversed when lower is better; bounds come from the config or from the data's 5th–95th percentiles over all periods (min–max if those coincide). Components: {components}. " +
      'The score is the weighted mean of the components present (weights re-scaled over them); an account with fewer than half of its components present is excluded and counted, and a non-numeric component value is treated as missing and counted. With several snapshots of an account in one period the latest is used. ' +
      "Bands: red < {red} ≤ amber < {amber} ≤ green. Value: mean score over accounts, 95% t interval x̄ ± t(0.975, n−1)·s/√n; change: the mean change per account over the accounts scored in both periods, tested by a paired t-test (the same accounts are measured twice, so an independent-samples test would be invalid); Welch's t-test on the two periods' means when fewer than two accounts are paired, and for breakdowns. Share red: Wilson interval, pooled two-proportion z-test.",
    'method.component': '{label} (weight {weight}, {direction}, {bounds} from {source})',
    'method.componentSep': '; ',
    'method.noBounds': 'no bounds',
    'method.range': '{min}–{max}',
    'direction.higher-is-better': 'higher-is-better',
    'direction.lower-is-better': 'lower-is-better',
    'bounds.config': 'config',
    'bounds.data p5–p95': 'data p5–p95',
    'bounds.data min–max': 'data min–max',
    'bounds.constant': 'constant',
    'band.red': 'Red',
    'band.amber': 'Amber',
    'band.green': 'Green',
    'chart.title': '{share} of {n} accounts are red in {period}; mean health {mean}',
    'chart.caption':
      'Distribution of account health scores (0–100, bins of 5) coloured by band: red < {red} ≤ amber < {amber} ≤ green; n = {n} accounts. Weighted mean of {components} normalised components. Source: {source}.',
    'chart.alt': 'Histogram of health scores in {period}: {red} red, {amber} amber, {green} green accounts; mean {mean}.',
    'chart.x': 'Health score',
    'chart.y': 'Accounts',
    'moves.caption': 'Band movements from {previous} to {period} ({down} accounts moved down a band, {up} up)',
    'moves.corner': '{previous} ↓ / {period} →',
    'moves.notNow': 'Not scored now',
    'moves.notBefore': 'Not scored before',
    'moves.footnote': 'Rows: band in the previous period; columns: band now. Accounts on the diagonal kept their band.',
    'accounts.account': 'Account',
    'accounts.score': 'Score',
    'accounts.band': 'Band',
    'accounts.previous': '{score} ({band})',
    'atRisk.caption': 'The {count} accounts with the lowest health in {period}',
    'atRisk.footnote': 'Component columns show the raw values; — means missing.',
    'atRisk.footnoteFirst': 'Component columns show the raw values of the first 4 of {count} components; — means missing.',
    'movedDown.caption': 'Accounts that moved down a band since {previous} (largest drops first)',
    noAccounts: 'No scored accounts in {period}.',
    paired: 'Among the {n} accounts scored in both periods, health changed by {change} points on average (95% CI {ci}; paired t-test {p}).',
    'paired.na': 'not available',
  },
  'zh-CN': {
    label: '健康度评分',
    title: '客户健康度评分',
    test: 'Welch t 检验',
    'test.paired': '配对 t 检验（两期均有评分的 {n} 个账户）',
    method:
      '对每个账户和期间，每个分项按 100·(x − min)/(max − min) 归一化到 0–100，截断到 [0, 100]，越低越好的分项取反；上下界来自配置，或来自数据在所有期间的第 5 和第 95 百分位数（两者相同时取最小值和最大值）。分项：{components}。' +
      '评分为现有分项的加权平均（权重在现有分项上重新缩放）；现有分项不足一半的账户会被排除并计数，非数值的分项取值视为缺失并计数。同一账户在一期内有多个快照时，使用最新的快照。' +
      '等级：红色 < {red} ≤ 黄色 < {amber} ≤ 绿色。数值：所有账户的平均评分，95% t 置信区间 x̄ ± t(0.975, n−1)·s/√n；变化：两期均有评分的账户的平均每账户变化，采用配对 t 检验（同一批账户被测量两次，独立样本检验不适用）；配对账户少于两个时及分组细分中采用 Welch t 检验比较两期均值。红色账户占比：Wilson 区间，采用合并比例的双比例 z 检验。',
    'method.component': '{label}（权重{weight}，{direction}，{bounds}，来自{source}）',
    'method.componentSep': '；',
    'method.noBounds': '无上下界',
    'method.range': '{min}–{max}',
    'direction.higher-is-better': '越高越好',
    'direction.lower-is-better': '越低越好',
    'bounds.config': '配置',
    'bounds.data p5–p95': '数据 p5–p95',
    'bounds.data min–max': '数据最小值–最大值',
    'bounds.constant': '常数',
    'band.red': '红色',
    'band.amber': '黄色',
    'band.green': '绿色',
    'chart.title': '{period}的{n}个账户中有{share}为红色；平均健康度{mean}',
    'chart.caption': '账户健康度评分分布（0–100，组距为 5），按等级着色：红色 < {red} ≤ 黄色 < {amber} ≤ 绿色；n = {n}个账户。评分为{components}个归一化分项的加权平均。数据来源：{source}。',
    'chart.alt': '{period}健康度评分直方图：红色{red}个、黄色{amber}个、绿色{green}个账户；平均{mean}。',
    'chart.x': '健康度评分',
    'chart.y': '账户数',
    'moves.caption': '从{previous}到{period}的等级变动（{down}个账户等级下降，{up}个上升）',
    'moves.corner': '{previous} ↓ / {period} →',
    'moves.notNow': '本期未评分',
    'moves.notBefore': '上期未评分',
    'moves.footnote': '行：上期等级；列：本期等级。对角线上的账户等级未变。',
    'accounts.account': '账户',
    'accounts.score': '评分',
    'accounts.band': '等级',
    'accounts.previous': '{score}（{band}）',
    'atRisk.caption': '{period}健康度最低的{count}个账户',
    'atRisk.footnote': '分项列显示原始值；“—”表示缺失。',
    'atRisk.footnoteFirst': '分项列显示{count}个分项中前 4 个的原始值；“—”表示缺失。',
    'movedDown.caption': '自{previous}以来等级下降的账户（按降幅从大到小排列）',
    noAccounts: '{period}没有已评分的账户。',
    paired: '在两期均有评分的{n}个账户中，健康度平均变化{change}分（95% 置信区间{ci}；配对 t 检验{p}）。',
    'paired.na': '不可用',
  },
} satisfies Record<Locale, Record<string, string>>;

type Translate = (key: keyof (typeof MESSAGES)['en'], vars?: Vars) => string;

const componentSchema = z
  .strictObject({
    column: z.string().describe('Column holding the signal.').meta({ examples: ['logins_30d'] }),
    label: z.string().optional().describe('Name shown in tables; defaults to the column name.'),
    weight: z.number().positive().default(1).describe('Relative weight in the score (weights are re-scaled over the components present).'),
    direction: z.enum(['higher-is-better', 'lower-is-better']).default('higher-is-better').describe('Whether a higher value means a healthier account (logins) or a less healthy one (open tickets, days overdue).'),
    min: z.number().optional().describe('Value that scores 0 (100 when lower is better); default: the 5th percentile of the data.').meta({ examples: [0] }),
    max: z.number().optional().describe('Value that scores 100 (0 when lower is better); default: the 95th percentile of the data.').meta({ examples: [100, 60] }),
  })
  .describe('One signal of the health score.')
  .meta({ examples: [{ column: 'logins_30d', weight: 2, direction: 'higher-is-better' }, { column: 'days_overdue', weight: 1, direction: 'lower-is-better', min: 0, max: 60 }] });

export const healthScoreSchema = z
  .strictObject({
    type: z.literal('health-score'),
    source: z.string().describe('Name of the source (under `sources:`) with one row per account and snapshot.').meta({ examples: ['health'] }),
    id: z.string().describe('Column with the account (customer) id.').meta({ examples: ['customer_id'] }),
    period: z.string().optional().describe('Column with the snapshot month as YYYY-MM (give this or `date`).').meta({ examples: ['month'] }),
    date: z.string().optional().describe('Column with the snapshot date (ISO 8601; give this or `period`).').meta({ examples: ['snapshot_date'] }),
    components: z.array(componentSchema).min(1).describe('The signals combined into the score, each normalised to 0–100.'),
    bands: z
      .strictObject({
        red: z.number().min(0).max(100).default(40).describe('Scores below this are red.'),
        amber: z.number().min(0).max(100).default(70).describe('Scores from `red` up to below this are amber; this and above are green.'),
      })
      .prefault({})
      .describe('Band thresholds: red < red ≤ amber < amber ≤ green.')
      .meta({ examples: [{ red: 40, amber: 70 }] }),
    top: z.number().int().min(1).max(100).default(10).describe('How many at-risk accounts to list.'),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Customer health score: weighted composite of normalised component signals per account (0–100), with red/amber/green bands.');

export type HealthScoreDef = z.infer<typeof healthScoreSchema>;

export type Band = 'red' | 'amber' | 'green';
export const BANDS: Band[] = ['red', 'amber', 'green'];

/** One account's snapshot in one period. */
export interface AccountScore {
  account: string;
  period: string;
  ts: number;
  score: number;
  band: Band;
  /** raw component values (null: missing or not a number) */
  values: (number | null)[];
  /** normalised component scores 0–100 (null: missing) */
  scores: (number | null)[];
  row: number;
}

export interface ComponentBounds {
  column: string;
  label: string;
  weight: number;
  direction: 'higher-is-better' | 'lower-is-better';
  min: number | null;
  max: number | null;
  /** where the bounds came from */
  bounds: 'config' | 'data p5–p95' | 'data min–max' | 'constant';
}

export interface PreparedHealth extends Prepared {
  kind: 'health-score';
  id: string;
  def: HealthScoreDef;
  granularity: Granularity;
  /** one row per scored account and period: source columns plus __period, __ts, __account, __score, __red */
  table: ColumnTable;
  byPeriod: Map<string, Map<string, AccountScore>>;
  components: ComponentBounds[];
  firstPeriod: string | undefined;
  exclusions: Map<string, Record<string, number>>;
  /** unusable (non-numeric) component cells per period, by column; treated as missing */
  componentIssues: Map<string, Record<string, number>>;
  /** 'sql' when the database picked the snapshots */
  engine: 'memory' | 'sql';
}

export function bandOf(score: number, bands: { red: number; amber: number }): Band {
  return score < bands.red ? 'red' : score < bands.amber ? 'amber' : 'green';
}

/** Normalises a value to 0–100 against [min, max] (clipped); lower-is-better reverses it. */
export function normalise(value: number, c: Pick<ComponentBounds, 'min' | 'max' | 'direction'>): number {
  let s: number;
  if (c.min === null || c.max === null || c.max <= c.min) s = 50;
  else s = Math.min(100, Math.max(0, (100 * (value - c.min)) / (c.max - c.min)));
  return c.direction === 'lower-is-better' ? 100 - s : s;
}

const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

function numberOf(raw: unknown): number | null | 'invalid' {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : 'invalid';
  const s = String(raw);
  if (s.trim() === '') return null;
  return NUMBER.test(s) ? Number(s) : 'invalid';
}

/** Snapshot time of a YYYY-MM cell (the month's last day) or of an ISO date. */
function snapshotTime(raw: unknown, monthColumn: boolean): number {
  if (raw === null || raw === undefined) return NaN;
  const s = String(raw).trim();
  if (monthColumn) {
    const m = /^(\d{4})-(\d{2})$/.exec(s);
    if (m) {
      const month = Number(m[2]);
      return month >= 1 && month <= 12 ? Date.UTC(Number(m[1]), month, 0) : NaN;
    }
  }
  return parseTimestamp(s);
}

function prepareHealth(ctx: PrepareContext<HealthScoreDef>): PreparedHealth | Promise<PreparedHealth> {
  const def = ctx.def;
  const at = (key: (string | number)[]) => ctx.config.yaml.locate(['metrics', ctx.id, ...key]);
  if ((def.period === undefined) === (def.date === undefined)) {
    throw new CxError('config', `metric "${ctx.id}": give either \`period\` (a YYYY-MM column) or \`date\` (an ISO date column), not ${def.period === undefined ? 'neither' : 'both'}`, { location: at([]), hint: 'e.g. period: month' });
  }
  if (def.bands.red >= def.bands.amber) {
    throw new CxError('config', `metric "${ctx.id}": bands.red (${def.bands.red}) must be below bands.amber (${def.bands.amber})`, { location: at(['bands']), hint: 'e.g. bands: { red: 40, amber: 70 }' });
  }
  def.components.forEach((c, i) => {
    if (c.min !== undefined && c.max !== undefined && c.min >= c.max) throw new CxError('config', `metric "${ctx.id}": component "${c.column}" has min ${c.min} ≥ max ${c.max}`, { location: at(['components', i, 'min']), hint: 'min is the value scoring 0 (or 100 when lower is better), max the one scoring 100' });
  });
  const source = ctx.source('source');
  ctx.requireColumn(source, def.id, ['id']);
  if (def.period !== undefined) ctx.requireColumn(source, def.period, ['period']);
  if (def.date !== undefined) ctx.requireColumn(source, def.date, ['date']);
  def.components.forEach((c, i) => ctx.requireColumn(source, c.column, ['components', i, 'column']));
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  if (!isPushdown(source)) return scoreSnapshots(ctx, source, null);
  // granularity all: the latest snapshot per account over all data, chosen in memory
  if (ctx.granularity !== 'all' && canPushDownHealth(source.sql, def)) return snapshotsFromDatabase(ctx, source).then(({ rows, counted }) => scoreSnapshots(ctx, rows, counted));
  return loadRows(source).then((rows) => scoreSnapshots(ctx, rows, null));
}

/** Exclusions and component issues the database counted (pushdown), per period ('undated' for rows without a date). */
interface Counted {
  exclusions: Map<string, Record<string, number>>;
  componentIssues: Map<string, Record<string, number>>;
}

/** Whether the database can pick the snapshots: a DATE or TIMESTAMP `date`, numeric components and no `filter:` (a filter decides which rows may supersede others). */
export function canPushDownHealth(sql: SqlRelation, def: HealthScoreDef): boolean {
  return def.date !== undefined && isTemporal(sql.kind(def.date)) && def.components.every((c) => sql.kind(c.column) === 'number') && Object.keys(def.filter ?? {}).length === 0;
}

/**
 * The generated statements. Each row gets a status, with the in-memory rules in SQL: no date, no
 * account id, fewer than half of the components present (a component is present when finite: NULL,
 * NaN and ±Infinity are not; ±Infinity also counts as an unusable value), superseded (an earlier
 * snapshot than the account's latest valid one in the period: MAX(…) OVER (PARTITION BY account,
 * period)), else a candidate. `counts` returns the rows and unusable values per period and status;
 * `candidates` the latest snapshots themselves (several only when tied; in account, date and
 * component order, so that a tie goes to the greater values), which are then scored by the same
 * code as rows.
 */
export function healthSql(sql: SqlRelation, def: HealthScoreDef, dims: string[], granularity: Granularity): { counts: string; candidates: string } {
  const k = def.components.length;
  const d = ident(def.date!);
  const comps = def.components.map((c, j) => `${ident(c.column)} AS cx_c${j}`);
  const present = def.components.map((_, j) => `CASE WHEN cx_c${j} * 0 = 0 THEN 1 ELSE 0 END`).join(' + ');
  const issues = def.components.map((_, j) => `CASE WHEN cx_c${j} IS NOT NULL AND NOT (cx_c${j} = CAST('NaN' AS DOUBLE PRECISION)) AND NOT (cx_c${j} * 0 = 0) THEN 1 ELSE 0 END AS cx_i${j}`);
  const dimList = dims.map((c, i) => `${ident(c)} AS cx_dim${i}`);
  const rows = `SELECT ${[`NULLIF(TRIM(CAST(${ident(def.id)} AS VARCHAR)), '') AS cx_id`, `${d} AS cx_date`, `DATE_TRUNC('${granularity}', ${d}) AS cx_period`, ...comps, ...dimList].join(', ')} FROM ${sql.from()}`;
  const valid = `cx_date IS NOT NULL AND cx_id IS NOT NULL AND (${present}) * 2 >= ${k}`;
  const status = `CASE WHEN cx_date IS NULL THEN 'undated' WHEN cx_id IS NULL THEN 'missing account id' WHEN (${present}) * 2 < ${k} THEN 'fewer' WHEN cx_date < MAX(CASE WHEN ${valid} THEN cx_date END) OVER (PARTITION BY cx_id, cx_period) THEN 'superseded' ELSE 'candidate' END`;
  const fence = sql.runner.dialect === 'postgres' ? ' OFFSET 0' : '';
  const statused = `(SELECT *, ${[status + ' AS cx_status', ...issues].join(', ')} FROM (${rows}) AS cx_rows${fence}) AS cx_statused`;
  const counts = [
    `SELECT CAST(EXTRACT(YEAR FROM cx_period) AS INTEGER) AS cx_year, CAST(EXTRACT(MONTH FROM cx_period) AS INTEGER) AS cx_month, cx_status, CAST(COUNT(*) AS DOUBLE PRECISION) AS cx_n${def.components.map((_, j) => `, CAST(SUM(cx_i${j}) AS DOUBLE PRECISION) AS cx_i${j}`).join('')}`,
    `FROM ${statused}`,
    'GROUP BY cx_period, cx_status',
  ].join('\n');
  const candidates = [`SELECT cx_id, CAST(EXTRACT(EPOCH FROM cx_date) AS DOUBLE PRECISION) AS cx_epoch${def.components.map((_, j) => `, cx_c${j}`).join('')}${dims.map((_, i) => `, cx_dim${i}`).join('')}`, `FROM ${statused}`, `WHERE cx_status = 'candidate'`, `ORDER BY ${['cx_id', 'cx_date', ...def.components.map((_, j) => `cx_c${j}`)].join(', ')}`].join('\n');
  return { counts, candidates };
}

/** The counts and the candidate snapshots from the database; `on_invalid: error` fails on the first counted problem. */
async function snapshotsFromDatabase(ctx: PrepareContext<HealthScoreDef>, source: PushdownSource): Promise<{ rows: SourceTable; counted: Counted }> {
  const def = ctx.def;
  const g = ctx.granularity;
  const dims = sourceDimensions(ctx, source).filter((c) => c !== def.id && c !== def.date && !def.components.some((comp) => comp.column === c));
  const { counts, candidates } = healthSql(source.sql, def, dims, g);
  const [countRows, candidateRows] = await Promise.all([source.sql.run(counts), source.sql.run(candidates)]);
  const at = (names: string[]) => (name: string) => names.indexOf(name);
  const c = at(countRows.names);
  const reasons: Record<string, string> = { undated: 'missing or invalid date', 'missing account id': 'missing account id', fewer: 'fewer than half of the components present', superseded: 'superseded by a later snapshot in the period' };
  const counted: Counted = { exclusions: new Map(), componentIssues: new Map() };
  const add = (map: Map<string, Record<string, number>>, key: string, reason: string, n: number) => {
    if (n === 0) return;
    const entry = map.get(key) ?? {};
    entry[reason] = (entry[reason] ?? 0) + n;
    map.set(key, entry);
  };
  let problem: string | undefined;
  for (const r of countRows.rows) {
    const status = String(r[c('cx_status')]);
    const period = status === 'undated' ? 'undated' : (periodKey(r[c('cx_year')], r[c('cx_month')], g) as string);
    if (status in reasons) add(counted.exclusions, period, reasons[status], Number(r[c('cx_n')]));
    if (status !== 'undated' && status !== 'missing account id')
      def.components.forEach((comp, j) => {
        const n = Number(r[c(`cx_i${j}`)]);
        add(counted.componentIssues, period, comp.column, n);
        if (n > 0) problem ??= `column ${comp.column}: not a finite number${period === 'undated' ? '' : ` (a snapshot of ${period})`}`;
      });
    if (status === 'undated') problem ??= `column ${def.date}: missing or invalid date (a DATE or TIMESTAMP value expected)`;
    else if (status === 'missing account id') problem ??= `column ${def.id}: missing account id (a snapshot of ${period})`;
    else if (status === 'fewer') problem ??= `column ${def.components[0].column}: fewer than half of the ${def.components.length} components present (a snapshot of ${period})`;
  }
  if (problem && source.onInvalid === 'error') throw new CxError('data', problem, { location: { file: source.file }, hint: invalidRowHint(ctx.id, source) });
  const k = at(candidateRows.names);
  const columns: Record<string, unknown[]> = { [def.id]: [], [def.date!]: [] };
  def.components.forEach((comp) => (columns[comp.column] = []));
  dims.forEach((dim) => (columns[dim] = []));
  for (const r of candidateRows.rows) {
    columns[def.id].push(cellValue(r[k('cx_id')]));
    columns[def.date!].push(new Date(Math.round(Number(r[k('cx_epoch')]) * 1000)).toISOString());
    def.components.forEach((comp, j) => columns[comp.column].push(cellValue(r[k(`cx_c${j}`)])));
    dims.forEach((dim, i) => columns[dim].push(cellValue(r[k(`cx_dim${i}`)])));
  }
  const table = aq.table(columns);
  return { rows: { name: source.name, file: source.file, table, rowCount: table.numRows(), columns: source.columns, onInvalid: 'exclude' }, counted };
}

/** Validates, picks and scores the snapshots of `source` (rows, or the database's candidates with its `counted` exclusions). */
function scoreSnapshots(ctx: PrepareContext<HealthScoreDef>, source: SourceTable, counted: Counted | null): PreparedHealth {
  const def = ctx.def;
  let table = source.table;
  if (def.filter) {
    const keep = compileFilter(def.filter as Filter);
    table = table.filter(aq.escape((d: Record<string, unknown>) => keep((c) => d[c])));
  }
  table = table.reify();
  const n = table.numRows();
  const ids = table.array(def.id) as ArrayLike<unknown>;
  const times = table.array((def.period ?? def.date)!) as ArrayLike<unknown>;
  const columns = def.components.map((c) => table.array(c.column) as ArrayLike<unknown>);
  const k = def.components.length;
  const granularity = ctx.granularity;
  const excluded = new ExclusionCounter(counted?.exclusions);
  const issues = new ExclusionCounter(counted?.componentIssues);
  const exclusions = excluded.byPeriod;
  const componentIssues = issues.byPeriod;

  const reject = rowRejecter(source, table, ctx.id);

  // Pass 1: parse rows; keep the latest snapshot of each account in each period (ties: the later row).
  const latestOf = new Map<string, { account: string; period: string; ts: number; values: (number | null)[]; row: number }>();
  for (let i = 0; i < n; i++) {
    const ts = snapshotTime(times[i], def.period !== undefined);
    if (!Number.isFinite(ts)) {
      reject(i, (def.period ?? def.date)!, times[i], def.period !== undefined ? 'missing or invalid period (YYYY-MM expected)' : 'missing or invalid date (ISO 8601 expected)');
      excluded.add('undated', def.period !== undefined ? 'missing or invalid period' : 'missing or invalid date');
      continue;
    }
    const period = periodOf(ts, granularity);
    const idRaw = ids[i];
    if (idRaw === null || idRaw === undefined || String(idRaw).trim() === '') {
      reject(i, def.id, idRaw, 'missing account id');
      excluded.add(period, 'missing account id');
      continue;
    }
    const values: (number | null)[] = new Array(k);
    let present = 0;
    for (let j = 0; j < k; j++) {
      const v = numberOf(columns[j][i]);
      if (v === 'invalid') {
        reject(i, def.components[j].column, columns[j][i], 'not a number');
        if (!counted) issues.add(period, def.components[j].column); // the database counted them
        values[j] = null;
      } else {
        values[j] = v;
        if (v !== null) present++;
      }
    }
    if (present * 2 < k) {
      const missing = def.components.find((_, j) => values[j] === null)!;
      reject(i, missing.column, columns[def.components.indexOf(missing)][i], `fewer than half of the ${k} components present (${present})`);
      excluded.add(period, 'fewer than half of the components present');
      continue;
    }
    const account = String(idRaw).trim();
    const key = `${period}\u0000${account}`;
    const before = latestOf.get(key);
    if (before) {
      excluded.add(period, 'superseded by a later snapshot in the period');
      if (before.ts > ts) continue;
    }
    latestOf.set(key, { account, period, ts, values, row: i });
  }
  const parsed = [...latestOf.values()].sort((a, b) => a.row - b.row);

  // Data-driven bounds: each component's 5th–95th percentiles over the scored snapshots of all periods.
  const pools: number[][] = def.components.map(() => []);
  for (const p of parsed) p.values.forEach((v, j) => v !== null && pools[j].push(v));
  const components: ComponentBounds[] = def.components.map((c, j) => {
    const base = { column: c.column, label: c.label ?? c.column, weight: c.weight, direction: c.direction };
    const sorted = Float64Array.from(pools[j]).sort();
    let min = c.min ?? null;
    let max = c.max ?? null;
    let bounds: ComponentBounds['bounds'] = 'config';
    if (min === null || max === null) {
      if (sorted.length === 0) return { ...base, min, max, bounds: 'constant' as const };
      let lo = quantileSorted(sorted, 0.05);
      let hi = quantileSorted(sorted, 0.95);
      bounds = 'data p5–p95';
      if (!((max ?? hi) > (min ?? lo))) {
        lo = sorted[0];
        hi = sorted[sorted.length - 1];
        bounds = 'data min–max';
      }
      min = min ?? lo;
      max = max ?? hi;
      if (!(max > min)) bounds = 'constant';
    }
    return { ...base, min, max, bounds };
  });

  // Pass 2: score.
  const byPeriod = new Map<string, Map<string, AccountScore>>();
  const weights = def.components.map((c) => c.weight);
  let firstPeriod: string | undefined;
  for (const p of parsed) {
    let sum = 0;
    let w = 0;
    const scores = p.values.map((v, j) => {
      if (v === null) return null;
      const s = normalise(v, components[j]);
      sum += weights[j] * s;
      w += weights[j];
      return s;
    });
    const score = sum / w;
    const accounts = byPeriod.get(p.period) ?? new Map<string, AccountScore>();
    byPeriod.set(p.period, accounts);
    accounts.set(p.account, { account: p.account, period: p.period, ts: p.ts, score, band: bandOf(score, def.bands), values: p.values, scores, row: p.row });
    if (firstPeriod === undefined || p.period < firstPeriod) firstPeriod = p.period;
  }

  const kept = [...byPeriod.values()].flatMap((m) => [...m.values()]).sort((a, b) => a.row - b.row);
  const rows = kept.map((a) => a.row);
  const scored = table
    .reify(rows)
    .assign(aq.table({ __period: kept.map((a) => a.period), __ts: Float64Array.from(kept.map((a) => a.ts)), __account: kept.map((a) => a.account), __score: Float64Array.from(kept.map((a) => a.score)), __red: Uint8Array.from(kept.map((a) => (a.band === 'red' ? 1 : 0))) }));
  let latest: string | undefined | null = null;
  return {
    kind: 'health-score',
    id: ctx.id,
    def,
    granularity,
    table: scored,
    byPeriod,
    components,
    firstPeriod,
    exclusions,
    componentIssues,
    engine: counted ? 'sql' : 'memory',
    latestPeriod() {
      if (latest === null) latest = [...byPeriod.keys()].sort().at(-1);
      return latest ?? undefined;
    },
    lastTimestamp(period) {
      const end = periodStart(shiftPeriod(period, 1, granularity), granularity);
      let last = -Infinity;
      for (const a of kept) if (a.ts < end && a.ts > last) last = a.ts;
      return Number.isFinite(last) ? last : undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Compute
// ---------------------------------------------------------------------------------------------

interface Cell {
  n: number;
  sum: number;
  sumSq: number;
  red: number;
}

const emptyCell = (): Cell => ({ n: 0, sum: 0, sumSq: 0, red: 0 });

function cellsOf(ph: PreparedHealth, by?: string): Map<string, Cell> {
  let rows = ph.table;
  const keys = ['__period'];
  if (by) {
    rows = rows.derive({ __group: aq.escape((d: Record<string, unknown>) => groupKey(d[by])) as never });
    keys.push('__group');
  }
  const out = new Map<string, Cell>();
  for (const o of rows.groupby(...keys).rollup({ n: aq.op.count(), sum: 'd => op.sum(d.__score)', sumSq: 'd => op.sum(d.__score * d.__score)', red: 'd => op.sum(d.__red)' } as never).objects() as Record<string, unknown>[]) {
    out.set(by ? `${o.__period}\u0000${o.__group}` : String(o.__period), { n: Number(o.n), sum: Number(o.sum ?? 0), sumSq: Number(o.sumSq ?? 0), red: Number(o.red ?? 0) });
  }
  return out;
}

function meanValue(period: string, c: Cell, minSample: number): PeriodValue & { se: number | null } {
  if (c.n === 0) return { period, value: null, n: 0, ci: null, lowSample: true, se: null };
  const e = meanEstimate(c.n, c.sum, c.sumSq);
  return { period, value: e.mean, n: c.n, ci: Number.isFinite(e.ci[0]) ? [Math.max(0, e.ci[0]), Math.min(100, e.ci[1])] : null, lowSample: c.n < minSample, se: Number.isFinite(e.se) ? e.se : null };
}

const TEST = MESSAGES.en.test;

function change(previousPeriod: string, prev: Cell, cur: Cell, minSample: number, test = TEST) {
  const a = meanValue(previousPeriod, prev, minSample);
  const b = meanValue('', cur, minSample);
  if (a.value === null || b.value === null) return { previous: a.value === null ? null : { period: previousPeriod, value: a.value, n: a.n, ci: a.ci }, delta: null, test, statistic: null, p: null, significant: false };
  const ea = meanEstimate(prev.n, prev.sum, prev.sumSq);
  const eb = meanEstimate(cur.n, cur.sum, cur.sumSq);
  const t = welchTTest({ n: ea.n, mean: ea.mean, variance: ea.variance }, { n: eb.n, mean: eb.mean, variance: eb.variance });
  const p = Number.isFinite(t.p) ? t.p : null;
  return { previous: { period: previousPeriod, value: a.value, n: a.n, ci: a.ci }, delta: b.value - a.value, test, statistic: Number.isFinite(t.t) ? t.t : null, p, significant: p !== null && p < ALPHA };
}

const round = (v: number, digits = 6) => Math.round(v * 10 ** digits) / 10 ** digits;

function accountView(a: AccountScore, before: AccountScore | undefined, ph: PreparedHealth) {
  return {
    account: a.account,
    score: a.score,
    band: a.band,
    previousScore: before?.score ?? null,
    previousBand: before?.band ?? null,
    change: before ? a.score - before.score : null,
    components: Object.fromEntries(ph.components.map((c, j) => [c.label, { value: a.values[j], score: a.scores[j] === null ? null : round(a.scores[j]!) }])),
  };
}

const BAND_RANK: Record<Band, number> = { red: 0, amber: 1, green: 2 };

function methodText(def: HealthScoreDef, components: ComponentBounds[], t: Translate, locale: Locale): string {
  const fmt = formatter(locale);
  const parts = components.map((c) =>
    t('method.component', {
      label: c.label,
      weight: c.weight,
      direction: t(`direction.${c.direction}`),
      bounds: c.min === null || c.max === null ? t('method.noBounds') : t('method.range', { min: fmt.number(c.min, 'ratio'), max: fmt.number(c.max, 'ratio') }),
      source: t(`bounds.${c.bounds}`),
    }),
  );
  return t('method', { components: parts.join(t('method.componentSep')), red: def.bands.red, amber: def.bands.amber });
}

function computeHealth(ph: PreparedHealth, ctx: ComputeContext): MetricResult {
  const def = ph.def;
  const { period, previousPeriod, minSample } = ctx;
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const cells = cellsOf(ph);
  const cur = cells.get(period) ?? emptyCell();
  const prev = cells.get(previousPeriod) ?? emptyCell();
  const head = meanValue(period, cur, minSample);
  const first = ph.firstPeriod !== undefined && ph.firstPeriod <= period ? ph.firstPeriod : period;
  const series = historyRange(first, period, ph.granularity).map((p) => {
    const { se: _se, ...v } = meanValue(p, cells.get(p) ?? emptyCell(), minSample);
    return v;
  });

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const grouped = cellsOf(ph, column);
    const groups = [...new Set([...grouped.keys()].filter((k) => k.startsWith(`${period}\u0000`) || k.startsWith(`${previousPeriod}\u0000`)).map((k) => k.split('\u0000')[1]))].sort();
    breakdowns[column] = adjustGroups(
      groups.map((group) => {
        const gc = grouped.get(`${period}\u0000${group}`) ?? emptyCell();
        const gp = grouped.get(`${previousPeriod}\u0000${group}`) ?? emptyCell();
        const { se: _se, ...v } = meanValue(period, gc, minSample);
        const ch = change(previousPeriod, gp, gc, minSample);
        return { group, ...v, previous: ch.previous && { period: previousPeriod, value: ch.previous.value, n: ch.previous.n }, delta: ch.delta, p: ch.p, pAdjusted: null as number | null, significant: false };
      }),
    );
  }

  const now = ph.byPeriod.get(period) ?? new Map<string, AccountScore>();
  const before = ph.byPeriod.get(previousPeriod) ?? new Map<string, AccountScore>();
  const accounts = [...now.values()];
  const bandCounts = Object.fromEntries(BANDS.map((b) => [b, 0])) as Record<Band, number>;
  for (const a of accounts) bandCounts[a.band]++;
  const bandShares = Object.fromEntries(
    BANDS.map((b) => {
      const w = wilsonInterval(bandCounts[b], accounts.length);
      return [b, { count: bandCounts[b], share: accounts.length ? (100 * bandCounts[b]) / accounts.length : null, ci: accounts.length ? ([100 * w[0], 100 * w[1]] as Interval) : null }];
    }),
  );
  const redTest = twoProportionZTest(prev.red, prev.n, cur.red, cur.n);

  // Band movements since the previous period.
  const zero = () => Object.fromEntries(BANDS.map((b) => [b, 0])) as Record<Band, number>;
  const matrix = Object.fromEntries(BANDS.map((b) => [b, zero()])) as Record<Band, Record<Band, number>>;
  const entered = zero();
  const left = zero();
  const diffs: number[] = [];
  for (const a of accounts) {
    const b = before.get(a.account);
    if (b) {
      matrix[b.band][a.band]++;
      diffs.push(a.score - b.score);
    } else entered[a.band]++;
  }
  for (const b of before.values()) if (!now.has(b.account)) left[b.band]++;
  let movedUp = 0;
  let movedDown = 0;
  for (const from of BANDS) for (const to of BANDS) (BAND_RANK[to] > BAND_RANK[from] ? (movedUp += matrix[from][to]) : BAND_RANK[to] < BAND_RANK[from] ? (movedDown += matrix[from][to]) : 0);

  let paired: { n: number; meanChange: number | null; ci: Interval | null; t: number | null; p: number | null } = { n: diffs.length, meanChange: null, ci: null, t: null, p: null };
  if (diffs.length > 0) {
    const e = meanEstimate(diffs.length, diffs.reduce((s, d) => s + d, 0), diffs.reduce((s, d) => s + d * d, 0));
    const t = e.se > 0 ? e.mean / e.se : NaN;
    const p = Number.isFinite(t) ? Math.min(1, 2 * studentTCdf(-Math.abs(t), diffs.length - 1)) : NaN;
    paired = { n: diffs.length, meanChange: e.mean, ci: Number.isFinite(e.ci[0]) ? e.ci : null, t: Number.isFinite(t) ? t : null, p: Number.isFinite(p) ? p : null };
  }

  // The headline change: the same accounts are scored in both periods, so the change is the mean
  // change per paired account, tested by the paired t-test (one quantity and one verdict everywhere);
  // Welch's test of the two means only when fewer than two accounts are paired.
  const unpaired = change(previousPeriod, prev, cur, minSample, t('test'));
  const headlineChange =
    unpaired.previous && paired.n > 1 && paired.meanChange !== null && paired.p !== null
      ? { ...unpaired, delta: paired.meanChange, test: t('test.paired', { n: formatter(locale).count(paired.n) }), statistic: paired.t, p: paired.p, significant: paired.p < ALPHA }
      : unpaired;

  const byAccount = (x: AccountScore, y: AccountScore) => (x.account < y.account ? -1 : x.account > y.account ? 1 : 0);
  const atRisk = [...accounts].sort((x, y) => x.score - y.score || byAccount(x, y)).slice(0, def.top).map((a) => accountView(a, before.get(a.account), ph));
  const downs = accounts
    .filter((a) => {
      const b = before.get(a.account);
      return b !== undefined && BAND_RANK[a.band] < BAND_RANK[b.band];
    })
    .sort((x, y) => x.score - before.get(x.account)!.score - (y.score - before.get(y.account)!.score) || byAccount(x, y))
    .slice(0, def.top)
    .map((a) => accountView(a, before.get(a.account), ph));

  const histogram: { from: number; to: number; red: number; amber: number; green: number }[] = [];
  for (let lo = 0; lo < 100; lo += 5) histogram.push({ from: lo, to: lo + 5, red: 0, amber: 0, green: 0 });
  for (const a of accounts) histogram[Math.min(19, Math.floor(a.score / 5))][a.band]++;

  const componentSummary = ph.components.map((c, j) => {
    let present = 0;
    let rawSum = 0;
    let scoreSum = 0;
    for (const a of accounts) {
      if (a.values[j] === null) continue;
      present++;
      rawSum += a.values[j]!;
      scoreSum += a.scores[j]!;
    }
    return { column: c.column, label: c.label, weight: c.weight, direction: c.direction, min: c.min, max: c.max, bounds: c.bounds, present, meanValue: present ? rawSum / present : null, meanScore: present ? scoreSum / present : null };
  });

  return makeResult({
    id: ph.id,
    type: 'health-score',
    label: def.label ?? t('label'),
    title: t('title'),
    unit: 'score',
    higherIsBetter: true,
    ...head,
    minSample,
    target: def.target ?? null,
    domain: [0, 100],
    ...headlineChange,
    // reasons in text order: the rows' order (a database's is arbitrary) must not show in the output
    ...exclusionFields(ph.exclusions, period, 'by reason'),
    series,
    breakdowns,
    method: methodText(def, ph.components, t, locale),
    extra: {
      thresholds: { red: def.bands.red, amber: def.bands.amber },
      shareRed: { ...bandShares.red, n: accounts.length, previous: prev.n ? (100 * prev.red) / prev.n : null, z: Number.isFinite(redTest.z) ? redTest.z : null, p: Number.isFinite(redTest.p) ? redTest.p : null },
      bands: bandShares,
      movements: { matrix, entered, left, movedUp, movedDown, stayed: BANDS.reduce((s, b) => s + matrix[b][b], 0) },
      paired,
      atRisk,
      movedDown: downs,
      histogram,
      components: componentSummary,
      componentIssues: Object.fromEntries(Object.entries(ph.componentIssues.get(period) ?? {}).sort(([a], [b]) => a.localeCompare(b))),
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Visual
// ---------------------------------------------------------------------------------------------

const BAND_COLOUR: Record<Band, string> = { red: palette.bad, amber: palette.accent, green: palette.good };

export function visualHealth(r: MetricResult, ph: PreparedHealth, ctx: VisualContext): VisualBlock[] {
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const bandName = (b: Band) => t(`band.${b}`);
  const x = r.extra as any;
  const def = ph.def;
  const periodName = ctx.periodLabel(ctx.period);
  const previousName = ctx.periodLabel(shiftPeriod(ctx.period, -1, ph.granularity));
  const blocks: VisualBlock[] = [];
  const { red, amber, green } = x.bands as Record<Band, { count: number; share: number | null }>;
  if (r.n > 0) {
    const values = (x.histogram as { from: number; to: number; red: number; amber: number; green: number }[]).flatMap((h) => BANDS.filter((b) => h[b] > 0).map((b) => ({ from: h.from, to: h.to, band: bandName(b), count: h[b] })));
    blocks.push({
      kind: 'chart',
      chart: {
        id: ctx.nextId('chart-health-histogram'),
        title: t('chart.title', { share: fmt.value(red.share, 'percent'), n: fmt.count(r.n), period: periodName, mean: precise(fmt, r).value(r.value, 'score') }),
        caption: t('chart.caption', { red: def.bands.red, amber: def.bands.amber, n: fmt.count(r.n), components: ph.components.length, source: ctx.sourceLabel?.(def.source) ?? def.source }),
        alt: t('chart.alt', { period: periodName, red: fmt.count(red.count), amber: fmt.count(amber.count), green: fmt.count(green.count), mean: precise(fmt, r).value(r.value, 'score') }),
        spec: {
          $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
          width: 600,
          height: 200,
          data: { values },
          layer: [
            {
              mark: { type: 'bar', binSpacing: 1 },
              encoding: {
                x: { field: 'from', type: 'quantitative', bin: { binned: true, step: 5 }, scale: { domain: [0, 100] }, title: t('chart.x'), axis: { tickCount: 10 } },
                x2: { field: 'to' },
                y: { field: 'count', type: 'quantitative', stack: 'zero', title: t('chart.y'), axis: { format: ',d', tickCount: 4 } },
                color: { field: 'band', type: 'nominal', scale: { domain: BANDS.map(bandName), range: BANDS.map((b) => BAND_COLOUR[b]) }, legend: { orient: 'top', title: null, symbolType: 'square' } },
              },
            },
            // red bins are few accounts beside thousands of green ones, too short to see: each is labelled with its count
            {
              transform: [{ filter: { field: 'band', equal: bandName('red') } }, { calculate: '(datum.from + datum.to) / 2', as: 'mid' }],
              mark: { type: 'text', baseline: 'bottom', dy: -3, fontSize: 10, fontWeight: 'bold', color: BAND_COLOUR.red },
              encoding: { x: { field: 'mid', type: 'quantitative' }, y: { field: 'count', type: 'quantitative' }, text: { field: 'count', type: 'quantitative', format: ',d' } },
            },
          ],
        } as any,
        size: 'wide',
      },
    });
  }
  const m = x.movements as { matrix: Record<Band, Record<Band, number>>; entered: Record<Band, number>; left: Record<Band, number>; movedDown: number; movedUp: number };
  blocks.push({
    kind: 'table',
    table: {
      caption: t('moves.caption', { previous: previousName, period: periodName, down: fmt.count(m.movedDown), up: fmt.count(m.movedUp) }),
      columns: [{ label: t('moves.corner', { previous: previousName, period: periodName }) }, ...BANDS.map((b) => ({ label: bandName(b), align: 'right' as const })), { label: t('moves.notNow'), align: 'right' }],
      rows: [
        ...BANDS.map((from) => ({ cells: [bandName(from), ...BANDS.map((to) => fmt.count(m.matrix[from][to])), fmt.count(m.left[from])] })),
        { cells: [t('moves.notBefore'), ...BANDS.map((to) => fmt.count(m.entered[to])), '—'] },
      ],
      footnote: t('moves.footnote'),
    },
  });
  const componentLabels = ph.components.slice(0, 4).map((c) => c.label);
  const accountRows = (list: ReturnType<typeof accountView>[]) =>
    list.map((a) => ({
      cells: [
        a.account,
        fmt.number(a.score, 'ratio'),
        bandName(a.band),
        a.previousScore === null ? '—' : t('accounts.previous', { score: fmt.number(a.previousScore, 'ratio'), band: bandName(a.previousBand!) }),
        ...componentLabels.map((l) => (a.components[l]?.value === null || a.components[l] === undefined ? '—' : String(a.components[l].value))),
      ],
    }));
  const accountColumns = [
    { label: t('accounts.account') },
    { label: t('accounts.score'), align: 'right' as const },
    { label: t('accounts.band') },
    { label: previousName, align: 'right' as const },
    ...componentLabels.map((l) => ({ label: l, align: 'right' as const })),
  ];
  if (x.atRisk.length) {
    blocks.push({
      kind: 'table',
      table: {
        caption: t('atRisk.caption', { count: x.atRisk.length, period: periodName }),
        columns: accountColumns,
        rows: accountRows(x.atRisk),
        footnote: ph.components.length > 4 ? t('atRisk.footnoteFirst', { count: ph.components.length }) : t('atRisk.footnote'),
      },
    });
  }
  if (x.movedDown.length) {
    blocks.push({ kind: 'table', table: { caption: t('movedDown.caption', { previous: previousName }), columns: accountColumns, rows: accountRows(x.movedDown) } });
  }
  if (r.n === 0) blocks.push({ kind: 'text', paragraphs: [t('noAccounts', { period: periodName })] });
  else if (x.paired.n > 1 && x.paired.meanChange !== null) {
    const p = x.paired.p === null ? t('paired.na') : x.paired.p < 0.001 ? 'p < 0.001' : `p = ${x.paired.p.toFixed(3)}`;
    blocks.push({ kind: 'text', paragraphs: [t('paired', { n: fmt.count(x.paired.n), change: fmt.number(x.paired.meanChange, 'score'), ci: fmt.interval(x.paired.ci, 'score'), p })] });
  }
  return blocks;
}

export const healthScoreModule: MetricModule<HealthScoreDef, PreparedHealth> = {
  type: 'health-score',
  schema: healthScoreSchema,
  title: 'Customer health score',
  pushdown: true,
  prepare: prepareHealth,
  compute: computeHealth,
};
