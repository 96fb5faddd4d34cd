/** `cxreport init [dir]`: scaffolds a project that builds on the first try. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../config/schema.js';
import { CxError } from '../errors.js';
import { sampleResponses } from './sample-data.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Files of a new project, relative to its folder. */
export async function scaffold(): Promise<Record<string, string>> {
  const read = (path: string) => readFile(join(ROOT, path), 'utf8');
  return {
    'cxreport.yaml': await read('templates/init/cxreport.yaml'),
    'cxreport.schema.json': `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
    'data/responses.csv': sampleResponses(),
    'narrative/notes.md': await read('templates/init/narrative/notes.md'),
    'templates/README.md': await read('templates/init/templates-README.md'),
    '.github/workflows/cxreport.yml': await read('examples/ci/cxreport.yml'),
    '.gitignore': await read('templates/init/gitignore'),
  };
}

/** Writes a new project into `dir`; refuses to overwrite an existing cxreport.yaml unless forced. */
export async function init(dir: string, options: { force?: boolean; cwd: string }): Promise<string[]> {
  const target = resolve(options.cwd, dir);
  if (existsSync(join(target, 'cxreport.yaml')) && !options.force) {
    throw new CxError('usage', `${relative(options.cwd, join(target, 'cxreport.yaml')) || 'cxreport.yaml'} already exists`, { hint: 'choose an empty folder (cxreport init my-report) or pass --force to overwrite the scaffold files' });
  }
  const files = await scaffold();
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const path = join(target, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    written.push(path);
  }
  return written;
}
