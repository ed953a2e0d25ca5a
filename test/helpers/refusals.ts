// Asserting refusals, in the shape of the SDK's assertWorkflowUpdateFailed: the promise must fail with
// the refusal `code` — a domain Refusal (called directly), or a non-retryable ApplicationFailure whose
// type is the code — anywhere in its chain of causes (an activity's failure inside an update's, inside
// a workflow's). A domain Refusal must leave an activity as a non-retryable failure.
import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'vitest';
import { asActivityFailure } from '../../activities/failures';
import { type Refusal, refusalOf } from '../../client/refusals';
import type { RefusalCode } from '../../workflows/contract';

/** What an error was, for a failed expectation's message. */
function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Awaits `promise`, which must fail with the refusal `code`; returns the refusal (message, details). */
export async function expectRefusal(promise: Promise<unknown>, code: RefusalCode): Promise<Refusal> {
  const outcome = await promise.then(
    () => ({ failed: false as const }),
    (error: unknown) => ({ failed: true as const, error }),
  );
  if (!outcome.failed) throw new Error(`expected the refusal ${code}, but the call succeeded`);
  const found = refusalOf(outcome.error);
  expect(found?.code ?? describeError(outcome.error)).toBe(code);
  let e: unknown = outcome.error;
  while (e instanceof Error && !(e instanceof ApplicationFailure && e.type === code) && !(e === found)) e = e.cause;
  const failure = e instanceof ApplicationFailure ? e : asActivityFailure(e);
  expect((failure as ApplicationFailure).nonRetryable, `${code} must be non-retryable`).toBe(true);
  return found!;
}
