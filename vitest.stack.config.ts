import { defineConfig } from 'vitest/config';
import { scaledTimeouts, WAIT_MS } from './test/helpers/time-budget';

// `npm run test:stack`: the production topology (launcher/stack.ts: the Temporal server built from its
// Go module, on PostgreSQL, two worker processes). Needs Go; not part of `npm test` or CI. One file at
// a time: each starts a whole stack of its own on free ports.
export default defineConfig({
  test: {
    include: ['test/stack/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts', 'test/stack/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    ...scaledTimeouts({ test: 30 * 60_000, hook: 10 * 60_000, teardown: 120_000 }),
    // expect.poll waits WAIT_MS unless told otherwise (vitest's own default, 1 s, flakes under load).
    expect: { poll: { timeout: WAIT_MS, interval: 100 } },
  },
});
