/**
 * CLV fits made in a worker thread while the rest of the build goes on: the chain of periods from
 * the first not yet fitted (nor kept from an earlier build) to the latest, started when the orders
 * are prepared. Each period's fits arrive as they are made; `take(i)` returns step i's, waiting for
 * the worker if it has not got there yet (a synchronous wait: compute is synchronous). Undefined
 * when the worker could not run or failed: then the caller fits in its own thread, as without it.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { BgNbdParams } from '../../kernel/models/bgnbd.js';
import type { GammaGammaParams } from '../../kernel/models/gammagamma.js';
import type { FitInput, PeriodFits } from './model.js';

/** Workers started and fits taken from them since the process started (for tests and benchmarks). */
export const fitChainStats = { workers: 0, taken: 0 };

export type FitStart = { bg: BgNbdParams; gg: GammaGammaParams } | undefined;

/** Longest wait without news from the worker before fitting here instead (a worker that died). */
const STALL_MS = 120_000;
/** Longest wait for the worker to start. */
const START_MS = 10_000;

/** The URL of tsx's ESM API (whose register() is what `node --import tsx` does), for a worker run from the TypeScript sources. */
function tsxApi(): string {
  return pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs')).href;
}

export class FitChain {
  private readonly results: { from: FitStart | null; fits: PeriodFits | null }[] = [];
  private failed = false;

  private constructor(
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
  ) {}

  /** Starts fitting `steps` (null: a period too small to fit) from `start` in a worker; undefined when no worker can start. */
  static start(steps: (FitInput | null)[], start: FitStart): FitChain | undefined {
    try {
      const { port1, port2 } = new MessageChannel();
      const signal = new Int32Array(new SharedArrayBuffer(8));
      const options = { workerData: { port: port2, signal, steps, start }, transferList: [port2] };
      // from the compiled dist/ the worker is JavaScript; run from the TypeScript sources (tests, a
      // checkout without dist/), it registers tsx's loader first and then imports the .ts file
      const worker = import.meta.url.endsWith('.ts')
        ? new Worker(`import(${JSON.stringify(tsxApi())}).then((tsx) => (tsx.register(), import(${JSON.stringify(new URL('./fit-worker.ts', import.meta.url).href)})));`, { ...options, eval: true })
        : new Worker(new URL('./fit-worker.js', import.meta.url), options);
      const chain = new FitChain(port1, signal);
      fitChainStats.workers++;
      worker.on('error', () => (chain.failed = true));
      worker.on('exit', (code) => {
        if (code !== 0) chain.failed = true;
      });
      // never keeps the process alive
      worker.unref();
      port1.unref();
      return chain;
    } catch {
      return undefined;
    }
  }

  /**
   * Step i's fits, made from `from` (the previous period's optimum, which the caller has); undefined
   * when the worker failed or fitted it from another start (then the caller fits it).
   */
  take(i: number, from: FitStart): PeriodFits | null | undefined {
    let waited = 0;
    while (!this.failed && this.results.length <= i) {
      const message = receiveMessageOnPort(this.port)?.message as { from: FitStart | null; fits: PeriodFits | null; error?: string } | undefined;
      if (message) {
        if (message.error !== undefined) this.failed = true;
        else this.results.push(message);
        waited = 0;
        continue;
      }
      const started = Atomics.load(this.signal, 1) === 1;
      if (waited >= (started ? STALL_MS : START_MS)) {
        this.failed = true;
        break;
      }
      // sleeps until the worker posts again (the counter moves past what was read), at most 50 ms at a time
      Atomics.wait(this.signal, 0, this.results.length, 50);
      waited += 50;
    }
    if (this.failed || this.results.length <= i) return undefined;
    const result = this.results[i];
    if (!sameStart(result.from ?? undefined, from)) return undefined;
    fitChainStats.taken++;
    return result.fits;
  }
}

function sameStart(a: FitStart, b: FitStart): boolean {
  if (!a || !b) return a === b;
  return a.bg.r === b.bg.r && a.bg.alpha === b.bg.alpha && a.bg.a === b.bg.a && a.bg.b === b.bg.b && a.gg.p === b.gg.p && a.gg.q === b.gg.q && a.gg.gamma === b.gg.gamma;
}
