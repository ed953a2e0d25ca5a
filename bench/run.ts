// `npm run bench [-- <name filter>] [--option …]`: runs every bench/*.bench.ts, one after the other,
// each in its own process (a bench owns its servers and data; nothing leaks into the next one). What
// follows the first `--…` argument is passed to each bench (e.g. open-items' --baseline <ref>:<path>).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('--'));
const filters = firstOption === -1 ? args : args.slice(0, firstOption);
const benchArgs = firstOption === -1 ? [] : args.slice(firstOption);
const files = fs
  .readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no bench/*.bench.ts matches ${filters.join(' ') || '(any)'}`);
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(benchDir, file), ...benchArgs], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.error(`${file} failed (exit ${String(result.status ?? result.signal)})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
