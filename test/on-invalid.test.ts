/**
 * `on_invalid: error` for the metric types that read customers, MRR, orders and activity rows
 * (score metrics, tickets, sentiment and health score have their own tests): the first row a
 * metric cannot use stops the build with `file:row column: value — reason`; with the default
 * (exclude) the same rows are counted by reason in metrics.json.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CxError } from '../src/kernel/errors.js';
import { build } from '../src/app/pipeline.js';
import { csv, makeProject } from './project.js';

const REPORT = `report:
  title: Strict rows
  period: { granularity: month, current: "2026-10" }
  min_sample: 1
`;

async function outcome(config: string, files: Record<string, string>) {
  const dir = makeProject({ 'cxreport.yaml': config, ...files });
  return build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(
    (r) => ({ metrics: JSON.parse(r.metrics).metrics as Record<string, { exclusions: Record<string, number>; excludedAllPeriods: Record<string, number> }>, error: null }),
    (e: unknown) => ({ metrics: null, error: e as CxError }),
  );
}

const CUSTOMERS = csv(
  ['customer_id', 'signup_date', 'cancel_date'],
  [
    ['C1', '2026-01-05', ''],
    ['C2', '2026-02-10', '2026-10-03'],
    ['C3', '2026-03-01', ''],
    ['C4', '2026-04-01', '2026-03-01'], // line 5: ends before it starts
    ['C5', 'soon', ''], // line 6: no valid start
  ],
);

describe('on_invalid: error — customers (churn, retention, cohort-retention, survival)', () => {
  const config = (onInvalid: string, type: string) => `${REPORT}sources:
  customers: { type: csv, path: data/customers.csv${onInvalid} }
metrics:
  m: { type: ${type}, source: customers, id: customer_id, start: signup_date, end: cancel_date }
sections:
  - { type: kpis, metrics: [m] }
`;
  for (const type of ['churn', 'retention', 'survival', 'cohort-retention']) {
    it(`${type}: stops at the first invalid row; exclude counts it`, async () => {
      const { error } = await outcome(config(', on_invalid: error', type), { 'data/customers.csv': CUSTOMERS });
      expect(error).toBeInstanceOf(CxError);
      expect(error!.message).toBe('"2026-03-01" — end before start (2026-04-01)');
      expect(error!.location).toMatchObject({ file: 'data/customers.csv', row: 5, field: 'cancel_date' });
      expect(error!.hint).toBe('metric "m" rejects this row because source "customers" has on_invalid: error; fix the value or set on_invalid: exclude to count and skip such rows');
      const { metrics } = await outcome(config('', type), { 'data/customers.csv': CUSTOMERS });
      expect(metrics!.m.excludedAllPeriods).toEqual({ 'end before start': 1, 'missing or invalid start date': 1 });
    });
  }
});

describe('on_invalid: error — MRR (revenue-retention)', () => {
  const config = (onInvalid: string) => `${REPORT}sources:
  mrr: { type: csv, path: data/mrr.csv${onInvalid} }
metrics:
  nrr: { type: revenue-retention, source: mrr, id: customer_id, month: month, mrr: mrr }
sections:
  - { type: kpis, metrics: [nrr] }
`;
  const mrr = csv(
    ['customer_id', 'month', 'mrr'],
    [
      ['C1', '2026-09', 100],
      ['C1', '2026-10', 110],
      ['C2', '2026-09', 50],
      ['C2', '2026-10', 'fifty'], // line 5
      ['C3', '2026-13', 70], // line 6
    ],
  );
  it('stops at the first invalid MRR row; exclude counts it', async () => {
    const { error } = await outcome(config(', on_invalid: error'), { 'data/mrr.csv': mrr });
    expect(error!.message).toBe('"fifty" — MRR not a number');
    expect(error!.location).toMatchObject({ file: 'data/mrr.csv', row: 5, field: 'mrr' });
    const { metrics } = await outcome(config(''), { 'data/mrr.csv': mrr });
    expect(metrics!.nrr.excludedAllPeriods).toEqual({ 'MRR not a number': 1, 'missing or invalid month': 1 });
  });
});

describe('on_invalid: error — orders (repeat-purchase-rate, clv)', () => {
  const orders = csv(
    ['customer_id', 'order_date', 'amount'],
    [
      ['C1', '2026-09-01', 10],
      ['C1', '2026-10-02', 12],
      ['C2', '2026-10-03', -5], // line 4
      ['', '2026-10-04', 8], // line 5
    ],
  );
  const config = (onInvalid: string, metric: string) => `${REPORT}sources:
  orders: { type: csv, path: data/orders.csv${onInvalid} }
metrics:
  m: ${metric}
sections:
  - { type: kpis, metrics: [m] }
`;
  const metrics = {
    'repeat-purchase-rate': '{ type: repeat-purchase-rate, source: orders, customer: customer_id, date: order_date, amount: amount }',
    clv: '{ type: clv, method: simple, source: orders, customer: customer_id, date: order_date, amount: amount, churn_rate: 0.02 }',
  };
  for (const [type, metric] of Object.entries(metrics)) {
    it(`${type}: stops at the first invalid order; exclude counts it`, async () => {
      const { error } = await outcome(config(', on_invalid: error', metric), { 'data/orders.csv': orders });
      expect(error!.message).toBe('-5 — negative amount');
      expect(error!.location).toMatchObject({ file: 'data/orders.csv', row: 4, field: 'amount' });
      expect(error!.hint).toMatch(/^metric "m" rejects this row because source "orders" has on_invalid: error/);
      const fixed = orders.replace('C2,2026-10-03,-5', 'C2,2026-10-03,5');
      const second = await outcome(config(', on_invalid: error', metric), { 'data/orders.csv': fixed });
      expect(second.error!.message).toBe('empty — missing customer');
      expect(second.error!.location).toMatchObject({ row: 5, field: 'customer_id' });
    });
  }
});
