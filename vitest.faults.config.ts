import { defineConfig } from 'vitest/config';
import { scaledTimeouts, WAIT_MS } from './test/helpers/time-budget';

// The long fault tests (`npm run test:faults`): worker SIGKILLed mid-batch, Temporal and PostgreSQL
// restarted, SMTP down. One file at a time: each starts its own servers and processes.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    ...scaledTimeouts({ test: 15 * 60_000, hook: 180_000, teardown: 60_000 }),
    // expect.poll waits WAIT_MS unless told otherwise (vitest's own default, 1 s, flakes under load).
    expect: { poll: { timeout: WAIT_MS, interval: 100 } },
    // Known and reported: when PostgreSQL goes away mid-write, postgres.js (connection.js nextWrite)
    // can throw "Cannot read properties of null (reading 'write')" from a setImmediate in the process
    // that runs the activities. The PostgreSQL-restart test provokes exactly that; anything else fails.
    onUnhandledError(error) {
      const text = `${error.message ?? ''}\n${error.stack ?? ''}`;
      if (text.includes("reading 'write'") && text.includes('nextWrite')) return false;
    },
  },
});
