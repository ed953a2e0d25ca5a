// Every wait in the tests gets its budget from here, scaled by one environment variable:
// TEST_TIME_SCALE (default 1; e.g. 3 on a machine much slower or busier than 2 idle cores). No wait
// relies on vitest's 1 s defaults (expect.poll, vi.waitFor), which a loaded CI machine overruns.

function readScale(): number {
  const raw = process.env.TEST_TIME_SCALE;
  if (raw === undefined || raw === '') return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale < 1 || scale > 20) {
    throw new Error(`TEST_TIME_SCALE must be a number from 1 to 20 (a multiplier of every wait in the tests), not "${raw}"`);
  }
  return scale;
}

export const TIME_SCALE = readScale();

/** `ms` scaled for this machine: use it for every timeout a test waits on. */
export const budget = (ms: number): number => Math.round(ms * TIME_SCALE);

/** The default wait for something outside the test (an email, a workflow moving on, a page update). */
export const WAIT_MS = budget(60_000);

/** A vitest config's test, hook and teardown timeouts, scaled. */
export function scaledTimeouts(ms: { test: number; hook: number; teardown: number }) {
  return {
    testTimeout: budget(ms.test),
    hookTimeout: budget(ms.hook),
    teardownTimeout: budget(ms.teardown),
  };
}
