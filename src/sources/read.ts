/** Reading a source file, with the messages a user needs when it is missing or unreadable. */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { CxError } from '../errors.js';

/** The file's bytes and the path to show in messages (relative to `displayBase`). */
export async function readSource(name: string, path: string, displayBase?: string): Promise<{ bytes: Uint8Array; shown: string }> {
  const shown = displayBase ? relative(displayBase, path) || path : path;
  try {
    return { bytes: await readFile(path), shown };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CxError('data', code === 'ENOENT' ? `source "${name}": file not found: ${shown}` : `source "${name}": cannot read ${shown} (${code ?? String(error)})`, {
      location: { file: shown },
      hint: code === 'ENOENT' ? 'paths are relative to the config file; check `path:` under this source' : undefined,
    });
  }
}

/** The error for a source that parsed but holds no rows. */
export function emptySource(name: string, shown: string): CxError {
  return new CxError('data', `source "${name}": no data rows`, { location: { file: shown }, hint: 'the source must contain at least one row' });
}
