/**
 * The runner process: cxreport's bin/cxreport-notebook-server.js started with the project's Node
 * (not VS Code's), speaking JSON lines. One per cxreport installation; it keeps the loaded data
 * between runs. Interrupting a run ends the process; the next run starts a new one.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface RunnerLog {
  appendLine(line: string): void;
}

export interface Answer {
  id: number;
  ok: boolean;
  internal?: string;
  [key: string]: unknown;
}

/**
 * The cxreport package to run: the `cxreport.path` setting, else `node_modules/cxreport` in the
 * notebook's folder or above, else a cxreport checkout above it (its package.json names cxreport).
 */
export function findCxreport(startDir: string, setting: string | undefined, base?: string): string | undefined {
  const hasServer = (dir: string) => existsSync(join(dir, 'bin', 'cxreport-notebook-server.js'));
  if (setting) {
    const dir = isAbsolute(setting) ? setting : resolve(base ?? startDir, setting);
    return hasServer(dir) ? dir : undefined;
  }
  for (let dir = startDir; ; dir = dirname(dir)) {
    const installed = join(dir, 'node_modules', 'cxreport');
    if (hasServer(installed)) return installed;
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'cxreport' && hasServer(dir)) return dir;
    } catch {
      // no package.json here
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The environment for cxreport's processes: the extension host's, without what makes Node behave as VS Code's. */
export function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key === 'ELECTRON_RUN_AS_NODE' || key === 'NODE_OPTIONS' || key.startsWith('VSCODE_INSPECTOR')) delete env[key];
  return env;
}

export class Runner {
  private child?: ChildProcessWithoutNullStreams;
  private nextId = 1;
  private pending = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  private buffer = '';
  private stderrTail: string[] = [];
  private started?: Promise<void>;

  constructor(
    readonly root: string,
    private readonly node: string,
    private readonly log: RunnerLog,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  private start(): Promise<void> {
    if (this.started && this.running) return this.started;
    const script = join(this.root, 'bin', 'cxreport-notebook-server.js');
    this.log.appendLine(`starting the runner: ${this.node} ${script}`);
    const child = spawn(this.node, [script], { cwd: this.root, env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (!line.trim()) continue;
        let answer: Answer;
        try {
          answer = JSON.parse(line) as Answer;
        } catch {
          this.log.appendLine(`runner: ${line}`);
          continue;
        }
        const waiting = this.pending.get(answer.id);
        this.pending.delete(answer.id);
        waiting?.resolve(answer);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (!line) continue;
        this.log.appendLine(`runner: ${line}`);
        this.stderrTail = [...this.stderrTail, line].slice(-8);
      }
    });
    const exited = (why: string) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.started = undefined;
      const error = new Error(`the cxreport runner stopped (${why})${this.stderrTail.length ? `:\n${this.stderrTail.join('\n')}` : ''}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    child.on('exit', (code, signal) => exited(signal ? `signal ${signal}` : `exit code ${code}`));
    child.on('error', (error) => exited(error.message));
    this.started = this.send({ op: 'hello' }).then((hello) => {
      const major = Number(/^v(\d+)/.exec(String(hello.node))?.[1] ?? 0);
      this.log.appendLine(`runner ready: cxreport ${hello.version}, Node ${hello.node}, pid ${hello.pid}`);
      if (major < 20) throw new Error(`cxreport needs Node.js 20 or later, but "${this.node}" is ${hello.node}: set cxreport.node to a newer Node`);
    });
    return this.started;
  }

  private send(request: Record<string, unknown>): Promise<Answer> {
    const child = this.child;
    if (!child) return Promise.reject(new Error('the cxreport runner is not running'));
    const id = this.nextId++;
    return new Promise<Answer>((resolvePromise, reject) => {
      this.pending.set(id, { resolve: resolvePromise, reject });
      child.stdin.write(`${JSON.stringify({ ...request, id })}\n`);
    });
  }

  /** Sends a request (starting the runner if needed) and waits for its answer. */
  async request(request: Record<string, unknown>): Promise<Answer> {
    await this.start();
    return this.send(request);
  }

  /** Ends the process (a run in progress fails; the next request starts a new runner). */
  stop(): void {
    const child = this.child;
    if (!child) return;
    this.log.appendLine(`stopping the runner (pid ${child.pid})`);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 3000);
    timer.unref?.();
  }
}
