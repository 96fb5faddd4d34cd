/** The default theme's folder and the partials a templates folder holds (shared by the report layer, which checks partial names, and the renderer). */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_TEMPLATES = resolve(dirname(fileURLToPath(import.meta.url)), '../../templates/default');

/** Partial names (file names without .hbs) in a templates folder. */
export function partialNames(templatesDir: string): string[] {
  const dir = join(templatesDir, 'partials');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.hbs')).map((f) => basename(f, '.hbs')).sort() : [];
}
