/**
 * Helpers for the real-browser PDF tests (test/pdf.test.ts): small self-contained cxreport
 * projects written to temp folders, ways to run the CLI (in-process and as a child process), and
 * thin wrappers around poppler-utils (pdfinfo, pdftotext, pdffonts) to read the printed PDF.
 */
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { main } from '../src/cli/main.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------------
// Environment: is there a browser and poppler?

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function runs(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The browser the tests expect cxreport to find: CXREPORT_CHROME, else /usr/bin/chromium. */
export const chromePath = process.env.CXREPORT_CHROME || '/usr/bin/chromium';
export const hasChrome = isExecutable(chromePath);
export const hasPoppler = runs('pdfinfo', ['-v']) && runs('pdftotext', ['-v']) && runs('pdffonts', ['-v']);

/** Why the PDF tests are skipped, or null when they can run. */
export const pdfSkipReason: string | null = !hasChrome
  ? `no browser at ${chromePath} (install chromium or set CXREPORT_CHROME)`
  : !hasPoppler
    ? 'poppler-utils (pdfinfo, pdftotext, pdffonts) not installed'
    : null;

// ---------------------------------------------------------------------------------------------
// Projects

export type Cell = string | number | null | undefined;
export type Row = Record<string, Cell>;

/** A fresh temp folder (fs.mkdtemp under the OS temp dir). */
export function tempDir(prefix = 'cxreport-pdf-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** CSV text with a header row; columns default to the keys of all rows in first-seen order. */
export function toCsv(rows: Row[], columns?: string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const field = (v: Cell) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [cols.map(field).join(','), ...rows.map((r) => cols.map((c) => field(r[c])).join(','))].join('\n') + '\n';
}

export interface ProjectSpec {
  /** rows of the CSV source */
  rows: Row[];
  /** the config, as an object (serialised to YAML) or as YAML text */
  config: Record<string, unknown> | string;
  /** CSV file name, relative to the project (default data/responses.csv) */
  csv?: string;
  /** config file name (default cxreport.yaml) */
  configName?: string;
  /** extra files, relative path → content */
  files?: Record<string, string>;
}

export interface Project {
  dir: string;
  configPath: string;
}

/** Writes a project (CSV + cxreport.yaml + extra files) into `dir`, or into a new temp folder. */
export async function writeProject(spec: ProjectSpec, dir?: string): Promise<Project> {
  const root = dir ?? (await tempDir('cxreport-pdf-project-'));
  const files: Record<string, string> = {
    [spec.csv ?? 'data/responses.csv']: toCsv(spec.rows),
    [spec.configName ?? 'cxreport.yaml']: typeof spec.config === 'string' ? spec.config : stringify(spec.config, { lineWidth: 0 }),
    ...spec.files,
  };
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), content);
  }
  return { dir: root, configPath: join(root, spec.configName ?? 'cxreport.yaml') };
}

/** A deterministic pseudo-random generator (mulberry32) in [0, 1). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SurveyOptions {
  /** months (YYYY-MM) to generate, e.g. ['2026-09', '2026-10'] */
  months: string[];
  /** responses per month (ignored when `groups` is given) */
  perMonth?: number;
  /** group column and its values; `perGroup` responses per group and month */
  groups?: { column: string; values: string[]; perGroup: number };
  /** comment for the i-th response of a month (empty string for none) */
  comment?: (i: number, month: string) => string;
  seed?: number;
}

/** Survey rows with id, submitted_at, nps_score (0–10), csat (1–5), ces (1–7), optional group and comment. */
export function surveyRows(options: SurveyOptions): Row[] {
  const rand = random(options.seed ?? 7);
  const rows: Row[] = [];
  let id = 1;
  for (const month of options.months) {
    const plan: (string | undefined)[] = options.groups
      ? options.groups.values.flatMap((v) => Array.from({ length: options.groups!.perGroup }, () => v))
      : Array.from({ length: options.perMonth ?? 40 }, () => undefined);
    plan.forEach((group, i) => {
      const day = 1 + (i % 28);
      const minute = (i * 7) % 60;
      const row: Row = {
        id: `R${String(id++).padStart(5, '0')}`,
        submitted_at: `${month}-${String(day).padStart(2, '0')}T${String(8 + (i % 10)).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`,
      };
      if (options.groups && group !== undefined) row[options.groups.column] = group;
      row.nps_score = Math.min(10, Math.floor(rand() * 5) + Math.floor(rand() * 7));
      row.csat = 1 + Math.floor(rand() * 5);
      row.ces = 1 + Math.floor(rand() * 7);
      row.comment = options.comment?.(i, month) ?? '';
      rows.push(row);
    });
  }
  return rows;
}

/** A minimal valid config over data/responses.csv with nps/csat/ces metrics; `extra` is merged shallowly. */
export function surveyConfig(extra: { report?: Record<string, unknown>; sections: unknown[]; outputs?: Record<string, unknown>; metrics?: Record<string, unknown> }): Record<string, unknown> {
  const metric = (type: string, score: string, more: Record<string, unknown> = {}) => ({ type, source: 'responses', score, date: 'submitted_at', ...more });
  return {
    report: { title: 'Test Report', organisation: 'Test Org', author: 'Test Author', min_sample: 5, ...extra.report },
    sources: { responses: { type: 'csv', path: 'data/responses.csv' } },
    metrics: extra.metrics ?? { nps: metric('nps', 'nps_score'), csat: metric('csat', 'csat', { scale: 5 }), ces: metric('ces', 'ces', { scale: 7 }) },
    sections: extra.sections,
    ...(extra.outputs ? { outputs: extra.outputs } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Running the CLI

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment of this process without SOURCE_DATE_EPOCH, plus `extra` (undefined removes a key). */
export function testEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.SOURCE_DATE_EPOCH;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs `main(argv)` in this process with an injected env and working directory. */
export async function runMain(argv: string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { cwd: options.cwd, env: options.env ?? testEnv(), stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** Runs `node bin/cxreport.js …` as a child process (without blocking the event loop). */
export function runCli(argv: string[], options: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'cxreport.js'), ...argv], {
      cwd: options.cwd,
      env: (options.env ?? testEnv()) as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Reading PDFs with poppler

/** pdfinfo fields (dates in ISO form via -isodates). */
export function pdfInfo(file: string): Record<string, string> {
  const text = execFileSync('pdfinfo', ['-isodates', file], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  const info: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z ]+?):\s*(.*)$/.exec(line);
    if (m) info[m[1]] = m[2].trim();
  }
  return info;
}

export function pageCount(file: string): number {
  return Number(pdfInfo(file).Pages);
}

/** pdftotext of the whole file (reading order, no layout). */
export function pdfText(file: string, layout = false): string {
  return execFileSync('pdftotext', [...(layout ? ['-layout'] : []), '-enc', 'UTF-8', file, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** `pdftotext -layout -f N -l N` of every page; index 0 is page 1. */
export function pageTexts(file: string): string[] {
  const n = pageCount(file);
  return Array.from({ length: n }, (_, i) =>
    execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', '-f', String(i + 1), '-l', String(i + 1), file, '-'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }),
  );
}

export interface PdfFont {
  name: string;
  type: string;
  embedded: boolean;
}

/** Fonts listed by pdffonts (name, type, "emb" column). */
export function pdfFonts(file: string): PdfFont[] {
  const lines = execFileSync('pdffonts', [file], { encoding: 'utf8' }).split('\n');
  const rule = lines.findIndex((l) => /^-{5,}/.test(l));
  const header = lines[rule - 1] ?? '';
  const embAt = header.indexOf('emb');
  return lines
    .slice(rule + 1)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const flags = l.slice(embAt).trim().split(/\s+/);
      return { name: l.slice(0, header.indexOf('type')).trim(), type: l.slice(header.indexOf('type'), header.indexOf('encoding')).trim(), embedded: flags[0] === 'yes' };
    });
}

/** Text with all whitespace (and soft hyphens) removed, for comparisons that survive line wrapping. */
export function squash(text: string): string {
  return text.replace(/[\s\u00ad]+/g, '');
}

/** Decodes the entities Handlebars and our renderer emit. */
export function decodeEntities(html: string): string {
  return html
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Plain text of an HTML fragment: tags removed, entities decoded, whitespace collapsed. */
export function htmlText(fragment: string): string {
  return decodeEntities(fragment.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/** Each chart figure of a report.html: its id, title (h4.chart-title) and caption (figcaption). */
export function chartsOf(html: string): { id: string; title: string; caption: string }[] {
  const figures = [...html.matchAll(/<figure class="chart[^"]*" id="([^"]+)"[\s\S]*?<\/figure>/g)];
  return figures.map((m) => ({
    id: m[1],
    title: htmlText(/<h4 class="chart-title"[^>]*>([\s\S]*?)<\/h4>/.exec(m[0])?.[1] ?? ''),
    caption: htmlText(/<figcaption>([\s\S]*?)<\/figcaption>/.exec(m[0])?.[1] ?? ''),
  }));
}

/** Table-of-contents entry titles of a report.html, in order. */
export function tocTitlesOf(html: string): string[] {
  return [...html.matchAll(/<span class="toc-text">([\s\S]*?)<\/span>/g)].map((m) => htmlText(m[1]));
}
