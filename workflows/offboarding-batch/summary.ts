// The end of a batch: once every child has ended, what became of each user, emailed to the requester
// and returned as the workflow's result.
import { allHandlersFinished, condition, log, workflowInfo } from '@temporalio/workflow';
import type { BatchSummary } from '../contract';
import { deliverNotification } from '../email-delivery';
import type { BatchRun } from './run';
import type { BatchWindow } from './window';

export async function finish(batch: BatchRun, window: BatchWindow): Promise<BatchSummary> {
  const { input, workflowId } = batch;
  // Only when there is something to wait for: an extra await would reorder this activation's
  // commands and break replay of histories recorded before this step existed.
  if (window.releases.length > 0) await Promise.all(window.releases);
  batch.phase = 'finished';
  batch.details.refresh();
  // What ended since the last round goes to managers and new owners before HR's summary.
  if (batch.digests) await batch.digests.close();
  const summary: BatchSummary = {
    batchId: input.batchId,
    requestedBy: input.requestedBy,
    inactivated: [],
    removed: [],
    cancelled: [],
    failed: [],
    rejected: batch.rejected,
  };
  for (const r of batch.rows.values()) {
    if (r.stage === 'inactivated') summary.inactivated.push(r.userId);
    else if (r.stage === 'removed') summary.removed.push(r.userId);
    else if (r.stage === 'cancelled') summary.cancelled.push(r.userId);
    else summary.failed.push({ userId: r.userId, reason: r.result ?? r.stage });
  }
  const sent = await deliverNotification({
    idempotencyKey: `${workflowId}/${workflowInfo().firstExecutionRunId}:batch-summary`,
    workflowId,
    notification: { kind: 'batch-summary', batchId: input.batchId, requestedBy: input.requestedBy, summary },
  });
  if (!sent) log.error('batch summary email given up after a day of delivery rounds');
  await condition(allHandlersFinished);
  return summary;
}
