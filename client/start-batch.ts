// How a batch is started, wherever it is started from (the CLI, tests, benchmarks): one batch ID is
// one batch, the longer workflow task timeout, and a summary that reads well in the Web UI.
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { offboardingBatch } from '../workflows/offboarding-batch';
import { BATCH_WORKFLOW_TASK_TIMEOUT, batchWorkflowId, type OffboardingBatchInput } from '../workflows/contract';

export function startBatchWorkflow(
  client: Client,
  taskQueue: string,
  input: OffboardingBatchInput,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof offboardingBatch>> {
  return client.workflow.start<typeof offboardingBatch>('offboardingBatch', {
    workflowId: batchWorkflowId(input.batchId),
    taskQueue,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    workflowTaskTimeout: BATCH_WORKFLOW_TASK_TIMEOUT,
    staticSummary: `Offboarding batch ${input.batchId}: ${input.userIds.length} user(s), requested by user ${input.requestedBy}`,
  });
}
