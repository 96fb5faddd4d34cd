/** Command-line parsing: `cxreport <command> [config] [options]`. Bad usage is a CxError of kind 'usage' (exit 2). */
import { parseArgs } from 'node:util';
import { nearest } from '../kernel/suggest.js';
import { CxError } from '../kernel/errors.js';

/** The commands, in the order the help lists them. */
export const COMMANDS = ['init', 'build', 'dev', 'validate', 'schema'] as const;

export const USAGE = `Usage: cxreport <command> [config] [options]

Commands:
  init [dir]          create a project (config, sample data, package.json, CI workflow) that builds at once
  build [config]      build the report (HTML, PDF) and metrics.json
  dev [config]        live preview on http://127.0.0.1:4321/ that rebuilds on save
  validate [config]   check the config and data without writing anything
  schema              print the JSON Schema of cxreport.yaml

Options:
  -h, --help          show this help; cxreport <command> --help shows a command's options
  -v, --version       print the version

config defaults to ./cxreport.yaml.
Exit codes: 0 success, 1 config, data or output error, 2 bad usage, 3 internal error.
Colour follows NO_COLOR and FORCE_COLOR.`;

const OUTPUT_OPTIONS = `  --json              print progress as JSON events, one per line, on stdout
  -q, --quiet         print nothing but errors
  -h, --help          show this help`;

/** Each command's own usage (`cxreport <command> --help`). */
export const COMMAND_USAGE: Record<(typeof COMMANDS)[number], string> = {
  init: `Usage: cxreport init [dir] [options]

Creates a project in dir (default: the current folder) that builds at once: cxreport.yaml, its
JSON Schema, six months of sample survey data, a narrative file, package.json (depending on this
version of cxreport) and a GitHub Actions workflow.

Options:
  --force             overwrite the scaffold files of an existing project
${OUTPUT_OPTIONS}`,
  build: `Usage: cxreport build [config] [options]

Builds the report of a period: report.html, report.pdf, metrics.json and manifest.json in
reports/<period>/ (or outputs.dir in the config). A build writes exactly the formats asked for:
files of an earlier build that this one did not write are removed.

Options:
  --period P          report on this period instead of the configured/latest one: YYYY-MM (month),
                      YYYY-Qn (quarter) or YYYY (year); a range FROM..TO (e.g. 2026-01..2026-10)
                      builds one report per period
  --out DIR           output folder (default: reports/<period>)
  --format LIST       comma-separated formats: html, pdf, ipynb (default: from config, html and pdf)
  --summary FILE      append a Markdown table of the headline numbers to FILE (e.g. $GITHUB_STEP_SUMMARY)
  --no-cache          compute model fits, sentiment scores and charts again instead of reading
                      those kept from earlier builds (~/.cache/cxreport, or CXREPORT_CACHE: a folder
                      or off); the output is the same either way
${OUTPUT_OPTIONS}

config defaults to ./cxreport.yaml.`,
  dev: `Usage: cxreport dev [config] [options]

Serves a live preview of the report on 127.0.0.1 that rebuilds and reloads on every save of the
config, a data file, a narrative file or a template. Ctrl+C stops it.

Options:
  --port N            port to serve on; without it, 4321 or the next free port after it; given
                      explicitly, that port or an error (0 picks any free port)
  --period P          preview this period instead of the configured/latest one
  -q, --quiet         print nothing but errors
  -h, --help          show this help

config defaults to ./cxreport.yaml.`,
  validate: `Usage: cxreport validate [config] [options]

Loads the config and the data and computes every metric, but writes nothing.

Options:
  --period P          validate this period (or range FROM..TO) instead of the configured/latest one
  --no-cache          compute again instead of reading results kept from earlier builds
  -q, --quiet         print nothing but errors
  -h, --help          show this help

config defaults to ./cxreport.yaml.`,
  schema: `Usage: cxreport schema

Prints the JSON Schema of cxreport.yaml (for editors: the first line of the config,
# yaml-language-server: $schema=./cxreport.schema.json, points to it).

Options:
  -h, --help          show this help`,
};

export type Format = 'html' | 'pdf' | 'ipynb';

export interface Command {
  command: 'build' | 'validate' | 'schema' | 'init' | 'dev' | 'help' | 'version';
  config: string;
  /** the command whose help was asked for (`cxreport build --help`) */
  topic?: (typeof COMMANDS)[number];
  period?: string;
  out?: string;
  formats?: Format[];
  quiet: boolean;
  json: boolean;
  summary?: string;
  force: boolean;
  port?: number;
  /** --no-cache: results kept from earlier builds are not read or written (kernel/disk-cache.ts) */
  noCache?: boolean;
}

/** Parses argv (without node and script). Throws CxError('usage') on bad usage. */
export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        period: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string' },
        quiet: { type: 'boolean', short: 'q', default: false },
        json: { type: 'boolean', default: false },
        summary: { type: 'string' },
        force: { type: 'boolean', default: false },
        'no-cache': { type: 'boolean', default: false },
        port: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (error) {
    const command = argv.find((a) => !a.startsWith('-'));
    const help = command && (COMMANDS as readonly string[]).includes(command) ? `cxreport ${command} --help` : 'cxreport --help';
    throw new CxError('usage', (error as Error).message.replace(/\. To specify a positional argument.*$/s, ''), { hint: `run \`${help}\` for the options` });
  }
  const { values, positionals } = parsed;
  const plain = { config: 'cxreport.yaml', quiet: false, json: false, force: false };
  const known = (name: string | undefined): name is (typeof COMMANDS)[number] => (COMMANDS as readonly string[]).includes(name ?? '');
  if (values.version || positionals[0] === 'version') return { command: 'version', ...plain };
  // `cxreport --help`, `cxreport help [command]`, `cxreport <command> --help`
  if (positionals[0] === 'help') return { command: 'help', ...plain, topic: known(positionals[1]) ? positionals[1] : undefined };
  if (values.help || positionals.length === 0) return { command: 'help', ...plain, topic: known(positionals[0]) ? positionals[0] : undefined };
  const [command, config, ...rest] = positionals;
  if (!known(command)) {
    const close = nearest(command, COMMANDS);
    throw new CxError('usage', `unknown command "${command}"`, { hint: `${close ? `did you mean \`${close}\`? ` : ''}commands: ${COMMANDS.join(', ')} (see cxreport --help)` });
  }
  if (rest.length > 0) throw new CxError('usage', `unexpected argument "${rest[0]}"`, { hint: command === 'init' ? 'give at most one folder' : 'give at most one config file' });
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (command !== 'dev' || !Number.isInteger(port) || port < 0 || port > 65535) throw new CxError('usage', command !== 'dev' ? '--port only applies to dev' : `--port "${values.port}" is not a port number`, { hint: 'e.g. --port 4321 (0 picks a free port)' });
  }
  if (command === 'init') return { command: 'init', config: config ?? '.', quiet: values.quiet, json: values.json, force: values.force };
  if (command === 'schema' && config) throw new CxError('usage', '`cxreport schema` takes no arguments');
  if (command !== 'build' && (values.out || values.format || values.summary)) throw new CxError('usage', `--out, --format and --summary only apply to build`);
  if (values['no-cache'] && command !== 'build' && command !== 'validate') throw new CxError('usage', '--no-cache only applies to build and validate');
  let formats: Format[] | undefined;
  if (values.format !== undefined) {
    const list = values.format.split(',').map((f) => f.trim()).filter(Boolean);
    const bad = list.filter((f) => f !== 'html' && f !== 'pdf' && f !== 'ipynb');
    if (bad.length || list.length === 0) throw new CxError('usage', `unknown format "${bad[0] ?? values.format}"`, { hint: 'formats: html, pdf, ipynb, comma-separated (e.g. --format html,pdf)' });
    formats = [...new Set(list)] as Format[];
  }
  // "all": the one period of granularity all
  const key = /^(\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?|all)$/;
  if (values.period !== undefined && !values.period.split('..').every((p) => key.test(p)) || (values.period?.split('..').length ?? 0) > 2) {
    throw new CxError('usage', `--period "${values.period}" is not a period or period range`, { hint: 'use YYYY-MM (month), YYYY-Qn (quarter) or YYYY (year), e.g. --period 2026-10, or a range like 2026-01..2026-10; all for a report of granularity all' });
  }
  return { command: command as Command['command'], config: config ?? 'cxreport.yaml', period: values.period, out: values.out, formats, quiet: values.quiet, json: values.json, summary: values.summary, force: values.force, port, noCache: values['no-cache'] };
}
