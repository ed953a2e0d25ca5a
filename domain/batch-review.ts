// The batch review (the CLI's `start --dry-run` and pre-flight, the web's review page): the very same
// validation the batch workflow runs (batch-validation.ts), inside a transaction that is always
// rolled back, so the answer is identical and nothing is claimed.
import type { Database } from '../db/client';
import { batchWorkflowId, type ValidateBatchInput, type ValidateBatchResult } from '../workflows/contract';
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
