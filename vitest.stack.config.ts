import { defineConfig } from 'vitest/config';

// `npm run test:stack`: the production topology (worker/stack.ts: the Temporal server built from its
// Go module, on PostgreSQL, two worker processes). Needs Go; not part of `npm test` or CI. One file at
// a time: each starts a whole stack of its own on free ports.
export default defineConfig({
  test: {
    include: ['test/stack/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts', 'test/stack/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 30 * 60_000,
    hookTimeout: 10 * 60_000,
    teardownTimeout: 120_000,
  },
});
