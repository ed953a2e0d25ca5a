import { defineConfig } from 'vitest/config';
import { scaledTimeouts, WAIT_MS } from './test/helpers/time-budget';

// `npm run test:scale`: the long-running scale tests (minutes), kept out of `npm test`.
export default defineConfig({
  test: {
    include: ['test/scale/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    ...scaledTimeouts({ test: 60 * 60_000, hook: 180_000, teardown: 120_000 }),
    // expect.poll waits WAIT_MS unless told otherwise (vitest's own default, 1 s, flakes under load).
    expect: { poll: { timeout: WAIT_MS, interval: 100 } },
  },
});
