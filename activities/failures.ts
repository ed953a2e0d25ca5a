// Domain refusals become non-retryable ApplicationFailures whose `type` is the refusal code from
// workflows/refusals.ts. Anything else thrown by an activity (a refused connection, a deadlock, a
// timeout) stays an ordinary Error, which Temporal retries.
import { ApplicationFailure } from '@temporalio/common';
import { type RefusalCode, isRefusalCode } from '../workflows/contract';

/** Builds the failure; `details`, when given, travels as `failure.details[0]`. */
export function refusal(code: RefusalCode, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type: code,
    message,
    nonRetryable: true,
    details: details === undefined ? undefined : [details],
  });
}

/** Throws a domain refusal: `message` is a sentence a person can act on, naming the IDs involved. */
export function refuse(code: RefusalCode, message: string, details?: unknown): never {
  throw refusal(code, message, details);
}

/** The refusal code of an error raised by `refuse`, or undefined for anything else. */
export function refusalCodeOf(error: unknown): RefusalCode | undefined {
  if (error instanceof ApplicationFailure && error.nonRetryable && isRefusalCode(error.type)) return error.type;
  return undefined;
}

type PgErrorLike = { code: string; constraint_name?: string; constraint?: string };

/** Finds the PostgreSQL error under drizzle's wrapping (DrizzleQueryError keeps it as `cause`). */
export function pgErrorOf(error: unknown): PgErrorLike | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e !== null && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return e as PgErrorLike;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True for a unique violation, optionally of one named constraint or index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pg = pgErrorOf(error);
  if (pg?.code !== '23505') return false;
  return constraint === undefined || (pg.constraint_name ?? pg.constraint) === constraint;
}
