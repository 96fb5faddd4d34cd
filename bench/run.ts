/** `npm run bench`: every benchmark in turn (not part of the tests). */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
for (const bench of ['catalogue.ts', 'browser-reuse.ts', 'flagship.ts', 'preview.ts', 'sources.ts', 'sharded.ts', 'orders.ts']) {
  execFileSync(process.execPath, ['--import', 'tsx', join(here, bench)], { stdio: 'inherit' });
}
