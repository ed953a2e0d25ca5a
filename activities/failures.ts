// The domain's failures as Temporal sees them (DESIGN.md: activities map failures). A Refusal becomes
// a non-retryable ApplicationFailure whose `type` is its code and whose details are its details — what
// workflows and clients have always received; a RetryLater becomes a retryable one of its code;
// anything else (a lost connection) stays an ordinary error, which Temporal retries.
import { ApplicationFailure } from '@temporalio/common';
import { Refusal } from '../domain/refusal';
import { RetryLater } from '../domain/retry-later';

export function asActivityFailure(err: unknown): unknown {
  if (err instanceof Refusal) {
    const failure = ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: true, details: [...err.details] });
    // Where the domain refused, not where it was mapped, is what an operator wants to read.
    failure.stack = err.stack;
    return failure;
  }
  if (err instanceof RetryLater) {
    const failure = ApplicationFailure.retryable(err.message, err.code);
    failure.stack = err.stack;
    return failure;
  }
  return err;
}

type AsyncFunctions = Record<string, (...args: never[]) => Promise<unknown>>;

/** The same activities, each throwing what asActivityFailure makes of the domain's failures. */
export function mappingFailures<T extends AsyncFunctions>(activities: T): T {
  const mapped: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(activities)) {
    mapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        throw asActivityFailure(e);
      }
    };
  }
  return mapped as T;
}
