/**
 * `cxreport dev`: a local preview server on 127.0.0.1 that rebuilds when the config, data,
 * narrative files or templates change, and tells open pages to reload (Server-Sent Events).
 */
import { existsSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import { watch, type FSWatcher } from 'chokidar';
import { CxError } from '../kernel/errors.js';
import { PREVIEW_CSP, PREVIEW_HEAD, PreviewSession, type RebuildKind, type RebuildResult } from './session.js';

export interface PreviewOptions {
  configPath: string;
  env: Record<string, string | undefined>;
  cwd: string;
  period?: string;
  /**
   * The port. Without it, 4321 or, when that is taken, the next free one after it (as Vite and
   * Quarto do); given, that port or an error (exit 1) naming it; 0 picks any free port.
   */
  port?: number;
  /** called once the server listens, before the first build's files are watched */
  onListening?: (url: string) => void;
  /** called after every rebuild (for progress output) */
  onRebuild?: (result: RebuildResult, changed: string[]) => void;
}

export interface Preview {
  url: string;
  session: PreviewSession;
  close(): Promise<void>;
}

/** The default port, and how many after it are tried when it is taken before any free port will do. */
export const DEFAULT_PORT = 4321;
const PORT_TRIES = 20;

const BUILDING_PAGE = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>cxreport preview</title>${PREVIEW_HEAD}</head><body style="font-family: sans-serif; padding: 2rem"><p>Building the report… this page reloads when it is ready.</p></body></html>`;

const ORDER: RebuildKind[] = ['none', 'render', 'model', 'data', 'full'];
const larger = (a: RebuildKind, b: RebuildKind) => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);

export async function startPreview(options: PreviewOptions): Promise<Preview> {
  const session = new PreviewSession(options.configPath, options.env, options.cwd, options.period);
  const clients = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(': connected\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (req.url === '/' || req.url?.startsWith('/?')) {
      // the policy also as a header, so that it covers the whole page, not only what follows the <meta>
      // (the page shown during the first build closes its connection: the build may keep the server busy past the keep-alive time)
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': PREVIEW_CSP, 'x-cxreport-rebuild': session.last.kind, ...(session.html ? {} : { connection: 'close' }) });
      // until the first build is done, a page that reloads when it is
      res.end(session.html || BUILDING_PAGE);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  const listen = (port: number) =>
    new Promise<void>((done, fail) => {
      const onError = (error: NodeJS.ErrnoException) => fail(error);
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        done();
      });
    });
  const wanted = options.port ?? DEFAULT_PORT;
  for (let attempt = 0; ; attempt++) {
    const port = options.port === undefined ? DEFAULT_PORT + attempt : wanted;
    try {
      await listen(attempt >= PORT_TRIES ? 0 : port);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      // the default port moves on to the next one; a port asked for insists
      if (options.port === undefined && code === 'EADDRINUSE' && attempt < PORT_TRIES) continue;
      throw new CxError('output', `cannot serve the preview on 127.0.0.1:${port}: ${code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'permission denied' : (error as Error).message}${code ? ` (${code})` : ''}`, {
        hint: code === 'EADDRINUSE' ? `stop what uses port ${port}, choose another with --port N, or leave --port out to take the next free port after ${DEFAULT_PORT}` : 'choose another port with --port N (1024 or above)',
        cause: error,
      });
    }
  }
  const { port } = server.address() as AddressInfo;
  options.onListening?.(`http://127.0.0.1:${port}/`);
  try {
    await session.rebuild('full');
  } catch (error) {
    server.close();
    throw error;
  }
  for (const client of clients) client.write('data: reload\n\n');

  // Existing files and folders are watched directly; for one that does not exist yet (say, a
  // templates folder), its parent folder is watched one level deep so that its creation is seen.
  const options_ = { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 60, pollInterval: 20 } };
  const watcher: FSWatcher = watch([], options_).on('all', (_event, path) => schedule(path));
  const parents: FSWatcher = watch([], { ...options_, depth: 0 }).on('all', (_event, path) => {
    if (session.kindOf(path) !== 'none') schedule(path);
  });
  const watching = new Set<string>();
  // a chokidar watcher that was never given a path never becomes 'ready': wait only for those that were
  const used = new Set<FSWatcher>();
  const rewatch = () => {
    for (const path of session.watched().keys()) {
      const target = existsSync(path) ? path : dirname(path);
      if (watching.has(target) || !existsSync(target)) continue;
      watching.add(target);
      const w = target === path ? watcher : parents;
      used.add(w);
      w.add(target);
    }
  };

  let pending: RebuildKind = 'none';
  let changed: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const schedule = (path: string) => {
    pending = larger(pending, session.kindOf(path));
    changed.push(path);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const kind = pending;
      const files = changed;
      pending = 'none';
      changed = [];
      if (kind === 'none') return;
      running = running.then(async () => {
        const result = await session.rebuild(kind);
        rewatch();
        options.onRebuild?.(result, files);
        for (const client of clients) client.write('data: reload\n\n');
      });
    }, 40);
  };
  rewatch();
  // never hang on a watcher that does not report ready: after a few seconds, serve anyway
  await Promise.race([Promise.all([...used].map((w) => new Promise<void>((done) => w.once('ready', () => done())))), new Promise<void>((done) => setTimeout(done, 5000).unref())]);

  return {
    url: `http://127.0.0.1:${port}/`,
    session,
    async close() {
      clearTimeout(timer);
      await running;
      await Promise.all([watcher.close(), parents.close()]);
      for (const client of clients) client.end();
      // an open page's keep-alive connection (its EventSource reconnects) would hold close() for a minute or more
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
    },
  };
}
