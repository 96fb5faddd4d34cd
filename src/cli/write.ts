/**
 * All-or-nothing output. Every file of a build (every report of a batch, then manifest.json and
 * index.html) is first written to a temporary name beside its final one; only when all of them
 * were produced are they renamed into place, manifest.json last, and the files the previous
 * build's manifest listed that this build did not write are removed. So after a failure (a
 * browser that fails, a full disk, a read-only folder, Ctrl+C or SIGTERM) the folder holds
 * exactly the previous set, and after success exactly the new one; manifest.json describes what
 * is there. Temporary files are recorded before they are written, so that they are removed even
 * when the write itself fails. Write errors are located output errors (exit 1), not bugs.
 *
 * The renames are not one atomic step: a SIGKILL (or a power cut) while they run would leave some
 * new files beside old ones. So before the first rename a journal, `.cxreport-staging`, is put in
 * the manifest's folder, listing every rename and every stale file to remove; it is removed after
 * the last. While it exists the set is incomplete — detectably — and the next build (or
 * `recoverOutputs`) completes the interrupted commit from the journal (every temporary file it
 * names was written in full before the journal was), so the folder again holds exactly the set its
 * manifest lists. Temporary files of a build that was killed before it committed are removed by
 * the next build in the same folders.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { CxError } from '../kernel/errors.js';

export interface OutputFile {
  name: string;
  content: string | Uint8Array;
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'a folder is in the way',
  EEXIST: 'a file is in the way',
  ENAMETOOLONG: 'the path is too long',
  EMFILE: 'too many open files',
  EIO: 'an input/output error',
};

/** An output error for a failed file-system call on `path`, as shown relative to `cwd`. */
export function outputError(error: unknown, path: string, cwd = process.cwd()): CxError {
  if (error instanceof CxError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const shown = relative(cwd, path) || path;
  return new CxError('output', `cannot write ${shown}: ${REASONS[code] ?? (error as Error).message ?? String(error)}${code ? ` (${code})` : ''}`, {
    location: { file: shown },
    hint: code === 'ENOSPC' || code === 'EDQUOT' ? 'free some space, or write elsewhere with --out DIR; the previous report was left as it was' : 'check that the output folder can be written (or choose another with --out DIR); the previous report was left as it was',
    cause: error,
  });
}

/** One build's files, staged under temporary names and then committed together. */
export class OutputSet {
  private readonly staged: { temp: string; final: string }[] = [];
  private readonly stamp = `${process.pid}-${Date.now().toString(36)}`;
  private state: 'open' | 'committing' | 'done' = 'open';

  constructor(private readonly cwd = process.cwd()) {}

  /** Writes `files` into `dir` (created if needed) under temporary names; returns their final paths. */
  async stage(dir: string, files: OutputFile[]): Promise<string[]> {
    if (this.state !== 'open') throw new Error('output set already committed');
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw outputError(error, dir, this.cwd);
    }
    const finals: string[] = [];
    for (const file of files) {
      const final = join(dir, file.name);
      const temp = join(dir, `.${file.name}.${this.stamp}.tmp`);
      // recorded before the write, so that a half-written temporary file is removed too
      this.staged.push({ temp, final });
      try {
        await writeFile(temp, file.content);
      } catch (error) {
        throw outputError(error, final, this.cwd);
      }
      finals.push(final);
    }
    return finals;
  }

  /**
   * Renames every staged file into place (manifest.json last: stage it last) and removes the
   * files of the previous manifest in `manifestDir` that this set does not replace. With a
   * `manifestDir`, the journal is written there first and removed last (see the top of this file).
   */
  async commit(manifestDir?: string): Promise<void> {
    this.state = 'committing';
    // a commit that a killed build left unfinished here is completed first: "previous" is then what its manifest lists
    if (manifestDir) await recoverOutputs(manifestDir);
    const previous = manifestDir ? previousOutputs(manifestDir) : [];
    const written = new Set(this.staged.map((s) => resolve(s.final)));
    const stale = previous.filter((p) => !written.has(p));
    const journal = manifestDir ? resolve(manifestDir, JOURNAL) : undefined;
    let renamed = 0;
    try {
      if (journal) {
        const root = resolve(manifestDir!);
        const entry: Journal = { tool: 'cxreport', pid: process.pid, renames: this.staged.map((s) => ({ temp: relative(root, s.temp), final: relative(root, s.final) })), stale: stale.map((p) => relative(root, p)) };
        // the journal itself appears whole or not at all
        await writeFile(`${journal}.${this.stamp}.tmp`, JSON.stringify(entry));
        await rename(`${journal}.${this.stamp}.tmp`, journal);
      }
      const pause = Number(process.env.CXREPORT_TEST_COMMIT_PAUSE_MS ?? 0);
      for (const { temp, final } of this.staged) {
        // (a test hook: a pause between renames, to kill a build in the middle of its commit)
        if (pause > 0) await new Promise((done) => setTimeout(done, pause));
        await rename(temp, final);
        renamed++;
      }
    } catch (error) {
      const failed = this.staged.find((s) => !isGone(s.temp));
      const cause = outputError(error, failed?.final ?? manifestDir ?? this.cwd, this.cwd);
      if (renamed === 0) {
        // nothing replaced yet: the previous set stands; abort() removes the temporary files
        this.state = 'open';
        if (journal) for (const j of [journal, `${journal}.${this.stamp}.tmp`]) await rm(j, { force: true }).catch(() => undefined);
        throw cause;
      }
      this.state = 'done';
      throw new CxError('output', `${cause.message}; the new set is half in place`, { location: cause.location, hint: `the journal ${JOURNAL} records the rest: the next build completes it`, cause: error });
    }
    for (const p of stale) await rm(p, { force: true }).catch(() => undefined);
    if (journal) await rm(journal, { force: true }).catch(() => undefined);
    this.state = 'done';
  }

  /** Removes every staged temporary file (after a failure or on a signal); the previous set stays. */
  async abort(): Promise<void> {
    if (this.state === 'done') return;
    await Promise.all(this.staged.map((s) => rm(s.temp, { force: true }).catch(() => undefined)));
  }

  /** The same, synchronously (from a signal handler that exits right after). */
  abortSync(): void {
    if (this.state === 'done') return;
    for (const s of this.staged) {
      try {
        rmSync(s.temp, { force: true });
      } catch {
        // already gone, or cannot be removed: nothing more to do on the way out
      }
    }
  }

  /** True while renaming: a signal then waits for the set to be complete. */
  get committing(): boolean {
    return this.state === 'committing';
  }
}

function isGone(path: string): boolean {
  try {
    statSync(path);
    return false;
  } catch {
    return true;
  }
}

/** The commit journal's name, in the manifest's folder while a commit runs. */
export const JOURNAL = '.cxreport-staging';

interface Journal {
  tool: 'cxreport';
  pid: number;
  /** paths relative to the journal's folder */
  renames: { temp: string; final: string }[];
  stale: string[];
}

/** A temporary file of OutputSet: `.<name>.<pid>-<stamp>.tmp`; the pid of the build that wrote it. */
const TEMP = /^\..+\.(\d+)-[0-9a-z]+\.tmp$/;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Completes a commit that a killed build left unfinished in `dir` (its journal is there): renames
 * the temporary files the journal names that are still there, removes its stale files and the
 * journal. A journal of a build that is still running is left alone; one that cannot be read (cut
 * short before it was renamed into place: no rename had started) is removed. Only paths inside
 * `dir` are touched. Returns whether a commit was completed.
 */
export async function recoverOutputs(dir: string): Promise<boolean> {
  const root = resolve(dir);
  const path = join(root, JOURNAL);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return false;
  }
  let journal: Journal;
  try {
    journal = JSON.parse(text) as Journal;
    if (journal.tool !== 'cxreport' || !Array.isArray(journal.renames) || !Array.isArray(journal.stale)) throw new Error('not a journal');
  } catch {
    await rm(path, { force: true }).catch(() => undefined);
    return false;
  }
  if (alive(journal.pid) && journal.pid !== process.pid) return false;
  const inside = (p: unknown) => (typeof p === 'string' ? resolve(root, p) : '');
  const ok = (p: string) => p.startsWith(`${root}${sep}`);
  for (const r of journal.renames) {
    const temp = inside(r?.temp);
    const final = inside(r?.final);
    if (!ok(temp) || !ok(final) || !TEMP.test(basename(temp)) || dirname(temp) !== dirname(final)) continue;
    if (!isGone(temp)) await rename(temp, final).catch(() => undefined);
  }
  for (const p of journal.stale.map(inside)) if (ok(p) && basename(p) !== 'manifest.json') await rm(p, { force: true }).catch(() => undefined);
  await rm(path, { force: true }).catch(() => undefined);
  return true;
}

/**
 * Before a build writes under `root` (its --out folder, outputs.dir or reports/): completes any
 * commit a killed build left unfinished in `root` or the folders below it (periods, segments),
 * then removes the temporary files that builds no longer running left behind there.
 */
export async function recoverTree(root: string, depth = 2): Promise<void> {
  const dirs: string[] = [];
  const walk = (dir: string, level: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    dirs.push(dir);
    if (level < depth) for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') walk(join(dir, e.name), level + 1);
  };
  walk(resolve(root), 0);
  for (const dir of dirs) await recoverOutputs(dir);
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = TEMP.exec(name) ?? /^\.cxreport-staging\.(\d+)-[0-9a-z]+\.tmp$/.exec(name);
      if (m && !alive(Number(m[1]))) await rm(join(dir, name), { force: true }).catch(() => undefined);
    }
  }
}

/** Absolute paths of the files the manifest.json in `dir` lists (none when there is none or it is not cxreport's). */
export function previousOutputs(dir: string): string[] {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { tool?: string; outputs?: { files?: { path?: unknown }[] }[] };
    if (manifest.tool !== 'cxreport' || !Array.isArray(manifest.outputs)) return [];
    const root = resolve(dir);
    return manifest.outputs
      .flatMap((o) => (Array.isArray(o.files) ? o.files : []))
      .map((f) => (typeof f.path === 'string' ? resolve(root, f.path) : ''))
      // only files inside the manifest's folder, never anything a tampered manifest points elsewhere
      .filter((p) => p !== '' && p.startsWith(`${root}/`) && basename(p) !== 'manifest.json');
  } catch {
    return [];
  }
}

/** Writes `files` into `dir` all-or-nothing (one OutputSet). */
export async function writeAtomically(dir: string, files: OutputFile[]): Promise<string[]> {
  const set = new OutputSet();
  try {
    const written = await set.stage(dir, files);
    await set.commit();
    return written;
  } catch (error) {
    await set.abort();
    throw error;
  }
}
