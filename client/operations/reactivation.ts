// Reactivating an inactive user (the "Inactive Users" view's Reactivate): a workflow checks the actor
// against the database, reactivates, audits and tells the people concerned.
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import {
  reactivationRecordedUpdate,
  reactivationWorkflowId,
  REASON_RULE,
  textProblem,
  type UserReactivationInput,
  type UserReactivationResult,
} from '../../workflows/contract';
import { refuse } from '../../domain/refusal';
import type { userReactivation } from '../../workflows/user-reactivation';
import type { OperationsContext } from './context';

export type Reactivatable = { id: number; name: string; status: 'active' | 'inactive' };

/** `requestId` makes a repeated request (a double submit) reactivate once. */
export async function reactivateUser(
  ctx: OperationsContext,
  actorId: number,
  user: Reactivatable,
  reason: string | null,
  options: { requestId?: string } = {},
): Promise<UserReactivationResult> {
  const problem = reason === null ? undefined : textProblem(reason, REASON_RULE);
  if (problem) refuse('INVALID_INPUT', problem.message);
  if (user.status === 'active') refuse('USER_ALREADY_ACTIVE', `${user.name} (${user.id}) is already active.`);
  const requestId = options.requestId ?? randomUUID();
  const input: UserReactivationInput = { userId: user.id, by: actorId, reason, requestId };
  const client = await ctx.temporal();
  const workflowId = reactivationWorkflowId(user.id, requestId);
  // Start and ask in one call; the answer comes once the reactivation is recorded, not once its email
  // is delivered. The same request while it runs joins it (USE_EXISTING).
  const start = new WithStartWorkflowOperation<typeof userReactivation>('userReactivation', {
    workflowId,
    taskQueue: ctx.taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    staticSummary: `Reactivate user ${user.id} (by user ${actorId})`,
  });
  try {
    return await client.workflow.executeUpdateWithStart(reactivationRecordedUpdate, { startWorkflowOperation: start });
  } catch (e) {
    // The same request after it ended (a retried POST): answer with the first one's result.
    if (e instanceof WorkflowExecutionAlreadyStartedError) {
      return client.workflow.getHandle<typeof userReactivation>(workflowId).result();
    }
    throw e;
  }
}
