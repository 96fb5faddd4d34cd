/** `cxreport init [dir]`: scaffolds a project that builds on the first try. */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../app/schema.js';
import { CxError } from '../kernel/errors.js';
import { sampleResponses } from './sample-data.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The package.json of a new project: cxreport as its dependency, at the version that wrote it
 * (`^0.1.0`), or `CXREPORT_INIT_SPEC` when set (a tarball path or any npm spec, e.g. for a
 * version not on the registry), and scripts for the usual commands.
 */
export function packageJson(name: string, env: Record<string, string | undefined> = process.env): string {
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const spec = env.CXREPORT_INIT_SPEC?.trim() || `^${version}`;
  const pkg = {
    name: name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-._]+|[-._]+$/g, '') || 'cx-report',
    private: true,
    description: 'Customer-experience report built with cxreport',
    scripts: { build: 'cxreport build', dev: 'cxreport dev', validate: 'cxreport validate' },
    dependencies: { cxreport: spec },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

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

/**
 * Writes a new project into `dir`; refuses to overwrite an existing cxreport.yaml unless forced.
 * An existing package.json is never replaced (`kept` names it then: add cxreport to it yourself).
 */
export async function init(dir: string, options: { force?: boolean; cwd: string; env?: Record<string, string | undefined> }): Promise<string[] & { kept?: string }> {
  const target = resolve(options.cwd, dir);
  if (existsSync(join(target, 'cxreport.yaml')) && !options.force) {
    throw new CxError('usage', `${relative(options.cwd, join(target, 'cxreport.yaml')) || 'cxreport.yaml'} already exists`, { hint: 'choose an empty folder (cxreport init my-report) or pass --force to overwrite the scaffold files' });
  }
  const files = await scaffold();
  const written: string[] & { kept?: string } = [];
  if (existsSync(join(target, 'package.json'))) written.kept = join(target, 'package.json');
  else files['package.json'] = packageJson(basename(target), options.env);
  for (const [name, content] of Object.entries(files)) {
    const path = join(target, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    written.push(path);
  }
  return written;
}
