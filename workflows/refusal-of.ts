import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { isRefusalCode, refusal, type RefusalCode } from './contract';

export type Refusal = { code: RefusalCode; message: string; details: readonly unknown[] };

/** The domain refusal inside a failed activity call, if that is what it was. */
export function refusalOf(err: unknown): Refusal | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && isRefusalCode(cause.type)) {
    return { code: cause.type, message: cause.message, details: cause.details ?? [] };
  }
  return undefined;
}

/**
 * An update handler must fail with an ApplicationFailure to fail only the update (any other error
 * would fail the workflow task): refusals keep their code, anything else becomes a retryable one.
 */
export function asUpdateFailure(err: unknown): ApplicationFailure {
  const r = refusalOf(err);
  if (r) return refusal(r.code, r.message, r.details[0]);
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({ type: 'UNAVAILABLE', message: `could not complete the request: ${message}`, nonRetryable: false });
}
