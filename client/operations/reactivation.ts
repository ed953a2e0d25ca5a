// Reactivating an inactive user (the "Inactive Users" view's Reactivate): a workflow checks the actor
// against the database, reactivates, audits and tells the people concerned.
import { randomUUID } from 'node:crypto';
import {
  reactivationWorkflowId,
  REASON_RULE,
  refuse,
  textProblem,
  type UserReactivationInput,
  type UserReactivationResult,
} from '../../workflows/contract';
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
  try {
    return await client.workflow.execute<typeof userReactivation>('userReactivation', {
      workflowId,
      taskQueue: ctx.taskQueue,
      args: [input],
      staticSummary: `Reactivate user ${user.id} (by user ${actorId})`,
    });
  } catch (e) {
    // The same request again (a retried POST): answer with the first one's result.
    if (e instanceof Error && e.name === 'WorkflowExecutionAlreadyStartedError') {
      return client.workflow.getHandle<typeof userReactivation>(workflowId).result();
    }
    throw e;
  }
}
