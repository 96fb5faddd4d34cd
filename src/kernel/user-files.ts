/**
 * Files a config names and that are read whole (the config itself, Markdown and narrative files,
 * chart specs, the logo). Each must be a regular file of at most MAX_FILE_BYTES: a folder, a
 * device such as /dev/zero or a FIFO would otherwise hang the build or fill its memory. Problems
 * are CxErrors located where the config names the file.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { CxError, type ErrorKind, type Location } from './errors.js';

/** Largest file read whole: 10 MB. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface UserFile {
  /** what the file is, for messages: "section 3 (markdown): file", "report.logo" */
  what: string;
  /** where the config names it */
  location?: Location;
  /** the path as shown in messages (default: the path itself) */
  shown?: string;
  maxBytes?: number;
  /** the kind of error raised (default: config) */
  kind?: ErrorKind;
  /** hints for a missing file and a file over the limit (defaults: relative paths; a smaller file) */
  hints?: { missing?: string; tooLarge?: string };
}

/** `path` for messages: relative to `base` when inside it, else as it is. */
export function displayPath(base: string, path: string): string {
  const r = relative(base, path);
  return r === '' || r.startsWith('..') || isAbsolute(r) ? path : r;
}

/** Checks that `path` is a regular file within the size limit; throws a located CxError otherwise. */
export function checkUserFile(path: string, file: UserFile): void {
  const shown = (file.shown ??= path);
  const limit = file.maxBytes ?? MAX_FILE_BYTES;
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CxError(file.kind ?? 'config', code === 'ENOENT' || code === 'ENOTDIR' ? `${file.what}: file not found: ${shown}` : `${file.what}: cannot read ${shown} (${code})`, { location: file.location, hint: file.hints?.missing ?? 'paths are relative to the config file' });
  }
  if (!stats.isFile()) {
    const kind = stats.isDirectory() ? 'a folder' : stats.isFIFO() ? 'a pipe' : stats.isCharacterDevice() || stats.isBlockDevice() ? 'a device' : 'not a regular file';
    throw new CxError(file.kind ?? 'config', `${file.what}: ${shown} is ${kind}, not a file`, { location: file.location, hint: 'name a regular file (paths are relative to the config file)' });
  }
  if (stats.size > limit) throw tooLarge(stats.size, file);
}

function tooLarge(size: number, file: UserFile): CxError {
  return new CxError(file.kind ?? 'config', `${file.what}: ${file.shown} is ${megabytes(size)}, more than the ${megabytes(file.maxBytes ?? MAX_FILE_BYTES)} a file read whole may have`, { location: file.location, hint: file.hints?.tooLarge ?? 'use a smaller file' });
}

/** The file's bytes (text with `encoding`), after `checkUserFile`. */
export function readUserFile(path: string, file: UserFile): Buffer;
export function readUserFile(path: string, file: UserFile, encoding: 'utf8'): string;
export function readUserFile(path: string, file: UserFile, encoding?: 'utf8'): Buffer | string {
  checkUserFile(path, file);
  try {
    const content = readFileSync(path);
    // the file may have grown since it was checked
    if (content.length > (file.maxBytes ?? MAX_FILE_BYTES)) throw tooLarge(content.length, file);
    return encoding ? content.toString(encoding) : content;
  } catch (error) {
    if (error instanceof CxError) throw error;
    throw new CxError(file.kind ?? 'config', `${file.what}: cannot read ${file.shown ?? path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { location: file.location });
  }
}

function megabytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1).replace(/\.0$/, '')} GB`;
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB` : `${bytes} bytes`;
}

/** A cheap change stamp of a file (size and modification time; "missing" when it cannot be read), for caches keyed by their inputs. */
export function fileStamp(path: string): string {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}
