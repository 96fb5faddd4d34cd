/**
 * The CLI: parses arguments, runs the pipeline, writes outputs atomically, and turns errors into
 * one clear message and an exit code (0 ok, 1 config/data/output error, 2 usage, 3 internal).
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setDiskCache } from '../kernel/disk-cache.js';
import { CxError, describeError, redactSecrets } from '../kernel/errors.js';
import type { Loaded } from '../app/pipeline.js';
import { COMMAND_USAGE, parseCommand, USAGE, type Command } from './args.js';
import type { BuiltReport } from './outputs.js';
import { chooseMode, createReporter, type Reporter } from './reporter.js';
import type { OutputFile, OutputSet } from './write.js';
import type { PdfPrinter } from '../render/pdf.js';
// Everything else (the pipeline, the browser, Vega, chokidar…) is imported by the command that
// needs it, so that `cxreport --help` and `--version` start at once.

/** The version of cxreport (its package.json, two folders up from src/cli or dist/cli). */
export function version(): string {
  return (JSON.parse(readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')) as { version: string }).version;
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  isTTY?: boolean;
}

const defaultIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stderr.isTTY === true,
};

export const EXIT = { ok: 0, error: 1, usage: 2, internal: 3 } as const;

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    io.stderr(`${describeError(error).text}\n`);
    return EXIT.usage;
  }
  const reporter = createReporter(chooseMode(command, io), io);
  // results kept across builds (fits, scores, charts) unless --no-cache; the folder is from the environment
  setDiskCache(command.noCache ? null : undefined);
  try {
    switch (command.command) {
      case 'help':
        io.stdout(`${command.topic ? COMMAND_USAGE[command.topic] : USAGE}\n`);
        return EXIT.ok;
      case 'version':
        io.stdout(`cxreport ${version()}\n`);
        return EXIT.ok;
      case 'schema': {
        const { configJsonSchema } = await import('../app/schema.js');
        io.stdout(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
        return EXIT.ok;
      }
      case 'validate':
        return await validate(command, io);
      case 'dev': {
        // Ctrl+C is handled from the start, also while the first build runs
        let stop!: () => void;
        const stopped = new Promise<void>((done) => (stop = done));
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
          const { startPreview } = await import('../preview/server.js');
          const started = performance.now();
          const preview = await startPreview({
            configPath: command.config,
            env: io.env,
            cwd: io.cwd,
            period: command.period,
            port: command.port,
            // the URL is printed in every mode (--quiet too): it is what the command is for
            onListening: (url) => (command.json ? reporter.info(`preview at ${url}`) : io.stderr(`preview of ${command.config} at ${url} — rebuilds on save; Ctrl+C to stop\n`)),
            onRebuild: (r, files) => reporter.info(`${r.ok ? 'rebuilt' : 'rebuilt with errors'} (${r.kind === 'render' ? 'render only' : r.kind === 'model' ? 'report model' : r.kind === 'data' ? 'data and metrics' : 'everything'}) in ${Math.round(r.ms)} ms after a change to ${files.map((f) => relative(io.cwd, f)).join(', ')}`),
          });
          const first = preview.session.last;
          reporter.info(`${first.ok ? 'built' : 'built with errors (shown on the page)'} in ${Math.round(performance.now() - started)} ms; watching for changes`);
          await stopped;
          io.stderr('stopping the preview\n');
          await preview.close();
          return EXIT.ok;
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      }
      case 'init': {
        const { init } = await import('./init.js');
        const written = await init(command.config, { force: command.force, cwd: io.cwd, env: io.env });
        for (const path of written) reporter.wrote(relative(io.cwd, path), 0);
        const where = relative(io.cwd, resolve(io.cwd, command.config));
        if (written.kept) reporter.info(`kept the existing ${relative(io.cwd, written.kept)}: add cxreport to it with npm install cxreport`);
        reporter.info(`created a cxreport project${where ? ` in ${where}` : ''}: build it with ${where ? `cd ${where} && ` : ''}npx cxreport build`);
        reporter.info(`then run npm install and commit package-lock.json: the CI workflow (.github/workflows/cxreport.yml) installs cxreport from it with npm ci`);
        return EXIT.ok;
      }
      case 'build':
        return await runBuild(command, io, reporter);
    }
  } catch (error) {
    const { text, userError } = describeError(error);
    const code = error instanceof CxError && error.kind === 'usage' ? EXIT.usage : userError ? EXIT.error : EXIT.internal;
    io.stderr(`${text}\n`);
    reporter.error(text, code);
    if (!userError && io.env.CXREPORT_DEBUG) io.stderr(`${redactSecrets((error as Error).stack ?? '')}\n`);
    return code;
  }
}

/**
 * While a build runs, SIGINT, SIGTERM and SIGHUP remove its staged files and end the process
 * (exit 128 + the signal's number); during the final renames they wait for the set to be complete.
 * Whoever else ends the process (puppeteer on Ctrl+C, say) still leaves no temporary file behind.
 * Returns the function that removes the handlers.
 */
function cleanUpOnSignals(output: Pick<OutputSet, 'abortSync' | 'committing'>): () => void {
  const numbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
  const onExit = () => output.abortSync();
  const onSignal = (signal: NodeJS.Signals) => {
    if (output.committing) return;
    output.abortSync();
    process.exit(128 + (numbers[signal] ?? 0));
  };
  process.once('exit', onExit);
  for (const signal of Object.keys(numbers)) process.on(signal, onSignal);
  return () => {
    process.off('exit', onExit);
    for (const signal of Object.keys(numbers)) process.off(signal, onSignal);
  };
}

/** The periods a command asks for: none (configured/latest), one, or every period of a range. */
async function periodsOf(command: Command, loaded: Loaded): Promise<(string | undefined)[]> {
  if (!command.period) return [undefined];
  const { isPeriodKey, isPlausiblePeriod, MAX_HISTORY, periodExample, periodRange, plausibleDates } = await import('../kernel/period.js');
  const granularity = loaded.config.report.period.granularity;
  const parts = command.period.split('..');
  for (const p of parts) {
    if (!isPeriodKey(p, granularity)) throw new CxError('usage', granularity === 'all' ? `--period "${p}" is not a period of this report, which is one period over all data (granularity all)` : `--period "${p}" is not a ${granularity} period`, { hint: granularity === 'all' ? 'use --period all, or leave --period out' : `this report is by ${granularity}: use a key like ${periodExample(granularity)}` });
    if (!isPlausiblePeriod(p, granularity)) throw new CxError('usage', `--period "${p}" lies outside the plausible dates (${plausibleDates().label})`, { hint: 'use a period inside them, or widen report.date_range: { min, max } in the config' });
  }
  if (parts.length === 1) return [parts[0]];
  const range = periodRange(parts[0], parts[1], granularity);
  if (range.length === 0) throw new CxError('usage', `--period range "${command.period}" is empty`, { hint: 'give the earlier period first, e.g. 2026-01..2026-10' });
  if (range.length > MAX_HISTORY) throw new CxError('usage', `--period range "${command.period}" holds ${range.length} periods, more than the ${MAX_HISTORY} one build makes`, { hint: 'build a shorter range, or several ranges one after the other' });
  return range;
}

/**
 * The last line of a build: what was built, where, how many files and bytes, warnings, time —
 * "built Customer Experience Report for 2026-10 (html, pdf) in 4.2 s: 4 files, 1.3 MB in reports/2026-10; no warnings".
 */
function buildSummary(built: BuiltReport[], wrote: { path: string; bytes: number }[], formats: string[], warnings: number, ms: number, cwd: string): string {
  const bytes = wrote.reduce((sum, w) => sum + w.bytes, 0);
  const size = bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
  const dirs = [...new Set(wrote.map((w) => dirname(w.path)))];
  // the folder that holds everything: the common prefix of the folders written to
  let where = dirs[0] ?? cwd;
  for (const d of dirs) while (where !== dirname(where) && d !== where && !d.startsWith(`${where}/`)) where = dirname(where);
  const shown = relative(cwd, where) || '.';
  const periods = [...new Set(built.map((b) => b.period))];
  const segments = [...new Set(built.map((b) => b.segment).filter((s) => s !== undefined))];
  const what = built.length === 1
    ? `${built[0].title} for ${built[0].period}`
    : `${built.length} reports (${periods.length === 1 ? periods[0] : `${periods.length} periods, ${periods[0]} to ${periods[periods.length - 1]}`}${segments.length ? ` × ${segments.length} segments` : ''})`;
  const took = ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
  return `built ${what} as ${formats.join(', ')} in ${took}: ${wrote.length} files, ${size} in ${shown}; ${warnings === 0 ? 'no warnings' : warnings === 1 ? '1 warning (above)' : `${warnings} warnings (above)`}`;
}

async function validate(command: Command, io: Io): Promise<number> {
  const { forSegment, load, modelFor, segmentsOf } = await import('../app/pipeline.js');
  const loaded = await load({ configPath: command.config, env: io.env, cwd: io.cwd });
  const periods = (await periodsOf(command, loaded)).map((p) => modelFor(loaded, p).computed.period);
  for (const segment of segmentsOf(loaded.config)) if (segment) await forSegment(loaded, segment);
  const { config } = loaded;
  if (!command.quiet) {
    io.stdout(`${relative(io.cwd, config.file) || config.file}: valid — ${Object.keys(config.metrics).length} metrics, ${config.sections.length} sections; report period ${periods.join(', ')}\n`);
  }
  return EXIT.ok;
}

async function runBuild(command: Command, io: Io, reporter: Reporter): Promise<number> {
  const { forSegment, load, modelFor, renderPeriod, segmentsOf } = await import('../app/pipeline.js');
  const { slug } = await import('../report/sections/common.js');
  const { indexPage, manifest, sha256 } = await import('./outputs.js');
  const { OutputSet, outputError, recoverTree } = await import('./write.js');
  const started = performance.now();
  // One browser for every PDF of this build, started as soon as the config asks for a PDF: it
  // comes up (about 0.8 s, mostly in processes of its own) while the data loads.
  let launching: Promise<PdfPrinter> | undefined;
  let closed = false;
  const closeBrowser = async () => {
    if (closed || !launching) return;
    closed = true;
    await launching.then((printer) => printer.close(), () => undefined);
  };
  const startBrowser = (config: { outputs: { formats: readonly string[] } }) => {
    if (!(command.formats ?? config.outputs.formats).includes('pdf')) return;
    launching = import('../render/pdf.js').then(({ PdfPrinter: printers }) => printers.launch(io.env));
    // a failure is raised where the build waits for the browser, after the data's own errors
    launching.catch(() => undefined);
  };
  try {
    return await buildWith(await reporter.step('load config and data', (progress) => load({ configPath: command.config, env: io.env, cwd: io.cwd, progress, onConfig: startBrowser })));
  } finally {
    await closeBrowser();
  }

  async function buildWith(loaded: Awaited<ReturnType<typeof load>>): Promise<number> {
    const { config } = loaded;
    for (const source of loaded.sources.values()) for (const note of source.notes ?? []) reporter.info(`note: source "${source.name}": ${note}`);
    const formats = command.formats ?? config.outputs.formats;
    const periods = await periodsOf(command, loaded);
    const segments = segmentsOf(config);
    const batch = periods.length * segments.length > 1;
    // Where reports go: DIR/<period>[/<segment>] in a batch, else DIR itself (--out) or reports/<period>.
    const root = command.out ? resolve(io.cwd, command.out) : config.outputs.dir ? undefined : resolve(io.cwd, 'reports');
    const outDirFor = (period: string, segment?: string) => {
      const tail = segment ? join(period, slug(segment)) : period;
      if (command.out) return batch || segment ? join(root!, tail) : root!;
      if (config.outputs.dir) return resolve(config.dir, config.outputs.dir.replaceAll('{period}', period), segment ? slug(segment) : '');
      return join(root!, tail);
    };

    // Every file of the build is staged, then all are committed together (write.ts): a failure at
    // any point, a full disk or a signal leaves the previous set of reports exactly as it was.
    const output = new OutputSet(io.cwd);
    // a commit that a killed build left half done under the output folder is completed first (write.ts)
    await recoverTree(root ?? resolve(config.dir, config.outputs.dir!.split('{period}')[0] || '.'));
    const wrote: { path: string; bytes: number }[] = [];
    const stopOnSignals = cleanUpOnSignals(output);
    // a build that cannot print writes nothing
    let printer: PdfPrinter | undefined;
    const built: BuiltReport[] = [];
    const summaries: string[] = [];
    try {
      try {
        if (launching) printer = await reporter.step('start browser', () => launching!);
        // a batch counts its reports: "[3/6] compute 2026-03"
        const total = periods.length * segments.length;
        for (const segment of segments) {
          const data = segment ? await reporter.step(`filter ${segment.column} = ${segment.value}`, () => forSegment(loaded, segment)) : loaded;
          for (const requested of periods) {
            const tag = batch ? `[${built.length + 1}/${total}] ` : '';
            const name = `${requested ?? 'latest period'}${segment ? ` · ${segment.value}` : ''}`;
            const result = await reporter.step(`${tag}compute ${name}`, (progress) => modelFor(data, requested, (id, i, n) => progress(`${id} (${i + 1}/${n})`)));
            const period = result.computed.period;
            for (const warning of result.computed.warnings ?? []) reporter.warn(warning);
            const { html, metrics } = await reporter.step(`${tag}render ${name}`, () => renderPeriod(data, result));
            const files: OutputFile[] = [{ name: 'metrics.json', content: metrics }];
            if (formats.includes('html')) files.push({ name: 'report.html', content: html });
            if (formats.includes('ipynb')) {
              const { renderNotebook } = await import('../render/notebook.js');
              files.push({ name: 'report.ipynb', content: await reporter.step(`${tag}notebook ${name}`, () => renderNotebook(result.model, config)) });
            }
            if (printer) {
              const pdf = await reporter.step(`${tag}print PDF ${name}`, () => printer!.print(result.model, config));
              files.push({ name: 'report.pdf', content: pdf });
            }
            const dir = outDirFor(period, segment?.value);
            const staged = await output.stage(dir, files);
            staged.forEach((path, i) => wrote.push({ path, bytes: Buffer.byteLength(files[i].content) }));
            built.push({
              period,
              periodLabel: result.model.period.label,
              segment: segment?.value,
              title: result.model.title,
              dir,
              files: staged.map((path, i) => ({ path, bytes: Buffer.byteLength(files[i].content), sha256: sha256(files[i].content) })),
              results: [...result.computed.results.values()],
            });
            if (command.summary) summaries.push((await import('../render/summary.js')).summaryMarkdown(result.model, result.computed));
          }
        }
      } finally {
        await closeBrowser();
      }

      const manifestRoot = batch ? (root ?? resolve(config.dir, config.outputs.dir!.split('{period}')[0] || '.')) : built[0].dir;
      const shownConfig = relative(io.cwd, config.file) || config.file;
      // manifest.json last: it is renamed into place after everything it lists
      const extras: OutputFile[] = [];
      if (batch) extras.push({ name: 'index.html', content: indexPage(manifestRoot, config.report.title, shownConfig, built, config.report.locale) });
      extras.push({ name: 'manifest.json', content: manifest(manifestRoot, shownConfig, built) });
      const staged = await output.stage(manifestRoot, extras);
      staged.forEach((path, i) => wrote.push({ path, bytes: Buffer.byteLength(extras[i].content) }));
      await output.commit(manifestRoot);
    } catch (error) {
      await output.abort();
      throw error;
    } finally {
      stopOnSignals();
    }
    for (const w of wrote) reporter.wrote(relative(io.cwd, w.path), w.bytes);
    if (command.summary) {
      const path = resolve(io.cwd, command.summary);
      try {
        await writeFile(path, summaries.join('\n'), { flag: 'a' });
      } catch (error) {
        throw outputError(error, path, io.cwd);
      }
      reporter.wrote(relative(io.cwd, path) || path, Buffer.byteLength(summaries.join('\n')));
    }
    reporter.info(buildSummary(built, wrote, formats, reporter.warnings, performance.now() - started, io.cwd));
    return EXIT.ok;
  }
}
