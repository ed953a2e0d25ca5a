// Waiting for something outside the test to happen (a process, a workflow moving on by itself):
// vitest's vi.waitFor, with the test's own words in the error when it never does. Timeouts are
// budgets for an idle machine, scaled by TEST_TIME_SCALE (time-budget.ts).
import { vi } from 'vitest';
import { budget } from './time-budget';

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout: budget(timeoutMs), interval: intervalMs },
  );
}

/** Polls `read` until `ready` holds for what it returned; the last value read is in the error. */
export async function waitForValue<T>(what: string, read: () => Promise<T>, ready: (value: T) => boolean, timeoutMs: number, intervalMs = 100): Promise<T> {
  let last: T | undefined;
  let failure: unknown;
  return vi.waitFor(
    async () => {
      try {
        last = await read();
        failure = undefined;
      } catch (e) {
        failure = e;
      }
      if (failure !== undefined || !ready(last as T)) {
        throw new Error(`${what} never happened; last: ${failure instanceof Error ? failure.message : JSON.stringify(failure ?? last)}`);
      }
      return last as T;
    },
    { timeout: budget(timeoutMs), interval: intervalMs },
  );
}
