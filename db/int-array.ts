import { type SQL, sql } from 'drizzle-orm';

/** A PostgreSQL int[] literal, passed as ONE parameter (drizzle would expand a JS array into a list). */
export function intArrayParam(ids: readonly number[]): SQL {
  return sql`${`{${ids.join(',')}}`}::int[]`;
}
