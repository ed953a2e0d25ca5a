import { configDefaults, defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/helpers/longest-first-sequencer';
import { scaledTimeouts, WAIT_MS } from './test/helpers/time-budget';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/scale runs apart: `npm run test:scale` (vitest.scale.config.ts); the long fault tests
    // with `npm run test:faults` (vitest.faults.config.ts); the production topology, which needs Go,
    // with `npm run test:stack` (vitest.stack.config.ts); the emails judged by Mailpit, which needs Go
    // too, with `npm run test:mail` (vitest.mail.config.ts).
    exclude: [...configDefaults.exclude, 'test/scale/**', 'test/faults/**', 'test/stack/**', 'test/mail/**'],
    globalSetup: ['test/global-setup.ts'],
    // Files run in three parallel processes on the 2 cores: much of a file's time is waiting on
    // servers, timers and the browser, and a third process fills it (0.85× the wall time of two,
    // measured on a fresh clone). Databases and Temporal namespaces are per file (one dev server for
    // the run, test/helpers/shared-temporal.ts). A process runs file after file without re-importing
    // what they share (isolate: false halves the import time; a file's own module state is still its
    // own), so each file closes what it opens.
    pool: 'forks',
    maxWorkers: 3,
    isolate: false,
    // The longest files first (test/file-durations.json), so the workers finish together.
    sequence: { sequencer: LongestFirstSequencer },
    ...scaledTimeouts({ test: 120_000, hook: 180_000, teardown: 60_000 }),
    // expect.poll waits WAIT_MS unless told otherwise (vitest's own default, 1 s, flakes under load).
    expect: { poll: { timeout: WAIT_MS, interval: 100 } },
  },
});
