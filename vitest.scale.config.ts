import { defineConfig } from 'vitest/config';

// `npm run test:scale`: the long-running scale tests (minutes), kept out of `npm test`.
export default defineConfig({
  test: {
    include: ['test/scale/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 60 * 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 120_000,
  },
});
