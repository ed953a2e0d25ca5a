// Idempotency-Key for a batch start (draft-ietf-httpapi-idempotency-key-header): the first request
// with a key claims it with its body's hash and the batch ID chosen for it; the same key with the same
// body answers the first response again (or, when the first request died half-way, starts that same
// batch ID, which a start answers with the existing batch); the same key with another body is refused.
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../../db/client';
import { apiIdempotencyKeys } from '../../../db/schema';

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** JSON with its object keys in order: the same body however its keys were ordered or spaced. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const requestHash = (body: unknown): string => createHash('sha256').update(canonical(body)).digest('hex');

export type Claim =
  | { kind: 'first' | 'retry'; batchId: string }
  | { kind: 'answered'; status: number; response: unknown }
  | { kind: 'other-body' };

export async function claimKey(db: Database, connectionId: number, key: string, hash: string, batchId: string): Promise<Claim> {
  const inserted = await db
    .insert(apiIdempotencyKeys)
    .values({ connectionId, key, requestHash: hash, batchId })
    .onConflictDoNothing()
    .returning({ batchId: apiIdempotencyKeys.batchId });
  if (inserted.length > 0) return { kind: 'first', batchId };
  const [row] = await db
    .select()
    .from(apiIdempotencyKeys)
    .where(and(eq(apiIdempotencyKeys.connectionId, connectionId), eq(apiIdempotencyKeys.key, key)));
  if (!row) throw new Error(`Idempotency-Key of connection ${connectionId} vanished`);
  if (row.requestHash !== hash) return { kind: 'other-body' };
  if (row.status !== null) return { kind: 'answered', status: row.status, response: row.response };
  return { kind: 'retry', batchId: row.batchId };
}

export async function keepResponse(db: Database, connectionId: number, key: string, status: number, response: unknown): Promise<void> {
  await db
    .update(apiIdempotencyKeys)
    .set({ status, response })
    .where(and(eq(apiIdempotencyKeys.connectionId, connectionId), eq(apiIdempotencyKeys.key, key)));
}
