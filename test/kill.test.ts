/**
 * Issue 15: builds killed at seeded random points — SIGTERM and SIGKILL, at any time of the build
 * and, with a test pause between the final renames (CXREPORT_TEST_COMMIT_PAUSE_MS), in the middle
 * of its commit. After each kill the output folder must hold either exactly the previous set or
 * exactly the new one — every file its manifest lists, with the listed SHA-256, and nothing else
 * of ours — or, only after a SIGKILL during the renames, a half-committed set that is detectable
 * (the journal .cxreport-staging is there) and that the next build completes (recoverOutputs, as
 * every build runs it first) into exactly the new set. Temporary files may survive a SIGKILL only,
 * and the next build removes them. The outcomes are counted and printed (docs/reliability.md).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOURNAL, recoverTree } from '../src/cli/write.js';
import { SURVEY_CONFIG, surveyProject } from './project.js';

const BIN = resolve(__dirname, '..', 'bin', 'cxreport.js');
const SEED = Number(process.env.CXREPORT_FUZZ_SEED ?? 15);
const KILLS = 24 * Number(process.env.CXREPORT_FUZZ_RUNS ?? 1);
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
const FORMATS = 'html,ipynb';

/** mulberry32: a small seeded generator, so that the kill times are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Snapshot = Record<string, Buffer>;
const snapshot = (dir: string): Snapshot => Object.fromEntries(readdirSync(dir, { withFileTypes: true }).filter((f) => f.isFile()).map((f) => [f.name, readFileSync(join(dir, f.name))]));
const same = (a: Snapshot, b: Snapshot) => JSON.stringify(Object.keys(a).sort()) === JSON.stringify(Object.keys(b).sort()) && Object.keys(a).every((k) => a[k].equals(b[k]));
const temps = (s: Snapshot) => Object.keys(s).filter((f) => f.endsWith('.tmp'));

/** Exactly the set its manifest lists: every file there with its checksum, nothing else but the manifest. */
function isCompleteSet(s: Snapshot): boolean {
  if (!s['manifest.json']) return false;
  const files = (JSON.parse(s['manifest.json'].toString('utf8')) as { outputs: { files: { path: string; sha256: string }[] }[] }).outputs.flatMap((o) => o.files);
  const names = Object.keys(s).filter((f) => f !== 'manifest.json').sort();
  return JSON.stringify(names) === JSON.stringify(files.map((f) => f.path).sort()) && files.every((f) => createHash('sha256').update(s[f.path]).digest('hex') === f.sha256);
}

function build(dir: string, extra: Record<string, string> = {}): { code: number | null; ms: number } {
  const start = Date.now();
  const r = spawnSync(process.execPath, [BIN, 'build', '--format', FORMATS, '--out', 'out', '--quiet'], { cwd: dir, env: { ...ENV, ...extra }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, ms: Date.now() - start };
}

describe('kills during a build leave the previous set or the new one, and a half commit is detected and completed', () => {
  it(`${KILLS} kills at seeded random points (SIGTERM and SIGKILL)`, { timeout: 600_000 }, async () => {
    const dir = surveyProject();
    const out = join(dir, 'out');
    // the previous set
    expect(build(dir).code).toBe(0);
    const previous = snapshot(out);
    expect(isCompleteSet(previous)).toBe(true);
    // the new one: its duration, without and with the pause between renames
    const second = SURVEY_CONFIG.replace('title: Test report', 'title: Second build');
    writeFileSync(join(dir, 'cxreport.yaml'), second);
    const PAUSE = 150;
    const plain = build(dir);
    const paused = build(dir, { CXREPORT_TEST_COMMIT_PAUSE_MS: String(PAUSE) });
    expect([plain.code, paused.code]).toEqual([0, 0]);
    const restore = () => {
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out);
      for (const [name, bytes] of Object.entries(previous)) writeFileSync(join(out, name), bytes);
    };

    const next = random(SEED);
    const outcomes: Record<string, number> = {};
    const log: string[] = [];
    for (let i = 0; i < KILLS; i++) {
      restore();
      const signal = i % 2 === 0 ? 'SIGTERM' : 'SIGKILL';
      // a third of the kills aim at the commit: the pause makes its four renames last ~0.6 s at the end of the build
      const atCommit = i % 3 === 2;
      const delay = atCommit ? Math.max(0, paused.ms - next() * 4 * PAUSE * 1.5) : next() * plain.ms * 1.1;
      const child = spawn(process.execPath, [BIN, 'build', '--format', FORMATS, '--out', 'out', '--quiet'], { cwd: dir, env: { ...ENV, ...(atCommit ? { CXREPORT_TEST_COMMIT_PAUSE_MS: String(PAUSE) } : {}) }, stdio: 'ignore' });
      const timer = setTimeout(() => child.kill(signal), delay);
      const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
      clearTimeout(timer);
      const now = snapshot(out);
      const journal = Boolean(now[JOURNAL]);
      const left = temps(now);
      let outcome: string;
      if (journal) {
        // a commit cut short: only SIGKILL can do it (a SIGTERM during the renames waits for them)
        expect(signal, `kill ${i}`).toBe('SIGKILL');
        await recoverTree(out);
        const repaired = snapshot(out);
        expect(isCompleteSet(repaired), `kill ${i}: completed from the journal`).toBe(true);
        expect(repaired['report.html'].toString('utf8')).toContain('Second build');
        expect(temps(repaired)).toEqual([]);
        outcome = 'half-committed, detected and completed';
      } else {
        if (signal === 'SIGTERM') expect(left, `kill ${i}: temporary files after SIGTERM`).toEqual([]);
        const files = Object.fromEntries(Object.entries(now).filter(([name]) => !name.endsWith('.tmp')));
        if (same(files, previous)) outcome = 'previous';
        else {
          expect(isCompleteSet(files), `kill ${i} (${signal} at ${Math.round(delay)} ms): neither the previous set nor a complete new one: ${Object.keys(now).join(', ')}`).toBe(true);
          expect(files['report.html'].toString('utf8')).toContain('Second build');
          outcome = 'new';
        }
        if (left.length) {
          // what a SIGKILL left behind, the next build removes
          await recoverTree(out);
          expect(temps(snapshot(out))).toEqual([]);
          outcome += ' (+ temporary files, removed by the next build)';
        }
      }
      const key = `${signal}: ${outcome}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      log.push(`${i}: ${signal} at ${Math.round(delay)} ms${atCommit ? ' (commit)' : ''}, exit ${code}: ${outcome}`);
    }
    console.log(`kills: ${KILLS} (build ${plain.ms} ms, with the commit pause ${paused.ms} ms)\n${log.join('\n')}\n${JSON.stringify(outcomes, null, 1)}`);
    expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(KILLS);

    // and a real next build after a half commit: it completes the journal, then writes its own set
    restore();
    const child = spawn(process.execPath, [BIN, 'build', '--format', FORMATS, '--out', 'out', '--quiet'], { cwd: dir, env: { ...ENV, CXREPORT_TEST_COMMIT_PAUSE_MS: '400' }, stdio: 'ignore' });
    // kill once the journal is there
    for (let t = 0; t < 600 && !readdirSync(out).includes(JOURNAL); t++) await new Promise((done) => setTimeout(done, 50));
    child.kill('SIGKILL');
    await new Promise((done) => child.on('exit', done));
    expect(readdirSync(out)).toContain(JOURNAL);
    writeFileSync(join(dir, 'cxreport.yaml'), SURVEY_CONFIG.replace('title: Test report', 'title: Third build'));
    expect(build(dir).code).toBe(0);
    const third = snapshot(out);
    expect(isCompleteSet(third)).toBe(true);
    expect(Object.keys(third)).not.toContain(JOURNAL);
    expect(temps(third)).toEqual([]);
    expect(third['report.html'].toString('utf8')).toContain('Third build');
  });
});
