// How the project starts its own TypeScript processes: scripts/run-ts.mjs bundles the entry with
// esbuild and Node runs the bundle (about half the start-up CPU of `node --import tsx`).
import path from 'node:path';
import { projectRoot } from '../config/settings';

export const RUN_TS = path.join(projectRoot, 'scripts', 'run-ts.mjs');

/** Node's arguments to run `script` (a path from the project root) with `args`. */
export const tsEntryArgs = (script: string, ...args: string[]): string[] => [RUN_TS, path.resolve(projectRoot, script), ...args];
