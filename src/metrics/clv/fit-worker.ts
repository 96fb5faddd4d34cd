/**
 * The worker thread of clv/fit-chain.ts: fits a chain of periods in order, each from the previous
 * period's optimum, and posts each period's fits as soon as they are made (then bumps the shared
 * counter and wakes the thread that may be waiting for them). The same code as in the main thread
 * (model.ts fitsFor), so the fits are the same to the bit.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { fitsFor, type FitInput, type PeriodFits } from './model.js';
import type { BgNbdParams } from '../../kernel/models/bgnbd.js';
import type { GammaGammaParams } from '../../kernel/models/gammagamma.js';

type Start = { bg: BgNbdParams; gg: GammaGammaParams } | undefined;
const { port, signal, steps, start } = workerData as { port: MessagePort; signal: Int32Array; steps: (FitInput | null)[]; start: Start };

const posted = () => {
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
};
// started: the waiting thread gives up early only when this never happens
Atomics.store(signal, 1, 1);
Atomics.notify(signal, 0);
let from = start;
try {
  for (const step of steps) {
    const fits: PeriodFits | null = step ? fitsFor(step, from) : null;
    port.postMessage({ from: from ?? null, fits });
    posted();
    if (fits) from = { bg: fits.bg.params, gg: fits.gg.params };
  }
} catch (error) {
  port.postMessage({ error: String(error) });
  posted();
}
port.close();
