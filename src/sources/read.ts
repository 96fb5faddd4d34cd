/**
 * Reading a source file whole (JSON, NDJSON, Parquet, Arrow, xlsx), with the messages a user
 * needs when it is missing, unreadable, not a regular file or too large. The CSV loader streams
 * and has its own checks.
 *
 * Every path goes through `checkUserFile` first: a folder, a FIFO or a device such as /dev/zero
 * is refused at once (it would otherwise hang the build or fill its memory), and so is a file
 * over the limit of what can be read whole:
 * - binary sources (Parquet, Arrow, xlsx): 2 GiB − 1 byte, the most Node's `readFile` returns
 *   (beyond it, it throws ERR_FS_FILE_TOO_LARGE);
 * - text sources (JSON, NDJSON): V8's longest string, 2^29 − 24 characters (≈ 512 MiB), since the
 *   file is decoded to one string before it is parsed (beyond it, `toString` throws).
 * These are hard limits of the runtime, not comfortable sizes: rows become JavaScript values of
 * several times the file's size, so big data is better read with `type: csv` (streamed) or a
 * `duckdb` source (pushed down).
 */
import { constants } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { CxError } from '../kernel/errors.js';
import { checkUserFile, displayPath } from '../kernel/user-files.js';

/** Largest binary source read whole: Node's readFile limit (2 GiB − 1). */
export const MAX_SOURCE_BYTES = 2 ** 31 - 1;
/** Largest JSON or NDJSON source: V8's longest string (2^29 − 24 on 64-bit builds). */
export const MAX_TEXT_SOURCE_BYTES = Math.min(constants.MAX_STRING_LENGTH, MAX_SOURCE_BYTES);

const TOO_LARGE_HINT = 'a source read whole is limited by what Node.js can hold in memory: use `type: csv` (streamed) or a `duckdb` source (e.g. read_parquet / read_json) for larger files';

/** The file's bytes and the path to show in messages (relative to `displayBase` when inside it). */
export async function readSource(name: string, path: string, displayBase?: string, maxBytes = MAX_SOURCE_BYTES): Promise<{ bytes: Uint8Array; shown: string }> {
  const shown = displayBase ? displayPath(displayBase, path) : path;
  const file = {
    what: `source "${name}"`,
    shown,
    location: { file: shown },
    kind: 'data' as const,
    maxBytes,
    hints: { missing: 'paths are relative to the config file; check `path:` under this source', tooLarge: TOO_LARGE_HINT },
  };
  // a regular file within the limit: a folder, a FIFO or /dev/zero never reach readFile
  checkUserFile(path, file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CxError('data', code === 'ENOENT' ? `source "${name}": file not found: ${shown}` : `source "${name}": cannot read ${shown} (${code ?? String(error)})`, {
      location: { file: shown },
      hint: code === 'ENOENT' ? file.hints.missing : code === 'ERR_FS_FILE_TOO_LARGE' ? TOO_LARGE_HINT : undefined,
    });
  }
  // the file may have grown since it was checked
  if (bytes.length > maxBytes) checkUserFile(path, file);
  if (bytes.length > maxBytes) throw new CxError('data', `source "${name}": ${shown} grew past the ${maxBytes} bytes a source read whole may have while it was read`, { location: { file: shown }, hint: TOO_LARGE_HINT });
  return { bytes, shown };
}

/** The error for a source that parsed but holds no rows. */
export function emptySource(name: string, shown: string): CxError {
  return new CxError('data', `source "${name}": no data rows`, { location: { file: shown }, hint: 'the source must contain at least one row' });
}
