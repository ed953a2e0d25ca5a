// The batch review (the CLI's `start --dry-run` and pre-flight, the web's review page): the very same
// validation the batch workflow runs (batch-validation.ts), inside a transaction that is always
// rolled back, so the answer is identical and nothing is claimed.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { intArrayParam } from '../db/int-array';
import { batchWorkflowId, type OpenItem, type ValidateBatchInput, type ValidateBatchResult } from '../workflows/contract';
import { scanOpenItems } from './open-items';
import { userNames } from './user-names';
import { usersWithManagers } from './directory';
import { validateBatch } from './batch-validation';

class RolledBack extends Error {
  constructor(readonly result: ValidateBatchResult) {
    super('review rolled back');
  }
}

export type BatchReviewInput = Omit<ValidateBatchInput, 'workflowId'>;

export async function reviewBatch(db: Database, input: BatchReviewInput, clock?: () => Date): Promise<ValidateBatchResult> {
  try {
    await db.transaction(async (tx) => {
      // validateBatch joins this transaction (db/transaction.ts), which then rolls back.
      throw new RolledBack(await validateBatch({ db: tx, ...(clock ? { clock } : {}) }, { ...input, workflowId: batchWorkflowId(input.batchId) }));
    });
  } catch (e) {
    if (e instanceof RolledBack) return e.result;
    throw e;
  }
  throw new Error('unreachable: the review transaction always rolls back');
}

/** A person under review: their manager (who may be offered as successor) and any running claim. */
export type ReviewPerson = {
  id: number;
  name: string;
  managerId: number | null;
  managerName: string | null;
  managerActive: boolean | null;
  /** The batch of their running offboarding ('' for one started alone); null when none runs. */
  claim: string | null;
};

export async function reviewPeople(db: Database, ids: readonly number[]): Promise<ReviewPerson[]> {
  if (ids.length === 0) return [];
  return db.execute<ReviewPerson>(sql`
    select u.id, u.name, m.id as "managerId", m.name as "managerName", m.status = 'active' as "managerActive",
           (select coalesce(o.batch_id, '') from offboardings o where o.user_id = u.id and o.ended_at is null) as claim
      from users u left join users m on m.id = u.manager_id
     where u.id = any(${intArrayParam(ids)})`);
}

/** A person a batch would offboard, with the open items they would have to hand over. */
export type ReviewedUser = { userId: number; name: string; email: string | null; managerId: number | null; managerName: string | null; items: OpenItem[] };

/** The users with their manager and open items, in the order given; an unknown ID comes back nameless. */
export async function reviewedPeople(db: Database, ids: readonly number[]): Promise<ReviewedUser[]> {
  const items = await scanOpenItems(db, ids);
  const rows = await usersWithManagers(db, ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const managerName = await userNames(db, rows.flatMap((r) => (r.managerId === null ? [] : [r.managerId])));
  return ids.map((userId) => {
    const r = byId.get(userId);
    return {
      userId,
      name: r?.name ?? '',
      email: r?.email ?? null,
      managerId: r?.managerId ?? null,
      managerName: r?.managerId ? (managerName.get(r.managerId) ?? null) : null,
      items: items.filter((i) => i.userId === userId),
    };
  });
}
