/**
 * Issue 21 item 10: the flagship's survey comments read like customers wrote them (no template
 * lines repeated across the file), carry the planted events, and are what the seeded generator
 * writes (examples/acme/generate.ts with comments.ts).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { allCommentText, EVENTS, topicWeights, writeComment } from '../examples/acme/comments.js';
import { Rng } from '../examples/acme/rng.js';

const ROOT = join(__dirname, '..');
const CSV = join(ROOT, 'examples', 'acme', 'data', 'responses.csv');
const rows = parse(readFileSync(CSV), { columns: true }) as Record<string, string>[];
const comments = rows.filter((r) => r.comment !== '');

/** Sentences of a comment, lower-cased, without closing punctuation. */
const sentences = (text: string) => [...new Set(text.split(/(?<=[.!?])\s+/).map((s) => s.trim().toLowerCase().replace(/[.!?]+$/, '')).filter(Boolean))];

describe('the flagship comments read like customers, not templates', () => {
  it('has the comments the README describes', () => {
    expect(rows).toHaveLength(20_242);
    expect(comments).toHaveLength(15_036);
  });

  it('no comment text makes up more than 0.5% of the comments, and most comments are unique', () => {
    const counts = new Map<string, number>();
    for (const r of comments) counts.set(r.comment, (counts.get(r.comment) ?? 0) + 1);
    const top = Math.max(...counts.values());
    expect(top / comments.length).toBeLessThan(0.005);
    expect(counts.size / comments.length).toBeGreaterThan(0.6);
  });

  it('no sentence appears in more than 2% of the comments (the old generator’s closers reached 2.8% each)', () => {
    const counts = new Map<string, number>();
    for (const r of comments) for (const s of sentences(r.comment)) counts.set(s, (counts.get(s) ?? 0) + 1);
    const [sentence, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    expect(n / comments.length, sentence).toBeLessThan(0.02);
  });

  it('the template lines of the old generator are gone', () => {
    for (const line of ['Please fix this.', 'Nice work.', 'Keep it up!', 'Very disappointing.', 'Expected better.', 'Mixed feelings this month.', 'This needs attention urgently.']) {
      expect(comments.filter((r) => r.comment.includes(line)).length, line).toBe(0);
    }
  });

  it('lengths vary from a word or two to several sentences', () => {
    const words = comments.map((r) => r.comment.split(/\s+/).filter(Boolean).length);
    expect(Math.min(...words)).toBeLessThanOrEqual(2);
    expect(Math.max(...words)).toBeGreaterThanOrEqual(40);
    const short = words.filter((w) => w <= 4).length / words.length;
    const long = words.filter((w) => w >= 25).length / words.length;
    expect(short).toBeGreaterThan(0.05);
    expect(long).toBeGreaterThan(0.05);
  });

  it('some are typed as people type: no capital, a missing apostrophe, a typo', () => {
    const lower = comments.filter((r) => /^[a-z]/.test(r.comment)).length / comments.length;
    expect(lower).toBeGreaterThan(0.02);
    expect(comments.some((r) => /\b(dont|cant|doesnt|hasnt)\b/.test(r.comment))).toBe(true);
    expect(comments.some((r) => /\b(recieve|definately|seperate|teh|suport|dashbaord|becuase|untill)\b/.test(r.comment))).toBe(true);
  });

  it('ordinary comment text needs no HTML escaping; the 8 hand-written ones still do', () => {
    expect(allCommentText().filter((t) => /[<>&"\n]/.test(t))).toEqual([]);
    expect(rows.filter((r) => /[<>&"]/.test(r.comment)).map((r) => r.response_id)).toEqual(['R000133', 'R001692', 'R002471', 'R002732', 'R013741', 'R017102', 'R019359', 'R020180']);
  });
});

describe('the planted events show in the comments', () => {
  const month = (r: Record<string, string>) => r.submitted_at.slice(0, 7);
  /** share of comments matching a pattern among those picked */
  const share = (pick: (r: Record<string, string>) => boolean, pattern: RegExp) => {
    const some = comments.filter(pick);
    return some.filter((r) => pattern.test(r.comment)).length / some.length;
  };

  it('the price rise of 2026-02: Starter and Pro, January–March 2026, not before', () => {
    const starterPro = (r: Record<string, string>) => r.plan !== 'Enterprise';
    const during = share((r) => starterPro(r) && month(r) >= '2026-01' && month(r) <= '2026-03', /price (rise|increase|hike|went up)|prices (up|went up)|paying .* more/i);
    const before = share((r) => starterPro(r) && month(r) <= '2025-12', /price (rise|increase|hike|went up)|prices (up|went up)|paying .* more/i);
    const enterprise = share((r) => r.plan === 'Enterprise' && month(r) >= '2026-01' && month(r) <= '2026-03', /price (rise|increase|hike|went up)/i);
    expect(during).toBeGreaterThan(0.12);
    expect(before).toBeLessThan(0.01);
    expect(enterprise).toBeLessThan(0.01);
  });

  it('the summer update crash from 2026-07-15, its fix from 2026-10-01', () => {
    const crash = /crash|logs? me out|logging me out/i;
    const before = comments.filter((r) => r.submitted_at < '2026-07-15' && crash.test(r.comment)).length;
    expect(before).toBe(0);
    expect(share((r) => month(r) === '2026-08', crash)).toBeGreaterThan(0.05);
    expect(share((r) => month(r) === '2026-10', /fix(ed)? |5\.2\.3|works again|stable again/i)).toBeGreaterThan(0.03);
  });

  it('the August support backlog, and EMEA onboarding before and after the programme', () => {
    const waited = /(days|week) (for|to|without)|for days|sat (unanswered|untouched)|no replies for days/i;
    expect(share((r) => month(r) === '2026-08' && r.nps_score !== '' && Number(r.nps_score) <= 6, waited)).toBeGreaterThan(3 * share((r) => month(r) === '2026-04' && r.nps_score !== '' && Number(r.nps_score) <= 6, waited));
    const emea = (r: Record<string, string>) => r.region === 'EMEA';
    expect(comments.filter((r) => !emea(r) && /new onboarding programme/i.test(r.comment))).toHaveLength(0);
    expect(comments.filter((r) => emea(r) && r.submitted_at < '2026-05-01' && /new onboarding/i.test(r.comment))).toHaveLength(0);
    expect(share((r) => emea(r) && month(r) >= '2026-06', /new onboarding/i)).toBeGreaterThan(0.1);
  });

  it('phone callers talk about holds and transfers far more than others', () => {
    const hold = /on hold|hold music|transferred|transfers/i;
    expect(share((r) => r.channel === 'phone', hold)).toBeGreaterThan(5 * share((r) => r.channel !== 'phone', hold));
  });

  it('topic weights follow the calendar (a check on the rules themselves)', () => {
    const at = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
    const base = { tone: 'detractor' as const, channel: 'email' as const, region: 'APAC' as const, plan: 'Pro' as const };
    expect(topicWeights({ ...base, ms: at(2026, 2, 10) }).priceRise).toBeGreaterThan(0);
    expect(topicWeights({ ...base, plan: 'Enterprise', ms: at(2026, 2, 10) }).priceRise).toBeUndefined();
    expect(topicWeights({ ...base, ms: EVENTS.mobile52 - 1 }).mobileCrash).toBeUndefined();
    expect(topicWeights({ ...base, ms: EVENTS.mobile52 }).mobileCrash).toBeGreaterThan(0);
    expect(topicWeights({ ...base, ms: EVENTS.mobile523 }).mobileCrash).toBeUndefined();
    expect(topicWeights({ ...base, ms: at(2026, 8, 20) }).backlog).toBeGreaterThan(0);
  });
});

describe('deterministic', () => {
  it('the same seed writes the same comments', () => {
    const context = { tone: 'passive' as const, channel: 'phone' as const, region: 'EMEA' as const, plan: 'Starter' as const, ms: Date.UTC(2026, 7, 3) };
    const a = new Rng(7);
    const b = new Rng(7);
    const texts = Array.from({ length: 50 }, () => writeComment(a, context));
    expect(Array.from({ length: 50 }, () => writeComment(b, context))).toEqual(texts);
    expect(new Set(texts).size).toBeGreaterThan(30);
  });

  it('the generator writes exactly the committed responses.csv', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cxreport-acme-gen-'));
    try {
      for (const f of ['generate.ts', 'comments.ts', 'drivers.ts', 'rng.ts']) cpSync(join(ROOT, 'examples', 'acme', f), join(dir, f));
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(dir, 'generate.ts')], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
      expect(readFileSync(join(dir, 'data', 'responses.csv')).equals(readFileSync(CSV))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
