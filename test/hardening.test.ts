/**
 * Issue 15's regression tests: hostile text, odd configs and faults never crash (exit 3, a stack
 * trace), leak a secret, hang or half-write. One `describe` per row of the issue's table; rows
 * about CLI behaviour run the real CLI (a process: exit code, stderr, --json on stdout).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SURVEY_CONFIG, surveyProject } from './project.js';

const BIN = resolve(__dirname, '..', 'bin', 'cxreport.js');

function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 1 with a located message ("cxreport.yaml:line:col: config error: …") and no stack trace. */
function expectLocatedError(r: { code: number | null; stderr: string }, message: string | RegExp) {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toContain('internal error');
  expect(r.code).toBe(1);
  if (typeof message === 'string') expect(r.stderr).toContain(message);
  else expect(r.stderr).toMatch(message);
}

describe('row 1: YAML aliases', () => {
  it('an alias without an anchor is a located config error', () => {
    const dir = surveyProject(SURVEY_CONFIG.replace('title: Test report', 'title: *nosuch'));
    expectLocatedError(run(['validate'], dir), 'cxreport.yaml:2:10: config error: YAML alias "*nosuch" refers to no anchor');
  });

  it('101 aliases (an expansion bomb) are a located config error, not exit 3', () => {
    const aliases = `  - type: markdown\n    text: &d "x"\n${Array.from({ length: 101 }, () => '  - { type: markdown, text: *d }').join('\n')}\n`;
    const dir = surveyProject(SURVEY_CONFIG.replace('sections:\n', `sections:\n${aliases}`));
    expectLocatedError(run(['validate'], dir), /cxreport\.yaml:\d+:\d+: config error: YAML aliases expand too much/);
  });

  it('a few aliases are fine', () => {
    const dir = surveyProject(SURVEY_CONFIG.replace('metrics: [nps, csat, ces] }', 'metrics: &all [nps, csat, ces] }').replace("  - { type: trend, metric: nps, periods: 3 }", '  - { type: kpis, metrics: *all }'));
    const r = run(['validate'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('row 12: secrets never printed', () => {
  const PASSWORD = 'S3cretPW';
  const withSource = (source: string) => surveyProject(SURVEY_CONFIG.replace('responses: { type: csv, path: data/responses.csv }', `responses: ${source}`));

  it('a connection string with a password on a line with an unknown key: the snippet hides the password (stderr and --json)', () => {
    const dir = withSource(`{ type: postgres, connection: 'postgres://u:${PASSWORD}@db.example:5432/cx?password=${PASSWORD}2', tabel: responses }`);
    for (const args of [['validate'], ['build', '--json']]) {
      const r = run(args, dir);
      expectLocatedError(r, 'unknown key "tabel" in sources.responses');
      expect(r.stderr + r.stdout).toContain("postgres://u:***@db.example:5432/cx?password=***");
      expect(r.stderr + r.stdout).not.toContain(PASSWORD);
      if (args.includes('--json')) expect(r.stdout).toContain('"event":"error"');
    }
  });

  it('the caret still points at the unknown key after redaction', () => {
    const dir = withSource(`{ type: postgres, connection: 'postgres://u:${PASSWORD}@db.example/cx', tabel: responses }`);
    const lines = run(['validate'], dir).stderr.split('\n');
    const snippet = lines.findIndex((l) => l.includes('tabel: responses'));
    expect(lines[snippet + 1].indexOf('^')).toBe(lines[snippet].indexOf('tabel'));
  });

  it('values of ${VAR} references never appear in an error, also when the value itself is invalid', () => {
    const dir = withSource('{ type: postgres, connection: "${CX_DATABASE_URL}", table: responses, timeout: "${CX_TIMEOUT}" }');
    const env = { CX_DATABASE_URL: `postgres://u:${PASSWORD}@db.example/cx`, CX_TIMEOUT: 'hunter2-token' };
    for (const args of [['validate'], ['build', '--json']]) {
      const r = run(args, dir, env);
      expectLocatedError(r, 'sources.responses.timeout: expected number, got the string "${CX_TIMEOUT}"');
      expect(r.stderr + r.stdout).not.toContain('hunter2-token');
      expect(r.stderr + r.stdout).not.toContain(PASSWORD);
    }
  });

  it('a password with an unencoded "#" is a located exit-1 error that does not print it', () => {
    const dir = withSource('{ type: postgres, connection: "${CX_DATABASE_URL}", table: responses, timeout: 2 }');
    const r = run(['validate'], dir, { CX_DATABASE_URL: 'postgres://u:pa#ss-word@127.0.0.1:1/cx' });
    expectLocatedError(r, 'source responses: data error: source "responses": the PostgreSQL connection string is not valid');
    expect(r.stderr).toContain('# as %23');
    expect(r.stderr).not.toContain('pa#ss-word');
    expect(r.stderr).not.toContain('ss-word');
  });
});

describe('rows 3 and 6: period keys and implausible dates', () => {
  it('current: "0000-01" is a located config error (outside the plausible dates), exit 1', () => {
    const dir = surveyProject(SURVEY_CONFIG.replace('current: latest', 'current: "0000-01"'));
    expectLocatedError(run(['validate'], dir), 'cxreport.yaml:3:42: config error: report.period.current "0000-01" lies outside the plausible dates (1900-01-01 to 2100-12-31)');
  });

  it('a trend annotation period "2026-13" is rejected by the schema, located; a quarter key in a monthly report too', () => {
    const bad = surveyProject(SURVEY_CONFIG.replace('{ type: trend, metric: nps, periods: 3 }', '{ type: trend, metric: nps, periods: 3, annotations: [{ period: "2026-13", label: x }] }'));
    expectLocatedError(run(['validate'], bad), /cxreport\.yaml:13:\d+: config error: sections\[1\]\.annotations\[0\]\.period: not a period key/);
    const quarter = surveyProject(SURVEY_CONFIG.replace('{ type: trend, metric: nps, periods: 3 }', '{ type: trend, metric: nps, periods: 3, annotations: [{ period: "2026-Q3", label: x }] }'));
    expectLocatedError(run(['validate'], quarter), 'section 2 (trend): annotation period "2026-Q3" is not a month period');
  });

  it('ordinal() of a malformed key throws a CxError, not a plain Error', async () => {
    const { shiftPeriod } = await import('../src/kernel/period.js');
    const { CxError } = await import('../src/kernel/errors.js');
    expect(() => shiftPeriod('2026-13', -1, 'month')).toThrow(CxError);
  });

  it('years 0–99 are never read as 1900–1999; keys keep four digits', async () => {
    const { parseAnyTimestamp, periodOf, periodStart, shiftPeriod } = await import('../src/kernel/period.js');
    const t = parseAnyTimestamp('0099-03-04');
    expect(new Date(t).getUTCFullYear()).toBe(99);
    expect(parseAnyTimestamp('0099-03-04T10:00:00+02:00')).toBe(t + 8 * 3_600_000);
    expect(periodOf(t, 'month')).toBe('0099-03');
    expect(periodOf(t, 'year')).toBe('0099');
    expect(new Date(periodStart('0099-03', 'month')).getUTCFullYear()).toBe(99);
    expect(shiftPeriod('0100-01', -1, 'month')).toBe('0099-12');
  });

  it('dates outside report.date_range are excluded by reason and never become the latest period; the range is configurable', async () => {
    const { build } = await import('../src/app/pipeline.js');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = surveyProject();
    const data = join(dir, 'data', 'responses.csv');
    writeFileSync(data, `${readFileSync(data, 'utf8')}901,9999-10-01T00:00:00Z,email,EMEA,10,5,7,\n902,0099-10-01,email,EMEA,0,1,1,\n903,0000-01-01,email,EMEA,0,1,1,\n`);
    const metrics = JSON.parse((await build({ configPath: join(dir, 'cxreport.yaml'), env: {} })).metrics);
    expect(metrics.period).toBe('2026-10');
    expect(metrics.metrics.nps.excludedAllPeriods['date outside the plausible range']).toBe(3);
    // with a wider range, 0099-10-01 is read as year 99 (not 1999) and 9999 becomes the latest period;
    // the series is bounded (at most MAX_HISTORY periods), however far apart the dates are
    writeFileSync(join(dir, 'cxreport.yaml'), SURVEY_CONFIG.replace('  min_sample: 5', '  min_sample: 5\n  date_range: { min: "0001-01-01", max: "9999-12-31" }').replace(/  - type: case-study[\s\S]*$/, ''));
    const start = performance.now();
    const wide = JSON.parse((await build({ configPath: join(dir, 'cxreport.yaml'), env: {} })).metrics);
    expect(wide.period).toBe('9999-10');
    expect(wide.metrics.nps.series.length).toBe(240);
    expect(performance.now() - start).toBeLessThan(10_000);
    const y99 = JSON.parse((await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, period: '0099-10' })).metrics);
    expect([y99.period, y99.metrics.nps.n, y99.metrics.nps.value]).toEqual(['0099-10', 1, -100]);
    await expect(build({ configPath: join(dir, 'cxreport.yaml'), env: {}, period: '1999-10' })).rejects.toThrow('no metric has any data in 1999-10');
    // restore the default for the other tests in this process
    const { setDateRange, DEFAULT_DATE_RANGE } = await import('../src/kernel/period.js');
    setDateRange(DEFAULT_DATE_RANGE);
  });

  it('report.date_range is validated: calendar dates, min not after max', () => {
    const dir = surveyProject(SURVEY_CONFIG.replace('  min_sample: 5', '  min_sample: 5\n  date_range: { min: "2100-01-01", max: "1900-02-30" }'));
    const r = run(['validate'], dir);
    expectLocatedError(r, 'report.date_range.max: not a calendar date');
  });
});

describe('row 5: reserved names and case-study windows', () => {
  it.each([
    ['a metric named __proto__', SURVEY_CONFIG.replace('  ces: { type: ces,', '  __proto__: { type: ces,'), 'cxreport.yaml:10:3: config error: the key "__proto__" is not allowed'],
    ['a source named constructor', SURVEY_CONFIG.replace('  responses: { type: csv', '  constructor: { type: csv'), /cxreport\.yaml:6:3: config error: sources\.constructor: a reserved name/],
    ['a metric named prototype', SURVEY_CONFIG.replace('  ces: { type: ces,', '  prototype: { type: ces,'), /metrics\.prototype: a reserved name/],
    ['a section id constructor', SURVEY_CONFIG.replace('{ type: kpis, metrics: [nps, csat, ces] }', '{ type: kpis, id: constructor, metrics: [nps, csat, ces] }'), /sections\[0\]\.id: a reserved name/],
  ])('%s is a located config error', (_name, config, message) => {
    expectLocatedError(run(['validate'], surveyProject(config)), message);
  });

  it('an after window that ends before it starts, and overlapping windows, are located config errors', () => {
    const reversed = surveyProject(SURVEY_CONFIG.replace('after: { from: "2026-10", to: "2026-10" }', 'after: { from: "2026-10", to: "2026-06" }'));
    expectLocatedError(run(['validate'], reversed), 'case study "EMEA study": the after window ends (2026-06) before it starts (2026-10)');
    const overlap = surveyProject(SURVEY_CONFIG.replace('before: { from: "2026-09", to: "2026-09" }', 'before: { from: "2026-08", to: "2026-10" }'));
    expectLocatedError(run(['validate'], overlap), 'the after window (from 2026-10) must start after the before window ends (2026-10)');
  });
});

describe('row 4: bounded inputs', () => {
  const withSection = (section: string, files: Record<string, string> = {}) => {
    const dir = surveyProject(SURVEY_CONFIG.replace('sections:\n', `sections:\n  - ${section}\n`));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  };

  it('/dev/zero, a FIFO or a folder as a Markdown file, chart spec or logo is a located error at once, not a hang', () => {
    const fifoDir = withSection('{ type: chart, spec: spec.fifo, metric: nps }');
    const fifo = spawnSync('mkfifo', [join(fifoDir, 'spec.fifo')]);
    const cases: [string, RegExp][] = [
      [withSection('{ type: markdown, file: /dev/zero }'), /cxreport\.yaml:\d+:\d+: config error: section 1 \(markdown\): \/dev\/zero is a device, not a file/],
      [surveyProject(SURVEY_CONFIG.replace('  min_sample: 5', '  min_sample: 5\n  logo: data/x.svg').replace('data/responses.csv }', 'data/responses.csv }')), /report\.logo: (file not found|data\/x\.svg)/],
      [surveyProject(SURVEY_CONFIG.replace('  min_sample: 5', '  min_sample: 5\n  logo: data.svg')), /report\.logo: file not found: data\.svg/],
      ...(fifo.status === 0 ? [[fifoDir, /section 1 \(chart\): spec: spec\.fifo is a pipe, not a file/] as [string, RegExp]] : []),
    ];
    mkdirSync(join(cases[1][0], 'data', 'x.svg'));
    cases[1][1] = /report\.logo: data\/x\.svg is a folder, not a file/;
    for (const [dir, message] of cases) {
      const start = Date.now();
      expectLocatedError(run(['build', '--format', 'html', '--out', 'out'], dir), message);
      expect(Date.now() - start).toBeLessThan(30_000);
    }
  });

  it('every source read whole (JSON, NDJSON, Parquet, Arrow, xlsx) refuses /dev/zero, a FIFO, a folder and a file over its limit at once', async () => {
    const { loadSource } = await import('../src/sources/index.js');
    const { CxError } = await import('../src/kernel/errors.js');
    const { MAX_SOURCE_BYTES, MAX_TEXT_SOURCE_BYTES } = await import('../src/sources/read.js');
    const { truncateSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'cxreport-bounded-'));
    const fifo = spawnSync('mkfifo', [join(dir, 'rows.fifo')]).status === 0;
    // sparse files: their size is over the limit, their blocks on disk are none
    writeFileSync(join(dir, 'big.json'), '');
    truncateSync(join(dir, 'big.json'), MAX_TEXT_SOURCE_BYTES + 1);
    writeFileSync(join(dir, 'big.parquet'), '');
    truncateSync(join(dir, 'big.parquet'), MAX_SOURCE_BYTES + 1);
    mkdirSync(join(dir, 'folder.arrow'));
    for (const type of ['json', 'ndjson', 'parquet', 'arrow', 'xlsx'] as const) {
      const cases: [string, RegExp][] = [
        ['/dev/zero', new RegExp(`^source "s": /dev/zero is a device, not a file$`)],
        [join(dir, 'folder.arrow'), /^source "s": folder\.arrow is a folder, not a file$/],
        ...(fifo ? [[join(dir, 'rows.fifo'), /^source "s": rows\.fifo is a pipe, not a file$/] as [string, RegExp]] : []),
        ...(type === 'json' || type === 'ndjson' ? [[join(dir, 'big.json'), /^source "s": big\.json is 512 MB, more than the 512 MB a file read whole may have$/] as [string, RegExp]] : []),
        ...(type === 'parquet' || type === 'arrow' ? [[join(dir, 'big.parquet'), /^source "s": big\.parquet is 2 GB, more than the 2 GB a file read whole may have$/] as [string, RegExp]] : []),
      ];
      for (const [path, message] of cases) {
        const start = Date.now();
        const error = await loadSource('s', { type, path } as never, dir).then(() => undefined, (e: unknown) => e);
        expect(error, `${type} ${path}`).toBeInstanceOf(CxError);
        expect((error as InstanceType<typeof CxError>).kind).toBe('data');
        expect((error as Error).message, `${type} ${path}`).toMatch(message);
        expect(Date.now() - start).toBeLessThan(2_000);
      }
    }
  });

  it('a Markdown file over 10 MB is refused with its size', () => {
    const dir = withSection('{ type: markdown, file: big.md }', { 'big.md': 'x'.repeat(10 * 1024 * 1024 + 1) });
    expectLocatedError(run(['validate'], dir), /section 1 \(markdown\): big\.md is 10 MB, more than the 10 MB a file read whole may have/);
  });

  it('a config that is a device is refused', () => {
    expectLocatedError(run(['validate', '/dev/zero'], surveyProject()), 'config error: config: /dev/zero is a device, not a file');
  });

  it('a stray early date computes a bounded history; a long --period range is refused', () => {
    const dir = surveyProject();
    const data = join(dir, 'data', 'responses.csv');
    writeFileSync(data, `${readFileSync(data, 'utf8')}901,1901-01-15T00:00:00Z,email,EMEA,10,5,7,\n`);
    const start = Date.now();
    const r = run(['build', '--format', 'html', '--out', 'out'], dir);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(0);
    expect(Date.now() - start).toBeLessThan(30_000);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'metrics.json'), 'utf8')).metrics.nps.series).toHaveLength(240);
    const range = run(['build', '--period', '2026-01..2100-12', '--format', 'html'], surveyProject());
    expect(range.code).toBe(2);
    expect(range.stderr).toContain('--period range "2026-01..2100-12" holds 900 periods, more than the 240 one build makes');
    const far = run(['build', '--period', '3000-01', '--format', 'html'], surveyProject());
    expect(far.code).toBe(2);
    expect(far.stderr).toContain('--period "3000-01" lies outside the plausible dates (1900-01-01 to 2100-12-31)');
  });

  it('a DuckDB statement is interrupted after the source\'s timeout', () => {
    const dir = surveyProject(
      SURVEY_CONFIG.replace(
        'responses: { type: csv, path: data/responses.csv }',
        `responses: { type: duckdb, timeout: 1, pushdown: false, query: "select r::varchar as id, '2026-10-01' as submitted_at, 'email' as channel, 'EMEA' as region, 9 as nps_score, 5 as csat, 5 as ces, '' as comment from range(1000000000000) t(r) order by random()" }`,
      ),
    );
    const start = Date.now();
    expectLocatedError(run(['validate'], dir), 'source responses: data error: source "responses": the DuckDB query was stopped after 1 s');
    expect(Date.now() - start).toBeLessThan(30_000);
  });
});

describe('row 9: the PDF stays the report when it tries to navigate', () => {
  it('a <meta http-equiv=refresh> in a template neither replaces the page nor fails the print', { timeout: 180_000 }, () => {
    const config = SURVEY_CONFIG.replace('sections:\n', 'sections:\n  - { type: custom, partial: callout }\n');
    const dir = surveyProject(config);
    mkdirSync(join(dir, 'templates', 'partials'), { recursive: true });
    for (const [i, target] of ['https://example.com/', 'data:text/html,<h1>gone</h1>'].entries()) {
      writeFileSync(join(dir, 'templates', 'partials', 'callout.hbs'), `<meta http-equiv="refresh" content="0;url=${target}"><p>Callout text ${i}</p>`);
      const r = run(['build', '--format', 'pdf', '--out', `out${i}`], dir);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.code).toBe(0);
      const text = spawnSync('pdftotext', [join(dir, `out${i}`, 'report.pdf'), '-'], { encoding: 'utf8' }).stdout;
      expect(text).toContain(`Callout text ${i}`);
      expect(text).toContain('Test report');
      expect(text).not.toContain('gone');
    }
  });
});

describe('rows 10 and 11: output sets are all or nothing', () => {
  const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir, { withFileTypes: true }).filter((f) => f.isFile()).map((f) => f.name).sort().map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));
  const noTemps = (dir: string) => expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

  it('a browser that fails (CXREPORT_CHROME=/bin/false) leaves exactly the previous set, manifest included', () => {
    const dir = surveyProject();
    expect(run(['build', '--format', 'html', '--out', 'out'], dir).code).toBe(0);
    const before = snapshot(join(dir, 'out'));
    const r = run(['build', '--format', 'html,pdf', '--out', 'out'], dir, { CXREPORT_CHROME: '/bin/false' });
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('could not start the browser at /bin/false');
    expect(snapshot(join(dir, 'out'))).toEqual(before);
    noTemps(join(dir, 'out'));
  });

  it('a batch that fails after some reports were staged leaves the previous batch whole', () => {
    const dir = surveyProject();
    expect(run(['build', '--period', '2026-09..2026-10', '--format', 'html', '--out', 'out'], dir).code).toBe(0);
    const before = [snapshot(join(dir, 'out')), snapshot(join(dir, 'out', '2026-09')), snapshot(join(dir, 'out', '2026-10'))];
    // 2026-09 is built and staged, then 2026-10 fails (its CSAT change is significant, and then the Markdown names an unknown value)
    writeFileSync(join(dir, 'cxreport.yaml'), SURVEY_CONFIG.replace('    text: "NPS is', '    text: "{{#if metrics.csat.significant}}{{nosuch}}{{/if}}NPS is'));
    const r = run(['build', '--period', '2026-09..2026-10', '--format', 'html', '--out', 'out'], dir);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('render 2026-09: done');
    expect(r.stderr).toContain('nosuch');
    expect([snapshot(join(dir, 'out')), snapshot(join(dir, 'out', '2026-09')), snapshot(join(dir, 'out', '2026-10'))]).toEqual(before);
    for (const d of ['out', 'out/2026-09', 'out/2026-10']) noTemps(join(dir, d));
  });

  it('SIGTERM at any point of a build leaves the previous set or the complete new one, never a mix, and no temporary file', async () => {
    const dir = surveyProject();
    expect(run(['build', '--format', 'html,ipynb', '--out', 'out'], dir).code).toBe(0);
    const before = snapshot(join(dir, 'out'));
    writeFileSync(join(dir, 'cxreport.yaml'), SURVEY_CONFIG.replace('title: Test report', 'title: Second build'));
    const outcomes: string[] = [];
    for (const delay of [150, 600, 1200, 1800, 2600, 3500]) {
      const child = spawn(process.execPath, [BIN, 'build', '--format', 'html,ipynb', '--out', 'out'], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' }, stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGTERM'), delay);
      const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
      clearTimeout(timer);
      const now = snapshot(join(dir, 'out'));
      noTemps(join(dir, 'out'));
      if (JSON.stringify(now) === JSON.stringify(before)) outcomes.push(`previous (exit ${code})`);
      else {
        // the complete new set: exactly the files its manifest lists, with their checksums
        const listed = JSON.parse(Buffer.from(now['manifest.json'], 'base64').toString('utf8')).outputs[0].files as { path: string; sha256: string }[];
        expect(Object.keys(now).sort()).toEqual([...listed.map((f) => f.path), 'manifest.json'].sort());
        for (const f of listed) expect(createHash('sha256').update(Buffer.from(now[f.path], 'base64')).digest('hex')).toBe(f.sha256);
        expect(Buffer.from(now['report.html'], 'base64').toString('utf8')).toContain('Second build');
        outcomes.push(`new (exit ${code})`);
      }
      // back to the previous set for the next kill
      writeFileSync(join(dir, 'cxreport.yaml'), SURVEY_CONFIG);
      expect(run(['build', '--format', 'html,ipynb', '--out', 'out'], dir).code).toBe(0);
      writeFileSync(join(dir, 'cxreport.yaml'), SURVEY_CONFIG.replace('title: Test report', 'title: Second build'));
    }
    expect(outcomes.length).toBe(6);
  }, 240_000);

  it('a successful build replaces the set: files of the previous manifest it does not write are removed', () => {
    const dir = surveyProject();
    expect(run(['build', '--format', 'html,ipynb', '--out', 'out'], dir).code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['manifest.json', 'metrics.json', 'report.html', 'report.ipynb']);
    writeFileSync(join(dir, 'out', 'notes.txt'), 'mine');
    expect(run(['build', '--format', 'html', '--out', 'out'], dir).code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['manifest.json', 'metrics.json', 'notes.txt', 'report.html']);
    const listed = JSON.parse(readFileSync(join(dir, 'out', 'manifest.json'), 'utf8')).outputs[0].files.map((f: { path: string }) => f.path).sort();
    expect(listed).toEqual(['metrics.json', 'report.html']);
  });

  // A small tmpfs: a full disk and a read-only folder, for real. Mounting needs root (CI runs as
  // root in a container); elsewhere these tests are skipped, saying so.
  const mountable = (() => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
    const probe = mkdtempSync(join(tmpdir(), 'cxreport-mount-'));
    const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
    if (ok) spawnSync('umount', [probe]);
    return ok;
  })();
  const mounts: string[] = [];
  afterAll(() => {
    for (const m of mounts) spawnSync('umount', ['-l', m]);
  });
  const tmpfs = (size: string) => {
    const m = mkdtempSync(join(tmpdir(), 'cxreport-tmpfs-'));
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', m]).status).toBe(0);
    mounts.push(m);
    return m;
  };

  it.skipIf(!mountable)(`a full disk is a located exit-1 output error; the previous set stays, no temporary file${mountable ? '' : ' (skipped: cannot mount a tmpfs here, needs root on Linux)'}`, () => {
    const dir = surveyProject();
    const disk = tmpfs('2m');
    const out = join(disk, 'out');
    expect(run(['build', '--format', 'html', '--out', out], dir).code).toBe(0);
    const before = snapshot(out);
    // fill the disk but for a few kilobytes: too little for a new set
    spawnSync('dd', ['if=/dev/zero', `of=${join(disk, 'filler')}`, 'bs=4k'], { stdio: 'ignore' });
    spawnSync('rm', ['-f', join(disk, 'filler')]);
    spawnSync('dd', ['if=/dev/zero', `of=${join(disk, 'filler')}`, 'bs=1k', `count=${Math.max(0, Math.floor((statfsSync(disk).bavail * statfsSync(disk).bsize) / 1024) - 8)}`], { stdio: 'ignore' });
    const r = run(['build', '--format', 'html', '--out', out], dir);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/: output error: cannot write .*(report\.html|metrics\.json): no space left on the device \(ENOSPC\)/);
    expect(snapshot(out)).toEqual(before);
    noTemps(out);
  });

  it.skipIf(!mountable)(`a read-only output folder is a located exit-1 output error${mountable ? '' : ' (skipped: cannot mount a tmpfs here, needs root on Linux)'}`, () => {
    const dir = surveyProject();
    const disk = tmpfs('4m');
    const out = join(disk, 'out');
    expect(run(['build', '--format', 'html', '--out', out], dir).code).toBe(0);
    const before = snapshot(out);
    expect(spawnSync('mount', ['-o', 'remount,ro', disk]).status).toBe(0);
    const r = run(['build', '--format', 'html', '--out', out], dir);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/: output error: cannot write .*: the file system is read-only \(EROFS\)/);
    expect(snapshot(out)).toEqual(before);
  });

  it.skipIf(process.getuid?.() === 0)(`a folder without write permission is a located exit-1 output error${process.getuid?.() === 0 ? ' (skipped: running as root, where chmod does not stop writes; the read-only tmpfs test covers it)' : ''}`, () => {
    const dir = surveyProject();
    expect(run(['build', '--format', 'html', '--out', 'out'], dir).code).toBe(0);
    const before = snapshot(join(dir, 'out'));
    chmodSync(join(dir, 'out'), 0o555);
    const r = run(['build', '--format', 'html', '--out', 'out'], dir);
    chmodSync(join(dir, 'out'), 0o755);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/output error: cannot write .*permission denied \(EACCES\)/);
    expect(snapshot(join(dir, 'out'))).toEqual(before);
  });
});

describe('rows 7 and 8: analyst HTML and theme values', () => {
  const VECTORS = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<svg onload=alert(1)>',
    '<meta http-equiv="refresh" content="0;url=https://example.com/">',
    '<base href="https://example.com/">',
    '<iframe src="https://example.com/"></iframe>',
    '<object data="https://example.com/x.swf"></object>',
    '<embed src="https://example.com/x.swf">',
    '<form action="https://example.com/"><input name="q"><button>go</button></form>',
    '[click](javascript:alert(1))',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<img src="https://example.com/track.png">',
    '<link rel="stylesheet" href="https://example.com/x.css">',
    '<style>body{background:url(https://example.com/x)}</style>',
    '<div style="background:url(https://example.com/x)">styled</div>',
    '<details open ontoggle=alert(1)>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '"><script>alert(1)</script>',
  ];

  /** Live markup (not escaped text) that could run script, load something or navigate. */
  const LIVE = /<(script|style|meta|base|iframe|object|embed|form|link|svg|math)\b|<[a-z][^>]*\s(on\w+|style)\s*=|<[a-z][^>]*\s(href|src|action|data)\s*=\s*\\?["']?\s*(javascript|data:text|https?:\/\/example)/i;

  it('Markdown keeps its structure but loses every script, handler, dangerous element and URL', async () => {
    const { sanitizeAnalystHtml } = await import('../src/report/sections/markdown.js');
    const { marked } = await import('marked');
    for (const vector of VECTORS) {
      const out = sanitizeAnalystHtml(marked.parse(`before ${vector} after`, { async: false }) as string);
      expect(out, vector).not.toMatch(LIVE);
    }
    expect(sanitizeAnalystHtml('<p><a href="https://acme.example/x" title="t">ok</a> <a href="#about">in page</a> <a href="mailto:cx@acme.example">mail</a></p>')).toBe('<p><a href="https://acme.example/x" title="t">ok</a> <a href="#about">in page</a> <a href="mailto:cx@acme.example">mail</a></p>');
    expect(sanitizeAnalystHtml('<img src="data:image/png;base64,iVBORw0KGgo=" alt="logo">')).toBe('<img src="data:image/png;base64,iVBORw0KGgo=" alt="logo" />');
  });

  it('the same policy in the built HTML and the notebook (one renderer)', () => {
    const text = VECTORS.map((v) => v.replaceAll('"', '\\"')).join(' ');
    const dir = surveyProject(SURVEY_CONFIG.replace('sections:\n', `sections:\n  - { type: markdown, title: Vectors, text: "${text}" }\n`));
    const r = run(['build', '--format', 'html,ipynb', '--out', 'out'], dir);
    expect(r.code).toBe(0);
    // the notebook's rendered outputs (a cell's source is the section's YAML, plain text)
    const notebook = JSON.parse(readFileSync(join(dir, 'out', 'report.ipynb'), 'utf8')) as { cells: { outputs?: { data?: Record<string, string | string[]> }[] }[] };
    const notebookHtml = notebook.cells.flatMap((c) => c.outputs ?? []).map((o) => [o.data?.['text/html'] ?? ''].flat().join('')).join('\n');
    for (const text of [readFileSync(join(dir, 'out', 'report.html'), 'utf8'), notebookHtml]) {
      // the report's own <style>, <meta> and chart <svg> aside, nothing live remains (the YAML toggle shows the vectors as escaped text)
      // (and the report's own CSV downloads: a percent-encoded data:text/csv link with a download name, issue 18)
      const out = text.replace(/<style>[^<]*<\/style>|<meta (charset|name|http-equiv=\\?"Content-Security-Policy)[^>]*>|<svg[\s\S]*?<\/svg>|<a href=\\?"data:text\/csv;charset(=|&#x3D;)utf-8,(?:[\w%.~*()!-]|&#x27;)*\\?" download=\\?"[\w.-]+\.csv\\?">/g, '');
      expect(out).not.toMatch(LIVE);
      expect(out).toContain('Vectors');
    }
  });

  it.each([
    ['x;}</style><script>alert(1)</script>'],
    ['Inter; color: red'],
    ['Inter} body {display:none'],
    ['"Inter\\"; x'],
  ])('theme.font %j is a located config error', (font) => {
    const dir = surveyProject(`${SURVEY_CONFIG}theme:\n  font: '${font.replaceAll("'", "''")}'\n`);
    expectLocatedError(run(['validate'], dir), /cxreport\.yaml:\d+:9: config error: theme\.font: a font-family list/);
  });

  it('font-family lists with names, quoted names and commas are accepted', async () => {
    const { configSchema } = await import('../src/app/schema.js');
    const font = (configSchema as any).shape.theme.unwrap().shape.font;
    for (const ok of ['Inter, Noto Sans, sans-serif', '"Noto Sans CJK SC", \'Source Han Sans\', serif', 'Helvetica Neue', '微软雅黑, sans-serif']) expect(font.safeParse(ok).success, ok).toBe(true);
  });

  it('the preview runs only its own script: a hash in script-src, never unsafe-inline', async () => {
    const { PREVIEW_HEAD, PREVIEW_CSP } = await import('../src/preview/session.js');
    const script = /<script>([\s\S]*?)<\/script>/.exec(PREVIEW_HEAD)![1];
    expect(PREVIEW_CSP).not.toContain("'unsafe-inline'; connect");
    expect(/script-src ([^;]*)/.exec(PREVIEW_CSP)![1]).toBe(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
  });
});

describe('row 6 in the database: pushed-down score metrics read the same plausible dates', () => {
  it('DuckDB with pushdown gives the CSV\'s period and exclusion counts for out-of-range dates', async () => {
    const { build } = await import('../src/app/pipeline.js');
    const dir = surveyProject();
    const data = join(dir, 'data', 'responses.csv');
    writeFileSync(data, `${readFileSync(data, 'utf8')}901,9999-10-01T00:00:00Z,email,EMEA,10,5,7,\n902,0099-10-01T00:00:00Z,email,EMEA,0,1,1,\n`);
    const simple = SURVEY_CONFIG.replace(/  - type: case-study[\s\S]*$/, '').replace(/  - \{ type: (breakdown|verbatims)[^\n]*\n/g, '');
    writeFileSync(join(dir, 'cxreport.yaml'), simple);
    const csv = JSON.parse((await build({ configPath: join(dir, 'cxreport.yaml'), env: {} })).metrics);
    const duck = `{ type: duckdb, query: "select * replace (try_cast(submitted_at as timestamptz) as submitted_at) from read_csv('data/responses.csv', all_varchar = true)" }`;
    writeFileSync(join(dir, 'cxreport.yaml'), simple.replace('responses: { type: csv, path: data/responses.csv }', `responses: ${duck}`));
    const db = JSON.parse((await build({ configPath: join(dir, 'cxreport.yaml'), env: {} })).metrics);
    expect(db.period).toBe('2026-10');
    expect(db.metrics.nps.excludedAllPeriods['date outside the plausible range']).toBe(2);
    expect(csv.metrics.nps.excludedAllPeriods['date outside the plausible range']).toBe(2);
    expect([db.metrics.nps.value, db.metrics.nps.n]).toEqual([csv.metrics.nps.value, csv.metrics.nps.n]);
  });
});

describe('row 7 in a real browser: the preview runs no script but its own', () => {
  const chrome = process.env.CXREPORT_CHROME || ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
  it.skipIf(!chrome)(`hostile Markdown and a template script: no dialog, no script effect, no request; the reload still works${chrome ? '' : ' (skipped: no Chromium)'}`, { timeout: 120_000 }, async () => {
    const { startPreview } = await import('../src/preview/server.js');
    const { BROWSER_ARGS } = await import('../src/render/browser.js');
    const puppeteer = (await import('puppeteer-core')).default;
    const vectors = '<img src=x onerror=window.__pwned=1> <svg onload=window.__pwned=2> <details open ontoggle=window.__pwned=3> <script>window.__pwned=4</script> [x](javascript:window.__pwned=5) <meta http-equiv=refresh content=0;url=about:blank#moved>';
    const dir = surveyProject(SURVEY_CONFIG.replace('sections:\n', `sections:\n  - { type: markdown, title: Vectors, text: "${vectors}" }\n  - { type: custom, partial: callout }\n`));
    mkdirSync(join(dir, 'templates', 'partials'), { recursive: true });
    writeFileSync(join(dir, 'templates', 'partials', 'callout.hbs'), '<p>Callout</p><script>window.__pwned=6</script><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onerror="window.__pwned=7">');
    const preview = await startPreview({ configPath: 'cxreport.yaml', env: {}, cwd: dir, port: 0 });
    const browser = await puppeteer.launch({ executablePath: chrome, headless: true, args: [...BROWSER_ARGS] });
    try {
      const page = await browser.newPage();
      const dialogs: string[] = [];
      const requests: string[] = [];
      page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
      page.on('request', (r) => void (r.url().startsWith('data:') || r.url() === preview.url || r.url().endsWith('/events') || requests.push(r.url())));
      await page.goto(preview.url, { waitUntil: 'load' });
      await new Promise((done) => setTimeout(done, 800));
      expect(page.url()).toBe(preview.url);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.evaluate(() => document.body.innerText)).toContain('Callout');
      expect(dialogs).toEqual([]);
      expect(requests).toEqual([]);
      // the preview's own (hashed) script still reloads the page on a rebuild
      writeFileSync(join(dir, 'cxreport.yaml'), readFileSync(join(dir, 'cxreport.yaml'), 'utf8').replace('title: Test report', 'title: Reloaded report'));
      await page.waitForFunction(() => document.body.innerText.includes('Reloaded report'), { timeout: 30_000, polling: 100 });
    } finally {
      await browser.close();
      await preview.close();
    }
  });
});

describe('found by the audit of issue 15 (fuzzers, XSS suite): each a regression test', () => {
  it('a label with a line break (a metric label, a survey question) no longer breaks Vega\'s expressions: the build draws it on one line', () => {
    const dir = surveyProject(SURVEY_CONFIG.replace('nps: { type: nps,', 'nps: { label: "Net\\nPromoter\\u2028Score", type: nps,'));
    const r = run(['build', '--format', 'html', '--out', 'out'], dir);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'out', 'report.html'), 'utf8')).toContain('Net Promoter Score');
  });

  it.each([
    ['a malformed expression', { mark: 'line', transform: [{ calculate: '((', as: 'x' }], encoding: { x: { field: 'period', type: 'ordinal' }, y: { field: 'value', type: 'quantitative' } } }],
    ['an unknown mark', { mark: 'nosuchmark', encoding: { x: { field: 'period', type: 'ordinal' } } }],
    ['not an object', [1, 2]],
  ])('a chart spec with %s is a located config error (was exit 3 while rendering)', (_what, spec) => {
    const dir = surveyProject(SURVEY_CONFIG.replace('sections:\n', 'sections:\n  - { type: chart, metric: nps, spec: c.json }\n'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify(spec));
    expectLocatedError(run(['build', '--format', 'html', '--out', 'out'], dir), /cxreport\.yaml:12:\d+: config error: section 1 \(chart\): c\.json (cannot be drawn|is not a Vega-Lite spec)/);
  });

  it('a JSON value nested thousands deep is a located data error (was exit 3: the stack overflowed)', async () => {
    const { loadSource } = await import('../src/sources/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'cxreport-deep-'));
    const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
    writeFileSync(join(dir, 'r.json'), `[{"id":1,"score":${deep(100_000)}},{"id":2,"score":[1,{"a":2}]}]`);
    await expect(loadSource('r', { type: 'json', path: join(dir, 'r.json') } as never, dir)).rejects.toThrow('source "r": row 1, "score": a value nested too deeply to read');
    // shallow nesting is read as its JSON text (a key such as __proto__ stays a column)
    writeFileSync(join(dir, 'r.json'), '[{"id":1,"score":[1,{"a":2}],"__proto__":{"polluted":1}}]');
    const table = await loadSource('r', { type: 'json', path: join(dir, 'r.json') } as never, dir);
    expect(table.table.array('score')[0]).toBe('[1,{"a":2}]');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a damaged Arrow file is a located data error (was exit 3: "Invalid array length" while its columns were read)', async () => {
    const aq = await import('arquero');
    const { loadSource } = await import('../src/sources/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'cxreport-arrow-'));
    const bytes = (aq.from([{ a: 'x', b: 1 }, { a: 'y', b: 2 }]).toArrowIPC() as Uint8Array).slice();
    bytes.fill(0, 8, 8 + 504);
    writeFileSync(join(dir, 'r.arrow'), bytes);
    const error = await loadSource('r', { type: 'arrow', path: join(dir, 'r.arrow') } as never, dir).then(() => undefined, (e: unknown) => e);
    // either a located data error or (if the zeroed bytes still decode) a table: never a plain Error
    if (error) expect((error as Error).name).toBe('CxError');
  });

  it('a Parquet file on which the decoder loops forever is stopped and reported, not a hang', async () => {
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const { loadSource } = await import('../src/sources/index.js');
    const { parquetLimits } = await import('../src/sources/parquet.js');
    const { SURVEY_HEADER, surveyRows } = await import('./project.js');
    const objects = surveyRows().map((r) => Object.fromEntries(SURVEY_HEADER.map((h, j) => [h, r[j] === '' || r[j] === null ? null : String(r[j])])));
    const bytes = new Uint8Array(parquetWriteBuffer({ columnData: SURVEY_HEADER.map((name) => ({ name, data: objects.map((o) => o[name]), type: 'STRING' as const })) }));
    // two bytes flipped (found by the data-file fuzzer): one in the file header, one in a page of the comment column
    bytes[30] ^= 167;
    bytes[773] ^= 190;
    const dir = mkdtempSync(join(tmpdir(), 'cxreport-parquet-'));
    writeFileSync(join(dir, 'r.parquet'), bytes);
    parquetLimits.stallMs = 2_000;
    try {
      const start = Date.now();
      const error = await loadSource('r', { type: 'parquet', path: join(dir, 'r.parquet') } as never, dir).then(() => undefined, (e: unknown) => e);
      expect(Date.now() - start).toBeLessThan(15_000);
      // a located data error: the decoder's own message, or that it stalled
      expect((error as Error | undefined)?.name).toBe('CxError');
      expect((error as Error).message).toMatch(/^source "r": not a readable Parquet file: /);
    } finally {
      parquetLimits.stallMs = 20_000;
    }
  });

  const hasOpenpyxl = spawnSync('/usr/bin/python3', ['-c', 'import openpyxl']).status === 0;
  it.skipIf(!hasOpenpyxl)(`an .xlsx with bytes after its end (or cut short) is a located data error at once (the CLI ended silently with exit 13)${hasOpenpyxl ? '' : ' (skipped: no openpyxl)'}`, () => {
    const dir = surveyProject(SURVEY_CONFIG.replace('responses: { type: csv, path: data/responses.csv }', 'responses: { type: xlsx, path: data/r.xlsx }'));
    const path = join(dir, 'data', 'r.xlsx');
    spawnSync('/usr/bin/python3', ['-c', `import openpyxl\nwb=openpyxl.Workbook()\nws=wb.active\nws.append(["id","submitted_at","nps_score"])\nws.append([1,"2026-10-02T10:00:00Z",9])\nwb.save(${JSON.stringify(path)})`]);
    const whole = readFileSync(path);
    for (const bytes of [Buffer.concat([whole, Buffer.from([1, 2, 3])]), whole.subarray(0, whole.length - 10)]) {
      writeFileSync(path, bytes);
      const start = Date.now();
      expectLocatedError(run(['validate'], dir), 'data/r.xlsx: data error: source "responses": data/r.xlsx is not a readable Excel workbook (.xlsx): the ZIP package is damaged (its end record is missing');
      expect(Date.now() - start).toBeLessThan(30_000);
    }
  });

  it('the notebook\'s title cell shows the title as text: no HTML, no link, no Markdown (was live HTML in viewers without a sanitiser)', async () => {
    const { markdownText } = await import('../src/render/notebook.js');
    const { marked } = await import('marked');
    const title = '<img src=x onerror=alert(1)> [x](javascript:alert(1)) **b** https://xss.example/ # \\ `c`';
    const html = marked.parse(`# ${markdownText(title)}`, { async: false }) as string;
    expect(html).not.toMatch(/<img|<a |<strong|<code/);
    expect(html.replace(/<[^>]+>/g, '').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&amp;', '&').trim()).toBe(title);
  });

  it('NUL characters in analyst Markdown become U+FFFD (CommonMark) instead of stopping the build with a template error', () => {
    const dir = surveyProject(SURVEY_CONFIG.replace('sections:\n', 'sections:\n  - { type: markdown, text: "a\\0b <scr\\0ipt>x</scr\\0ipt>" }\n'));
    const r = run(['build', '--format', 'html', '--out', 'out', '--quiet'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'out', 'report.html'), 'utf8')).toContain('a\uFFFDb');
  });
});
