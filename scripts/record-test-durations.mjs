#!/usr/bin/env node
// Rewrites test/file-durations.json (the order test/helpers/longest-first-sequencer.ts runs files in)
// from vitest's results cache of the last `npm test`: run it after a full run on an idle machine.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheRoot = path.join(root, 'node_modules', '.vite');

function findResults(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return findResults(p);
    return e.name === 'results.json' ? [p] : [];
  });
}

const files = findResults(cacheRoot).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
if (files.length === 0) {
  console.error(`no vitest results cache under ${cacheRoot}: run npm test first`);
  process.exit(1);
}
const { results } = JSON.parse(fs.readFileSync(files[0], 'utf8'));
const durations = Object.fromEntries(
  results
    .map(([key, r]) => [key.slice(key.indexOf(':') + 1), Math.round(r.duration / 100) / 10])
    .filter(([file]) => /^test\/[^/]+\.test\.ts$/.test(file))
    .sort((a, b) => b[1] - a[1]),
);
const out = path.join(root, 'test', 'file-durations.json');
fs.writeFileSync(out, `${JSON.stringify(durations, null, 2)}\n`);
console.log(`wrote ${Object.keys(durations).length} files' durations (seconds) to ${path.relative(root, out)} from ${path.relative(root, files[0])}`);
