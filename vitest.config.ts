import { configDefaults, defineConfig } from 'vitest/config';

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
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
  },
});
