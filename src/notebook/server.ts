/**
 * The VS Code notebook's runner: a long-lived process that the extension starts with the project's
 * Node, speaking JSON lines on stdin/stdout. It keeps one NotebookSession per config file, so the
 * sources are loaded and the metrics prepared once per session, and DuckDB's native module and the
 * chart renderer stay out of VS Code's extension host.
 *
 * Requests, one JSON object per line (`text` is the config as the editor holds it, unsaved edits
 * included; `path` its file, against which relative paths resolve):
 *   {id, op: "hello"}                                       → {id, ok, version, node, pid}
 *   {id, op: "validate", path, text}                        → {id, ok, errors}
 *   {id, op: "runSection", path, text, index, period?}      → {id, ok, index, type, title, html, svg, text, errors, period, ms}
 *   {id, op: "runSections"|"runAll", path, text, indices?}  → {id, ok, sections: [as runSection]}
 *   {id, op: "runHeader", path, text, key, period?}         → {id, ok, html, svg, text, errors, period, ms}
 * Every error carries {file, line, column, where, message, snippet, caret, hint}. A request that
 * cannot be served at all answers {id, ok: false, internal: message}. Requests run one at a time.
 * Building the report files is not a request: the extension runs `cxreport build` itself.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { redactSecrets } from '../kernel/errors.js';
import { NotebookSession } from './session.js';

export interface Request {
  id: number | string;
  op: string;
  path?: string;
  text?: string;
  index?: number;
  indices?: number[];
  key?: string;
  period?: string;
}

const version = (() => {
  try {
    return (JSON.parse(readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

/** Serves requests; one session per config file. */
export class NotebookServer {
  private sessions = new Map<string, NotebookSession>();

  constructor(private readonly options: { env?: Record<string, string | undefined>; cwd?: string } = {}) {}

  private session(path: string): NotebookSession {
    let s = this.sessions.get(path);
    if (!s) {
      // paths in messages are shown relative to the config's folder, as `cxreport build` run there shows them
      s = new NotebookSession({ env: this.options.env, cwd: dirname(path) });
      this.sessions.set(path, s);
    }
    return s;
  }

  async handle(request: Request): Promise<Record<string, unknown>> {
    const { id, op } = request;
    if (op === 'hello') return { id, ok: true, version, node: process.version, pid: process.pid };
    const path = request.path ? resolve(this.options.cwd ?? process.cwd(), request.path) : undefined;
    if (!path) return { id, ok: false, internal: `${op}: a request needs "path" (the config file)` };
    const text = request.text ?? readFileSync(path, 'utf8');
    const session = this.session(path);
    switch (op) {
      case 'validate': {
        const errors = session.validate(path, text);
        return { id, ok: errors.length === 0, errors };
      }
      case 'runSection': {
        const [out] = await session.runSections(path, text, [request.index ?? 0], request.period);
        return { id, ...out };
      }
      case 'runSections':
      case 'runAll': {
        const indices = request.indices ?? (op === 'runAll' ? sectionCount(session, path, text) : []);
        const sections = await session.runSections(path, text, indices, request.period);
        return { id, ok: sections.every((s) => s.ok), sections };
      }
      case 'runHeader': {
        const out = await session.runHeader(path, text, request.key ?? 'report', request.period);
        return { id, ...out };
      }
      default:
        return { id, ok: false, internal: `unknown op "${op}"` };
    }
  }
}

function sectionCount(session: NotebookSession, path: string, text: string): number[] {
  const n = session.sectionCount(path, text);
  return Array.from({ length: n }, (_, i) => i);
}

/** Reads requests from stdin and writes one answer line each to `write` (the real stdout). */
export async function serveStdio(write: (line: string) => void, options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<void> {
  const server = new NotebookServer({ env: options.env ?? process.env, cwd: options.cwd ?? process.cwd() });
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let queue = Promise.resolve();
  for await (const line of lines) {
    if (!line.trim()) continue;
    let request: Request;
    try {
      request = JSON.parse(line) as Request;
    } catch {
      write(`${JSON.stringify({ id: null, ok: false, internal: 'not a JSON request line' })}\n`);
      continue;
    }
    queue = queue.then(async () => {
      let answer: Record<string, unknown>;
      try {
        answer = await server.handle(request);
      } catch (error) {
        process.stderr.write(`${redactSecrets((error as Error)?.stack ?? String(error))}\n`);
        answer = { id: request.id, ok: false, internal: redactSecrets((error as Error)?.message ?? String(error)) };
      }
      write(`${JSON.stringify(answer)}\n`);
    });
  }
  await queue;
}
