#!/usr/bin/env node
// `offboard` launcher (package.json "bin"): runs the TypeScript CLI, client/cli/offboard.ts, through
// scripts/run-ts.mjs (esbuild, a devDependency, bundles it on first use; no build step).
import { fileURLToPath } from 'node:url';

process.argv.splice(2, 0, fileURLToPath(new URL('../client/cli/offboard.ts', import.meta.url)));
await import('../scripts/run-ts.mjs');
