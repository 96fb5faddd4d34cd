#!/usr/bin/env node
// The cxreport command: runs the compiled CLI in dist/ (or, in a development checkout whose dist/ is
// missing or out of date, the TypeScript sources through tsx: see entry.js).
import { entry } from './entry.js';

const { main } = await entry('cli/main');
process.exitCode = await main(process.argv.slice(2));
