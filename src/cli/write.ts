/**
 * All-or-nothing output. Every file of a build (every report of a batch, then manifest.json and
 * index.html) is first written to a temporary name beside its final one; only when all of them
 * were produced are they renamed into place, manifest.json last, and the files the previous
 * build's manifest listed that this build did not write are removed. So after a failure (a
 * browser that fails, a full disk, a read-only folder, Ctrl+C or SIGTERM) the folder holds
 * exactly the previous set, and after success exactly the new one; manifest.json describes what
 * is there. Temporary files are recorded before they are written, so that they are removed even
 * when the write itself fails. Write errors are located output errors (exit 1), not bugs.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { CxError } from '../errors.js';

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
   * files of the previous manifest in `manifestDir` that this set does not replace.
   */
  async commit(manifestDir?: string): Promise<void> {
    this.state = 'committing';
    const previous = manifestDir ? previousOutputs(manifestDir) : [];
    try {
      for (const { temp, final } of this.staged) await rename(temp, final);
    } catch (error) {
      const failed = this.staged.find((s) => !isGone(s.temp));
      throw outputError(error, failed?.final ?? manifestDir ?? this.cwd, this.cwd);
    } finally {
      this.state = 'done';
    }
    const written = new Set(this.staged.map((s) => resolve(s.final)));
    for (const stale of previous) if (!written.has(stale)) await rm(stale, { force: true }).catch(() => undefined);
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
