// Runs the longest test files first, so the workers finish together instead of one waiting on a
// long file that started last. A fresh clone has no vitest cache to order by (its default then keeps
// the glob's order): the order comes from test/file-durations.json, measured on an idle 2-core
// machine (from the per-file times vitest prints at the end of a run). Files it does not know yet
// go first: a new file may well be long.
import fs from 'node:fs';
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const DURATIONS_FILE = path.join(import.meta.dirname, '..', 'file-durations.json');

function knownDurations(): Record<string, number> {
  try {
    return JSON.parse(fs.readFileSync(DURATIONS_FILE, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = knownDurations();
    const root = this.ctx.config.root;
    const duration = (f: TestSpecification) => seconds[path.relative(root, f.moduleId)] ?? Number.POSITIVE_INFINITY;
    return [...files].sort((a, b) => duration(b) - duration(a));
  }
}
