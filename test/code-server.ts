/**
 * code-server (VS Code in the browser) for the notebook extension's end-to-end test, installed by
 * scripts/code-server.sh in a cache folder outside the clone. Started in its own process group on
 * loopback, with a temporary user-data and extensions folder, stopped with the whole group.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** The installed code-server's launcher (Node 24 and its entry script), or why there is none. */
export function codeServer(): { node: string; entry: string; dir: string } | { missing: string } {
  let out = '';
  try {
    out = execFileSync('bash', [join(ROOT, 'scripts', 'code-server.sh'), 'bin'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return { missing: 'code-server is not installed (bash scripts/code-server.sh install puts it in the cache folder; .ci/run does)' };
  }
  const [node, entry] = out.split(' ');
  return existsSync(node) && existsSync(entry) ? { node, entry, dir: resolve(entry, '../../../../../..') } : { missing: `code-server's files are missing: ${out}` };
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export interface Running {
  url: string;
  child: ChildProcess;
  /** the log (stdout and stderr) so far */
  log: () => string;
  stop: () => Promise<void>;
}

/** Starts code-server on a workspace folder with the .vsix installed and the given user settings. */
export async function startCodeServer(options: { workspace: string; vsix: string; settings?: Record<string, unknown> }): Promise<Running> {
  const cs = codeServer();
  if ('missing' in cs) throw new Error(cs.missing);
  const home = mkdtempSync(join(tmpdir(), 'cxreport-code-server-'));
  const userData = join(home, 'user-data');
  const extensions = join(home, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({ 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'workbench.tips.enabled': false, 'chat.disableAIFeatures': true, 'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'update.mode': 'none', 'git.enabled': false, 'git.autoRepositoryDetection': false, 'npm.autoDetect': 'off', 'debug.javascript.autoAttachFilter': 'disabled', 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'chat.commandCenter.enabled': false, ...options.settings }, null, 2),
  );
  const port = await freePort();
  const config = join(home, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  // code-server's own Node (24) runs it; the PATH stays as it is, so `node` for cxreport is the project's
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data') };
  execFileSync(cs.node, [cs.entry, '--config', config, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', options.vsix], { env, stdio: 'ignore', timeout: 60_000 });
  const child = spawn(cs.node, [cs.entry, '--config', config, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--user-data-dir', userData, '--extensions-dir', extensions, options.workspace], {
    env,
    detached: true, // its own process group: stop() ends code-server and every child it started
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const gone = await new Promise<boolean>((done) => {
      const t = setTimeout(() => done(false), 5000);
      child.once('exit', () => {
        clearTimeout(t);
        done(true);
      });
      if (child.exitCode !== null) done(true);
    });
    try {
      // whatever is left of the group (an agent host, the cxreport runner…)
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is gone
    }
    void gone;
  };
  // healthy within seconds
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`${url}healthz`);
      if (r.ok) break;
    } catch {
      // not yet listening
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not start:\n${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, child, log: () => log, stop };
}
