// The first run's validation: the requester may start a batch, and which users are accepted (queued)
// or rejected (unknown, duplicate, already inactive, …). A run continued as new carries the answer.
import { log } from '@temporalio/workflow';
import { domain } from '../activity-proxies';
import { refusalOf } from '../contract';
import type { BatchRun } from './run';

export async function validate(batch: BatchRun): Promise<void> {
  const { input } = batch;
  try {
    const v = await domain.validateBatch({
      batchId: input.batchId,
      workflowId: batch.workflowId,
      requestedBy: input.requestedBy,
      userIds: input.userIds,
      effectiveAt: input.effectiveAt,
      reason: input.reason,
      successors: input.successors,
      // Absent for HR's batches (and in every recorded history): a field of the activity's input adds no command.
      ...(input.company !== undefined ? { company: input.company } : {}),
    });
    batch.adminIds = v.adminIds;
    batch.rejected = v.rejected;
    for (const userId of v.accepted) {
      batch.rows.set(userId, { userId, stage: 'queued', openItems: 0, waitingSince: null, remindersSent: 0, result: null });
      batch.queue.push(userId);
    }
  } catch (err) {
    // The requester may not start a batch at all: the workflow fails with the refusal.
    if (refusalOf(err)) log.warn('batch refused', { error: String(err) });
    throw err;
  }
  // A cancel that arrived before we knew the admins is honoured only if it came from one.
  if (batch.cancelledBy !== null && !batch.adminIds.includes(batch.cancelledBy)) batch.cancelledBy = null;
}
