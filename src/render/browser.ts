/**
 * Finds and launches a system Chromium/Chrome for printing (puppeteer-core never downloads one).
 * Discovery order: CXREPORT_CHROME, then the usual install paths on Linux and macOS.
 */
import { accessSync, constants } from 'node:fs';
import type { Browser } from 'puppeteer-core';
import { CxError } from '../kernel/errors.js';

export const BROWSER_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/opt/google/chrome/chrome',
  '/usr/local/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
];

/**
 * Flags for a headless print on a closed network, as root in CI. Frozen: puppeteer removes the
 * `--disable-features` entry from the array it is given (merging it into its own), so every
 * launch gets a copy (`[...BROWSER_ARGS]`); a second launch in one process had lost the flag.
 */
export const BROWSER_ARGS: readonly string[] = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--font-render-hinting=none',
  // Chromium 14x+ loads the omnibox popup (a WebUI page) in a renderer of its own even headless:
  // measured here, 1.4–1.9 s of CPU in the seconds after launch, taken from the build on a 2-core
  // machine. Not needed to print; names a version does not know are ignored.
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup',
]);

export const INSTALL_HINT =
  'install Chromium (Debian/Ubuntu: apt-get install -y chromium; macOS: install Google Chrome) or set CXREPORT_CHROME to the browser executable; or build without the PDF: --format html. Nothing was written: the previous report is as it was';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser executable to use, or a CxError saying how to get one. */
export function findBrowser(env: Record<string, string | undefined>, candidates: readonly string[] = BROWSER_PATHS): string {
  const chosen = env.CXREPORT_CHROME;
  if (chosen !== undefined && chosen !== '') {
    if (executable(chosen)) return chosen;
    throw new CxError('render', `no browser to print the PDF: CXREPORT_CHROME is set to "${chosen}", which is not an executable file`, { hint: INSTALL_HINT });
  }
  const found = candidates.find(executable);
  if (found) return found;
  throw new CxError('render', 'no Chromium or Chrome found to print the PDF (CXREPORT_CHROME is not set and none is installed in the usual places)', { hint: INSTALL_HINT });
}

/** Launches the browser headless with networking features off. */
export async function launchBrowser(env: Record<string, string | undefined>): Promise<Browser> {
  const executablePath = findBrowser(env);
  try {
    // loaded when a PDF is printed (about 0.15 s), not for every build
    const { default: puppeteer } = await import('puppeteer-core');
    return await puppeteer.launch({ executablePath, headless: true, args: [...BROWSER_ARGS], timeout: 60_000 });
  } catch (error) {
    throw new CxError('render', `could not start the browser at ${executablePath}: ${(error as Error).message.split('\n')[0]}`, { hint: INSTALL_HINT, cause: error });
  }
}
