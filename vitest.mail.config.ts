import { defineConfig } from 'vitest/config';

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
    testTimeout: 120_000,
    hookTimeout: 15 * 60_000,
    teardownTimeout: 60_000,
  },
});
