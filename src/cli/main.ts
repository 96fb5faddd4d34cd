/**
 * The CLI: parses arguments, runs the pipeline, writes outputs atomically, and turns errors into
 * one clear message and an exit code (0 ok, 1 config/data/output error, 2 usage, 3 internal).
 */
import { relative, resolve } from 'node:path';
import { configJsonSchema } from '../config/schema.js';
import { CxError, describeError } from '../errors.js';
import { build, buildModel } from '../pipeline.js';
import { parseCommand, USAGE, type Command } from './args.js';
import { writeAtomically, type OutputFile } from './write.js';
import { printPdf } from '../render/pdf.js';

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

async function validate(command: Command, io: Io): Promise<number> {
  const { config, computed } = await buildModel({ configPath: command.config, period: command.period, env: io.env, cwd: io.cwd });
  const shown = relative(io.cwd, config.file) || config.file;
  if (!command.quiet) {
    io.stdout(`${shown}: valid — ${Object.keys(config.metrics).length} metrics, ${config.sections.length} sections; report period ${computed.period}\n`);
  }
  return EXIT.ok;
}

async function runBuild(command: Command, io: Io): Promise<number> {
  const log = (line: string) => {
    if (!command.quiet) io.stderr(`${line}\n`);
  };
  const result = await build({ configPath: command.config, period: command.period, env: io.env, cwd: io.cwd });
  const { config, computed } = result;
  const formats = command.formats ?? config.outputs.formats;
  const outDir = command.out
    ? resolve(io.cwd, command.out)
    : config.outputs.dir
      ? resolve(config.dir, config.outputs.dir.replaceAll('{period}', computed.period))
      : resolve(io.cwd, 'reports', computed.period);
  const shownDir = relative(io.cwd, outDir) || '.';

  const files: OutputFile[] = [{ name: 'metrics.json', content: result.metrics }];
  if (formats.includes('html')) files.push({ name: 'report.html', content: result.html });
  let pdfError: unknown;
  if (formats.includes('pdf')) {
    try {
      const pdf = await printPdf(result.model, config, { env: io.env });
      files.push({ name: 'report.pdf', content: pdf });
    } catch (error) {
      // The HTML is still worth having when printing fails (e.g. no browser installed).
      if (!formats.includes('html')) files.push({ name: 'report.html', content: result.html });
      pdfError = error;
    }
  }
  const written = await writeAtomically(outDir, files);
  for (const file of written) log(`wrote ${relative(io.cwd, file)}`);
  if (pdfError) throw pdfError;
  log(`built ${config.report.title} for ${computed.period} into ${shownDir}/`);
  return EXIT.ok;
}
