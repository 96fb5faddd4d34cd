#!/usr/bin/env node
// The VS Code notebook's runner (src/notebook/server.ts): JSON lines on stdin/stdout. Like
// bin/cxreport.js, it runs the compiled module in dist/ or, in a development checkout, the
// TypeScript sources through tsx (see entry.js).
import { entry } from './entry.js';

// stdout carries the protocol only: anything else written there (a library's console.log) goes to stderr
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);
console.log = console.error;
console.info = console.error;

const { serveStdio } = await entry('notebook/server');
await serveStdio((line) => write(line));
