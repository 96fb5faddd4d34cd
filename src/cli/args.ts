/** Command-line parsing: `cxreport <command> [config] [options]`. Bad usage is a CxError of kind 'usage' (exit 2). */
import { parseArgs } from 'node:util';
import { CxError } from '../errors.js';

export const USAGE = `Usage: cxreport <command> [config] [options]

Commands:
  init [dir]          create a project (config, sample data, CI workflow) that builds at once
  build [config]      build the report (HTML, PDF) and metrics.json
  dev [config]        live preview on http://127.0.0.1:4321/ that rebuilds on save
  validate [config]   check the config and data without writing anything
  schema              print the JSON Schema of cxreport.yaml

Options (build):
  --period YYYY-MM    report on this period instead of the configured/latest one;
                      a range FROM..TO (e.g. 2026-01..2026-10) builds one report per period
  --out DIR           output folder (default: reports/<period>)
  --format LIST       comma-separated formats: html, pdf, ipynb (default: from config, html and pdf)
  --summary FILE      also write a Markdown summary of the headline numbers (e.g. $GITHUB_STEP_SUMMARY)
  --json              print progress as JSON events, one per line, on stdout
  -q, --quiet         print nothing but errors
  --force             (init) overwrite the scaffold files in an existing project
  --port N            (dev) port of the preview server (default 4321; 0 picks a free one)
  -h, --help          show this help

config defaults to ./cxreport.yaml.
Exit codes: 0 success, 1 config, data or output error, 2 bad usage, 3 internal error.`;

export type Format = 'html' | 'pdf' | 'ipynb';

export interface Command {
  command: 'build' | 'validate' | 'schema' | 'init' | 'dev' | 'help';
  config: string;
  period?: string;
  out?: string;
  formats?: Format[];
  quiet: boolean;
  json: boolean;
  summary?: string;
  force: boolean;
  port?: number;
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
        port: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new CxError('usage', (error as Error).message.replace(/\. To specify a positional argument.*$/s, ''), { hint: 'run `cxreport --help` for the options' });
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0 || positionals[0] === 'help') return { command: 'help', config: 'cxreport.yaml', quiet: false, json: false, force: false };
  const [command, config, ...rest] = positionals;
  if (!['build', 'validate', 'schema', 'init', 'dev'].includes(command)) {
    throw new CxError('usage', `unknown command "${command}"`, { hint: 'commands: init, build, dev, validate, schema (see cxreport --help)' });
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
  return { command: command as Command['command'], config: config ?? 'cxreport.yaml', period: values.period, out: values.out, formats, quiet: values.quiet, json: values.json, summary: values.summary, force: values.force, port };
}
