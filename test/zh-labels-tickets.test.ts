/**
 * Issue 21: the tickets visual names priorities and channels as the reader knows them — a zh-CN
 * report whose ticket source labels the values of its priority and channel columns (`columns:
 * <col>: values:`) shows the labels on the chart's per-priority SLA target lines and in the
 * channel table, never the raw values.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../src/app/pipeline.js';
import { metricSectionText } from './html-text.js';
import { csv, makeProject } from './project.js';

const HEADER = ['ticket_id', 'channel', 'priority', 'created_at', 'first_response_at', 'resolved_at'];
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Six tickets a month in September and October 2026, alternating priority and channel, answered within 1–6 hours. */
function rows(): (string | number | null)[][] {
  const out: (string | number | null)[][] = [];
  for (const month of ['09', '10'])
    for (let i = 0; i < 6; i++) {
      const created = Date.parse(`2026-${month}-${String(i + 2).padStart(2, '0')}T08:00:00Z`);
      out.push([`${month}-${i}`, i % 2 ? 'chat' : 'email', i % 2 ? 'normal' : 'urgent', iso(created), iso(created + (i + 1) * H), iso(created + (i + 10) * H)]);
    }
  return out;
}

const CONFIG = `report:
  title: Tickets
  period: { granularity: month, current: latest }
  min_sample: 5
  locale: zh-CN
sources:
  tickets: { type: csv, path: data/tickets.csv, columns: { priority: { label: 优先级, values: { urgent: 紧急, normal: 普通 } }, channel: { label: 渠道, values: { email: 邮件, chat: 在线聊天 } } } }
metrics:
  fr: { type: tickets, source: tickets, created: created_at, first_response: first_response_at, resolved: resolved_at, channel: channel, priority: priority, sla: { first_response_hours: { urgent: 1, normal: 4 } } }
sections:
  - { type: metric, metric: fr }
`;

describe('tickets with labelled priority and channel values (zh-CN)', () => {
  let result: BuildResult;
  let text: string;
  let dir: string;
  beforeAll(async () => {
    dir = makeProject({ 'cxreport.yaml': CONFIG, 'data/tickets.csv': csv(HEADER, rows()) });
    result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    text = metricSectionText(result.html);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('the SLA target lines of the chart name the priorities by their labels', () => {
    const svgTexts = [...result.html.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(svgTexts).toContainEqual(expect.stringMatching(/^目标 紧急 1\s?小时$/));
    expect(svgTexts).toContainEqual(expect.stringMatching(/^目标 普通 4\s?小时$/));
    expect(svgTexts.filter((t) => /urgent|normal/.test(t))).toEqual([]);
  });

  it('the channel table names the channels by their labels', () => {
    expect(text).toMatch(/渠道 工单数 占比 2026年9月 变化 (邮件|在线聊天) 3 /);
    expect(text).toContain('在线聊天');
    expect(text).not.toMatch(/\b(email|chat)\b/);
  });
});
