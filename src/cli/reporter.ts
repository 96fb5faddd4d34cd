/**
 * Build progress for people and machines: on a terminal, coloured steps with timings; otherwise
 * plain lines; `--quiet` prints nothing but errors; `--json` prints one JSON event per line on
 * stdout. Colour is on for a terminal, off when piped; NO_COLOR turns it off and FORCE_COLOR (other
 * than 0/false) turns it on, also when piped (`colourOn`). A step that takes a while shows what it is
 * doing: on a terminal one line rewritten in place ("compute October 2026 · churn (5/14)"), in plain
 * output a line for each part that took a second or more, in --json `progress` events.
 */
import pc from 'picocolors';

export type ReporterMode = 'tty' | 'plain' | 'quiet' | 'json';

export interface Reporter {
  /** runs a named step and reports its duration; `work` may report what it is doing with `progress` */
  step<T>(name: string, work: (progress: (detail: string) => void) => Promise<T> | T): Promise<T>;
  wrote(path: string, bytes: number): void;
  info(message: string): void;
  /** something the user should look at (heavy exclusion, an assumption made about a file); not printed with --quiet */
  warn(message: string): void;
  /** a final error (the CLI prints its text; in json mode also as an event) */
  error(text: string, exitCode: number): void;
  /** warnings reported so far */
  readonly warnings: number;
}

export interface ReporterIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  isTTY?: boolean;
  /** milliseconds clock (injected for tests) */
  now?: () => number;
  /** width of the terminal (progress lines are cut to it) */
  columns?: number;
}

/** Whether to colour: NO_COLOR wins, then FORCE_COLOR (0 or false: off), else only on a terminal that is not dumb. */
export function colourOn(env: Record<string, string | undefined>, isTTY: boolean | undefined): boolean {
  if ('NO_COLOR' in env) return false;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR.toLowerCase());
  return isTTY === true && env.TERM !== 'dumb';
}

/** A part of a step that took this long or longer gets its own line in plain output. */
const SLOW_PART_MS = 1000;

export function chooseMode(options: { quiet: boolean; json: boolean }, io: ReporterIo): ReporterMode {
  if (options.json) return 'json';
  if (options.quiet) return 'quiet';
  return io.isTTY ? 'tty' : 'plain';
}

const ms = (n: number) => (n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`);

export function createReporter(mode: ReporterMode, io: ReporterIo): Reporter {
  const now = io.now ?? (() => performance.now());
  const colours = pc.createColors((mode === 'tty' || mode === 'plain') && colourOn(io.env, io.isTTY));
  const event = (e: Record<string, unknown>) => io.stdout(`${JSON.stringify(e)}\n`);
  // the terminal's transient progress line (no colour, so that its length is its width): rewritten
  // in place with \r, blanked before any other output
  let transient = 0;
  const width = Math.max(20, (io.columns ?? 80) - 1);
  const show = (text: string) => {
    const line = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    io.stderr(`\r${line}${' '.repeat(Math.max(0, transient - line.length))}`);
    transient = line.length;
  };
  const clear = () => {
    if (transient > 0) io.stderr(`\r${' '.repeat(transient)}\r`);
    transient = 0;
  };
  let warnings = 0;
  return {
    get warnings() {
      return warnings;
    },
    async step(name, work) {
      const start = now();
      let part: { detail: string; start: number } | undefined;
      // plain output: a line for a part that took a while, once it is done
      const endPart = (at: number) => {
        if (mode === 'plain' && part && at - part.start >= SLOW_PART_MS) io.stderr(`${name} · ${part.detail}: ${ms(at - part.start)}\n`);
      };
      const progress = (detail: string) => {
        const at = now();
        endPart(at);
        part = { detail, start: at };
        if (mode === 'tty') show(`… ${name} · ${detail}`);
        else if (mode === 'json') event({ event: 'progress', step: name, detail });
      };
      if (mode === 'json') event({ event: 'step-start', step: name });
      else if (mode === 'tty') show(`… ${name}`);
      try {
        const result = await work(progress);
        const took = now() - start;
        endPart(now());
        if (mode === 'tty') {
          clear();
          io.stderr(`${colours.green('✔')} ${name} ${colours.dim(ms(took))}\n`);
        } else if (mode === 'plain') io.stderr(`${name}: done in ${colours.dim(ms(took))}\n`);
        else if (mode === 'json') event({ event: 'step-end', step: name, ms: Math.round(took) });
        return result;
      } catch (error) {
        if (mode === 'tty') {
          clear();
          io.stderr(`${colours.red('✖')} ${name}${part ? ` · ${part.detail}` : ''}\n`);
        } else if (mode === 'plain') io.stderr(`${name}: ${colours.red('failed')}${part ? ` (at ${part.detail})` : ''}\n`);
        else if (mode === 'json') event({ event: 'step-failed', step: name, ...(part ? { detail: part.detail } : {}) });
        throw error;
      }
    },
    wrote(path, bytes) {
      clear();
      if (mode === 'tty') io.stderr(`  ${colours.cyan('→')} ${path} ${colours.dim(`(${(bytes / 1024).toFixed(0)} KB)`)}\n`);
      else if (mode === 'plain') io.stderr(`wrote ${colours.cyan(path)}\n`);
      else if (mode === 'json') event({ event: 'wrote', path, bytes });
    },
    info(message) {
      clear();
      if (mode === 'tty' || mode === 'plain') io.stderr(`${message}\n`);
      else if (mode === 'json') event({ event: 'info', message });
    },
    warn(message) {
      warnings++;
      clear();
      if (mode === 'tty') io.stderr(`${colours.yellow('!')} ${message}\n`);
      else if (mode === 'plain') io.stderr(`${colours.yellow('warning:')} ${message}\n`);
      else if (mode === 'json') event({ event: 'warning', message });
    },
    error(text, exitCode) {
      if (mode === 'json') event({ event: 'error', message: text, exitCode });
    },
  };
}
