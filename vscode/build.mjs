#!/usr/bin/env node
// Builds the VS Code extension: type-checks it (tsc), bundles src/extension.ts with the `yaml`
// package into dist/extension.js (esbuild, from the project's node_modules), copies the config's
// JSON Schema beside it, and with --package packs cxreport-notebook-<version>.vsix (@vscode/vsce).
//   node vscode/build.mjs [--package] [--out FILE.vsix] [--no-check]
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const args = process.argv.slice(2);
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const started = Date.now();

// the extension's own dev dependencies (@types/vscode, @vscode/vsce), from its lockfile
if (!existsSync(join(here, 'node_modules', '@vscode', 'vsce')) || !existsSync(join(here, 'node_modules', '@types', 'vscode'))) {
  console.error('vscode: installing its dev dependencies (npm ci)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here, stdio: 'inherit' });
}

if (!args.includes('--no-check')) execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });

const esbuild = createRequire(join(root, 'package.json'))('esbuild');
mkdirSync(join(here, 'dist'), { recursive: true });
await esbuild.build({
  entryPoints: [join(here, 'src', 'extension.ts')],
  outfile: join(here, 'dist', 'extension.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  external: ['vscode'],
  sourcemap: false,
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(root, 'schema', 'cxreport.schema.json'), join(here, 'dist', 'cxreport.schema.json'));

if (args.includes('--package')) {
  const at = args.indexOf('--out');
  const out = at >= 0 ? resolve(args[at + 1]) : join(here, `${pkg.name}-${pkg.version}.vsix`);
  execFileSync(process.execPath, [join(here, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out], { cwd: here, stdio: ['ignore', 'inherit', 'inherit'] });
  console.error(`vscode: packed ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} else {
  console.error(`vscode: built dist/extension.js in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
