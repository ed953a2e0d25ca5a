#!/usr/bin/env -S node --import tsx
// Entry of the `offboard` CLI (run through bin/offboard.mjs, or `node scripts/run-ts.mjs client/cli/offboard.ts`).
import { run } from './cli';

process.exitCode = await run(process.argv.slice(2));
