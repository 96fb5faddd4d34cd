/** The extension's side of the runner (vscode/src/runner.ts): finding cxreport, and the JSON-lines client against the real server. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCxreport, Runner } from '../vscode/src/runner.js';
import { SURVEY_CONFIG, surveyProject } from './project.js';

const ROOT = resolve(import.meta.dirname, '..');

describe('the extension finds cxreport and talks to its runner', () => {
  it('finds node_modules/cxreport above the notebook, a cxreport checkout, or the configured folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cxreport-find-'));
    const installed = join(dir, 'project', 'node_modules', 'cxreport');
    mkdirSync(join(installed, 'bin'), { recursive: true });
    writeFileSync(join(installed, 'bin', 'cxreport-notebook-server.js'), '');
    mkdirSync(join(dir, 'project', 'reports', 'deep'), { recursive: true });
    expect(findCxreport(join(dir, 'project', 'reports', 'deep'), undefined)).toBe(installed);
    expect(findCxreport(join(ROOT, 'examples', 'acme'), undefined)).toBe(ROOT);
    expect(findCxreport(tmpdir(), undefined)).toBeUndefined();
    expect(findCxreport(tmpdir(), ROOT)).toBe(ROOT);
    expect(findCxreport(join(dir, 'project'), 'node_modules/cxreport', join(dir, 'project'))).toBe(installed);
    expect(findCxreport(tmpdir(), join(dir, 'nothing-here'))).toBeUndefined();
  });

  it('runs requests through the real runner process, and starts a new one after stop()', async () => {
    const dir = surveyProject();
    const lines: string[] = [];
    const runner = new Runner(ROOT, process.execPath, { appendLine: (l) => lines.push(l) });
    try {
      const path = join(dir, 'cxreport.yaml');
      const text = readFileSync(path, 'utf8');
      const answer = await runner.request({ op: 'runSection', path, text, index: 0 });
      expect(answer).toMatchObject({ ok: true, type: 'kpis', index: 0 });
      expect(String(answer.html)).toContain('kpi-card');
      const invalid = await runner.request({ op: 'validate', path, text: SURVEY_CONFIG.replace('min_sample: 5', 'min_sampel: 5') });
      expect(invalid.ok).toBe(false);
      expect((invalid.errors as { hint?: string }[])[0].hint).toMatch(/min_sample/);
      runner.stop();
      await new Promise((r) => setTimeout(r, 500));
      expect(runner.running).toBe(false);
      // the next request starts a new process
      expect(await runner.request({ op: 'validate', path, text })).toMatchObject({ ok: true, errors: [] });
      expect(lines.filter((l) => l.startsWith('runner ready')).length).toBe(2);
    } finally {
      runner.stop();
    }
  }, 60_000);
});
