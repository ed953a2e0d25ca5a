// PostgreSQL errors under drizzle's wrapping. Refusals are raised with `refuse` from the contract;
// anything else (a refused connection, a deadlock, a timeout) stays an ordinary Error, which Temporal
// retries.

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
