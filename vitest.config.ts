import { configDefaults, defineConfig } from 'vitest/config';
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
    // Files run in parallel processes; Temporal servers and databases are per file.
    pool: 'forks',
    maxWorkers: 2,
    ...scaledTimeouts({ test: 60_000, hook: 180_000, teardown: 60_000 }),
    // expect.poll waits WAIT_MS unless told otherwise (vitest's own default, 1 s, flakes under load).
    expect: { poll: { timeout: WAIT_MS, interval: 100 } },
  },
});
