/**
 * Build progress for people and machines: on a terminal, coloured steps with timings; otherwise
 * plain lines; `--quiet` prints nothing but errors; `--json` prints one JSON event per line on
 * stdout. Colour follows NO_COLOR / FORCE_COLOR (via picocolors' rules) and is off when not a TTY.
 */
import pc from 'picocolors';

export type ReporterMode = 'tty' | 'plain' | 'quiet' | 'json';

export interface Reporter {
  /** runs a named step and reports its duration */
  step<T>(name: string, work: () => Promise<T> | T): Promise<T>;
  wrote(path: string, bytes: number): void;
  info(message: string): void;
  /** something the user should look at (heavy exclusion, an assumption made about a file); not printed with --quiet */
  warn(message: string): void;
  /** a final error (the CLI prints its text; in json mode also as an event) */
  error(text: string, exitCode: number): void;
}

export interface ReporterIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  isTTY?: boolean;
  /** milliseconds clock (injected for tests) */
  now?: () => number;
}

export function chooseMode(options: { quiet: boolean; json: boolean }, io: ReporterIo): ReporterMode {
  if (options.json) return 'json';
  if (options.quiet) return 'quiet';
  return io.isTTY ? 'tty' : 'plain';
}

const ms = (n: number) => (n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`);

export function createReporter(mode: ReporterMode, io: ReporterIo): Reporter {
  const now = io.now ?? (() => performance.now());
  const colours = pc.createColors(mode === 'tty' && !('NO_COLOR' in io.env) && io.env.TERM !== 'dumb');
  const event = (e: Record<string, unknown>) => io.stdout(`${JSON.stringify(e)}\n`);
  return {
    async step(name, work) {
      const start = now();
      if (mode === 'json') event({ event: 'step-start', step: name });
      try {
        const result = await work();
        const took = now() - start;
        if (mode === 'tty') io.stderr(`${colours.green('✔')} ${name} ${colours.dim(ms(took))}\n`);
        else if (mode === 'plain') io.stderr(`${name}: done in ${ms(took)}\n`);
        else if (mode === 'json') event({ event: 'step-end', step: name, ms: Math.round(took) });
        return result;
      } catch (error) {
        if (mode === 'tty') io.stderr(`${colours.red('✖')} ${name}\n`);
        else if (mode === 'plain') io.stderr(`${name}: failed\n`);
        else if (mode === 'json') event({ event: 'step-failed', step: name });
        throw error;
      }
    },
    wrote(path, bytes) {
      if (mode === 'tty') io.stderr(`  ${colours.cyan('→')} ${path} ${colours.dim(`(${(bytes / 1024).toFixed(0)} KB)`)}\n`);
      else if (mode === 'plain') io.stderr(`wrote ${path}\n`);
      else if (mode === 'json') event({ event: 'wrote', path, bytes });
    },
    info(message) {
      if (mode === 'tty' || mode === 'plain') io.stderr(`${message}\n`);
      else if (mode === 'json') event({ event: 'info', message });
    },
    warn(message) {
      if (mode === 'tty') io.stderr(`${colours.yellow('!')} ${message}\n`);
      else if (mode === 'plain') io.stderr(`warning: ${message}\n`);
      else if (mode === 'json') event({ event: 'warning', message });
    },
    error(text, exitCode) {
      if (mode === 'json') event({ event: 'error', message: text, exitCode });
    },
  };
}
