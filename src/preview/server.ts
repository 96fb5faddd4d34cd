/**
 * `cxreport dev`: a local preview server on 127.0.0.1 that rebuilds when the config, data,
 * narrative files or templates change, and tells open pages to reload (Server-Sent Events).
 */
import { existsSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import { watch, type FSWatcher } from 'chokidar';
import { PREVIEW_CSP, PreviewSession, type RebuildKind, type RebuildResult } from './session.js';

export interface PreviewOptions {
  configPath: string;
  env: Record<string, string | undefined>;
  cwd: string;
  period?: string;
  /** 0 picks a free port */
  port?: number;
  /** called after every rebuild (for progress output) */
  onRebuild?: (result: RebuildResult, changed: string[]) => void;
}

export interface Preview {
  url: string;
  session: PreviewSession;
  close(): Promise<void>;
}

const ORDER: RebuildKind[] = ['none', 'render', 'model', 'data', 'full'];
const larger = (a: RebuildKind, b: RebuildKind) => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);

export async function startPreview(options: PreviewOptions): Promise<Preview> {
  const session = new PreviewSession(options.configPath, options.env, options.cwd, options.period);
  await session.rebuild('full');
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
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': PREVIEW_CSP, 'x-cxreport-rebuild': session.last.kind });
      res.end(session.html);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 4321, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;

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
  await Promise.all([...used].map((w) => new Promise<void>((done) => w.once('ready', () => done()))));

  return {
    url: `http://127.0.0.1:${port}/`,
    session,
    async close() {
      clearTimeout(timer);
      await running;
      await Promise.all([watcher.close(), parents.close()]);
      for (const client of clients) client.end();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
