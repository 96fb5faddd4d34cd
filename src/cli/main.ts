/**
 * The CLI: parses arguments, runs the pipeline, writes outputs atomically, and turns errors into
 * one clear message and an exit code (0 ok, 1 config/data/output error, 2 usage, 3 internal).
 */
import { writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { configJsonSchema } from '../config/schema.js';
import { CxError, describeError, redactSecrets } from '../errors.js';
import { isPeriodKey, isPlausiblePeriod, MAX_HISTORY, periodExample, periodRange, plausibleDates } from '../metrics/period.js';
import { forSegment, load, modelFor, renderPeriod, segmentsOf, type Loaded } from '../pipeline.js';
import { PdfPrinter } from '../render/pdf.js';
import { renderNotebook } from '../render/notebook.js';
import { summaryMarkdown } from '../render/summary.js';
import { slug } from '../report/sections/common.js';
import { parseCommand, USAGE, type Command } from './args.js';
import { startPreview } from '../preview/server.js';
import { init } from './init.js';
import { indexPage, manifest, sha256, type BuiltReport } from './outputs.js';
import { chooseMode, createReporter, type Reporter } from './reporter.js';
import { OutputSet, outputError, type OutputFile } from './write.js';

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
  try {
    switch (command.command) {
      case 'help':
        io.stdout(`${USAGE}\n`);
        return EXIT.ok;
      case 'schema':
        io.stdout(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
        return EXIT.ok;
      case 'validate':
        return await validate(command, io);
      case 'dev': {
        const preview = await startPreview({
          configPath: command.config,
          env: io.env,
          cwd: io.cwd,
          period: command.period,
          port: command.port,
          onRebuild: (r, files) => reporter.info(`${r.ok ? 'rebuilt' : 'rebuilt with errors'} (${r.kind === 'render' ? 'render only' : r.kind === 'model' ? 'report model' : r.kind === 'data' ? 'data and metrics' : 'everything'}) in ${Math.round(r.ms)} ms after a change to ${files.map((f) => relative(io.cwd, f)).join(', ')}`),
        });
        reporter.info(`preview of ${command.config} at ${preview.url} — rebuilds on save; Ctrl+C to stop`);
        await new Promise<void>((done) => {
          process.once('SIGINT', done);
          process.once('SIGTERM', done);
        });
        await preview.close();
        return EXIT.ok;
      }
      case 'init': {
        const written = await init(command.config, { force: command.force, cwd: io.cwd });
        for (const path of written) reporter.wrote(relative(io.cwd, path), 0);
        const where = relative(io.cwd, resolve(io.cwd, command.config));
        reporter.info(`created a cxreport project${where ? ` in ${where}` : ''}: build it with ${where ? `cd ${where} && ` : ''}npx cxreport build`);
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
function cleanUpOnSignals(output: OutputSet): () => void {
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
function periodsOf(command: Command, loaded: Loaded): (string | undefined)[] {
  if (!command.period) return [undefined];
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

async function validate(command: Command, io: Io): Promise<number> {
  const loaded = await load({ configPath: command.config, env: io.env, cwd: io.cwd });
  const periods = periodsOf(command, loaded).map((p) => modelFor(loaded, p).computed.period);
  for (const segment of segmentsOf(loaded.config)) if (segment) await forSegment(loaded, segment);
  const { config } = loaded;
  if (!command.quiet) {
    io.stdout(`${relative(io.cwd, config.file) || config.file}: valid — ${Object.keys(config.metrics).length} metrics, ${config.sections.length} sections; report period ${periods.join(', ')}\n`);
  }
  return EXIT.ok;
}

async function runBuild(command: Command, io: Io, reporter: Reporter): Promise<number> {
  const loaded = await reporter.step('load config and data', () => load({ configPath: command.config, env: io.env, cwd: io.cwd }));
  const { config } = loaded;
  for (const source of loaded.sources.values()) for (const note of source.notes ?? []) reporter.info(`note: source "${source.name}": ${note}`);
  const formats = command.formats ?? config.outputs.formats;
  const periods = periodsOf(command, loaded);
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
  const wrote: { path: string; bytes: number }[] = [];
  const stopOnSignals = cleanUpOnSignals(output);
  // One browser for every PDF of this build; a build that cannot print writes nothing.
  let printer: PdfPrinter | undefined;
  const built: BuiltReport[] = [];
  const summaries: string[] = [];
  try {
    try {
      if (formats.includes('pdf')) printer = await reporter.step('start browser', () => PdfPrinter.launch(io.env));
      for (const segment of segments) {
        const data = segment ? await reporter.step(`filter ${segment.column} = ${segment.value}`, () => forSegment(loaded, segment)) : loaded;
        for (const requested of periods) {
          const name = `${requested ?? 'latest period'}${segment ? ` · ${segment.value}` : ''}`;
          const result = await reporter.step(`compute ${name}`, () => modelFor(data, requested));
          const period = result.computed.period;
          for (const warning of result.computed.warnings ?? []) reporter.warn(warning);
          const { html, metrics } = await reporter.step(`render ${name}`, () => renderPeriod(data, result));
          const files: OutputFile[] = [{ name: 'metrics.json', content: metrics }];
          if (formats.includes('html')) files.push({ name: 'report.html', content: html });
          if (formats.includes('ipynb')) files.push({ name: 'report.ipynb', content: await reporter.step(`notebook ${name}`, () => renderNotebook(result.model, config)) });
          if (printer) {
            const pdf = await reporter.step(`print PDF ${name}`, () => printer!.print(result.model, config));
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
          summaries.push(summaryMarkdown(result.model, result.computed));
        }
      }
    } finally {
      await printer?.close();
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
  reporter.info(`built ${built.length === 1 ? `${config.report.title} for ${built[0].period}` : `${built.length} reports`}`);
  return EXIT.ok;
}
