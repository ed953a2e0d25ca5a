// Reactivation: the activity checks the admin rule against the database (company admin, or admin of
// the project-level directory of one of the user's projects), audits, and the user's people are told.
import { log, workflowInfo } from '@temporalio/workflow';
import { domain } from './activity-proxies';
import { deliverNotification } from './email-delivery';
import type { UserReactivationInput, UserReactivationResult } from './contract';

export async function userReactivation(input: UserReactivationInput): Promise<UserReactivationResult> {
  const { workflowId } = workflowInfo();
  const res = await domain.reactivateUser({
    userId: input.userId,
    actorId: input.by,
    reason: input.reason,
    workflowId,
    requestId: input.requestId,
  });
  const sent = await deliverNotification({
    idempotencyKey: `${workflowId}:reactivated`,
    workflowId,
    notification: { kind: 'reactivated', userId: input.userId, by: input.by, reason: input.reason },
  });
  if (!sent) log.error('reactivation notice given up after a day of delivery rounds');
  return { userId: input.userId, reactivatedAt: res.reactivatedAt };
}
