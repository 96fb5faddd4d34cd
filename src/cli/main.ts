/**
 * The CLI: parses arguments, runs the pipeline, writes outputs atomically, and turns errors into
 * one clear message and an exit code (0 ok, 1 config/data/output error, 2 usage, 3 internal).
 */
import { join, relative, resolve } from 'node:path';
import { configJsonSchema } from '../config/schema.js';
import { CxError, describeError } from '../errors.js';
import { isPeriodKey, periodExample, periodRange } from '../metrics/period.js';
import { load, modelFor, renderPeriod, type Loaded } from '../pipeline.js';
import { PdfPrinter } from '../render/pdf.js';
import { parseCommand, USAGE, type Command } from './args.js';
import { writeAtomically, type OutputFile } from './write.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
}

const defaultIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
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
      case 'build':
        return await runBuild(command, io);
    }
  } catch (error) {
    const { text, userError } = describeError(error);
    io.stderr(`${text}\n`);
    if (!userError && io.env.CXREPORT_DEBUG) io.stderr(`${(error as Error).stack ?? ''}\n`);
    if (error instanceof CxError && error.kind === 'usage') return EXIT.usage;
    return userError ? EXIT.error : EXIT.internal;
  }
}

/** The periods a command asks for: none (configured/latest), one, or every period of a range. */
function periodsOf(command: Command, loaded: Loaded): (string | undefined)[] {
  if (!command.period) return [undefined];
  const granularity = loaded.config.report.period.granularity;
  const parts = command.period.split('..');
  for (const p of parts) {
    if (!isPeriodKey(p, granularity)) throw new CxError('usage', `--period "${p}" is not a ${granularity} period`, { hint: `this report is by ${granularity}: use a key like ${periodExample(granularity)}` });
  }
  if (parts.length === 1) return [parts[0]];
  const range = periodRange(parts[0], parts[1], granularity);
  if (range.length === 0) throw new CxError('usage', `--period range "${command.period}" is empty`, { hint: 'give the earlier period first, e.g. 2026-01..2026-10' });
  return range;
}

async function validate(command: Command, io: Io): Promise<number> {
  const loaded = await load({ configPath: command.config, env: io.env, cwd: io.cwd });
  const periods = periodsOf(command, loaded).map((p) => modelFor(loaded, p).computed.period);
  const { config } = loaded;
  if (!command.quiet) {
    io.stdout(`${relative(io.cwd, config.file) || config.file}: valid — ${Object.keys(config.metrics).length} metrics, ${config.sections.length} sections; report period ${periods.join(', ')}\n`);
  }
  return EXIT.ok;
}

async function runBuild(command: Command, io: Io): Promise<number> {
  const log = (line: string) => {
    if (!command.quiet) io.stderr(`${line}\n`);
  };
  const loaded = await load({ configPath: command.config, env: io.env, cwd: io.cwd });
  const { config } = loaded;
  const formats = command.formats ?? config.outputs.formats;
  const periods = periodsOf(command, loaded);
  const outDirFor = (period: string) => {
    if (command.out) return periods.length > 1 ? join(resolve(io.cwd, command.out), period) : resolve(io.cwd, command.out);
    if (config.outputs.dir) return resolve(config.dir, config.outputs.dir.replaceAll('{period}', period));
    return resolve(io.cwd, 'reports', period);
  };

  // One browser for every PDF of this build; if it cannot start, the HTML is still written.
  let printer: PdfPrinter | undefined;
  let pdfError: unknown;
  if (formats.includes('pdf')) {
    try {
      printer = await PdfPrinter.launch(io.env);
    } catch (error) {
      pdfError = error;
    }
  }
  const builtPeriods: string[] = [];
  try {
    for (const requested of periods) {
      const built = modelFor(loaded, requested);
      const period = built.computed.period;
      builtPeriods.push(period);
      const { html, metrics } = await renderPeriod(loaded, built);
      const files: OutputFile[] = [{ name: 'metrics.json', content: metrics }];
      if (formats.includes('html') || (formats.includes('pdf') && !printer)) files.push({ name: 'report.html', content: html });
      if (printer) files.push({ name: 'report.pdf', content: await printer.print(built.model, config) });
      const outDir = outDirFor(period);
      const written = await writeAtomically(outDir, files);
      for (const file of written) log(`wrote ${relative(io.cwd, file)}`);
    }
  } finally {
    await printer?.close();
  }
  if (pdfError) throw pdfError;
  log(`built ${config.report.title} for ${builtPeriods.join(', ')}`);
  return EXIT.ok;
}
