import { defineConfig } from 'vitest/config';
import { scaledTimeouts, WAIT_MS } from './test/helpers/time-budget';

// `npm run test:mail`: the real notification emails through a real Mailpit (the compose file's mail
// catcher, built from its Go module), judged by its HTML check and link check against the running
// web app, and their action links opened in Chromium. Needs Go the first time; not part of
// `npm test` or CI.
export default defineConfig({
  test: {
    include: ['test/mail/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts', 'test/mail/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    ...scaledTimeouts({ test: 120_000, hook: 15 * 60_000, teardown: 60_000 }),
    // expect.poll waits WAIT_MS unless told otherwise (vitest's own default, 1 s, flakes under load).
    expect: { poll: { timeout: WAIT_MS, interval: 100 } },
  },
});
