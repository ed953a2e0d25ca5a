// The batch review (`start --dry-run`, and the pre-flight of `start`): the very same validation the
// batch workflow runs (activities/batch-validation.ts), inside a transaction that is always rolled
// back, so the answer is identical and nothing is claimed.
import { validateBatch } from '../activities/batch-validation';
import type { ValidateBatchResult } from '../workflows/contract';
import type { Database } from '../db/client';
import { batchWorkflowId } from '../workflows/contract';

class RolledBack extends Error {
  constructor(readonly result: ValidateBatchResult) {
    super('review rolled back');
  }
}

export async function reviewBatch(
  db: Database,
  input: { batchId: string; requestedBy: number; userIds: number[]; reason: string | null; effectiveAt: string | null; successors: Record<string, number> },
): Promise<ValidateBatchResult> {
  try {
    await db.transaction(async (tx) => {
      // validateBatch opens its own transaction: on `tx` that is a savepoint inside ours. The
      // transaction handle offers everything validateBatch uses (transaction/execute/select).
      const result = await validateBatch(
        { db: tx as unknown as Database },
        { ...input, workflowId: batchWorkflowId(input.batchId) },
      );
      throw new RolledBack(result);
    });
  } catch (e) {
    if (e instanceof RolledBack) return e.result;
    throw e;
  }
  throw new Error('unreachable: the review transaction always rolls back');
}
