// Reactivation: the activity checks the admin rule against the database (company admin, or admin of
// the project-level directory of one of the user's projects), audits, and the user's people are told.
// Callers wait on reactivationRecordedUpdate (sent with the start), which answers as soon as the
// reactivation is recorded or refused; the email may take much longer when mail is down.
import { allHandlersFinished, condition, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { domain } from './activity-proxies';
import { deliverNotification } from './email-delivery';
import { asUpdateFailure, reactivationRecordedUpdate, type UserReactivationInput, type UserReactivationResult } from './contract';

export async function userReactivation(input: UserReactivationInput): Promise<UserReactivationResult> {
  const { workflowId } = workflowInfo();
  let outcome: { result: UserReactivationResult } | { failure: unknown } | undefined;
  setHandler(reactivationRecordedUpdate, async () => {
    await condition(() => outcome !== undefined);
    if (outcome && 'failure' in outcome) throw asUpdateFailure(outcome.failure);
    return (outcome as { result: UserReactivationResult }).result;
  });
  let result: UserReactivationResult;
  try {
    const res = await domain.reactivateUser({
      userId: input.userId,
      actorId: input.by,
      reason: input.reason,
      workflowId,
      requestId: input.requestId,
    });
    result = { userId: input.userId, reactivatedAt: res.reactivatedAt };
    outcome = { result };
  } catch (err) {
    outcome = { failure: err };
    await condition(allHandlersFinished);
    throw err;
  }
  const sent = await deliverNotification({
    idempotencyKey: `${workflowId}:reactivated`,
    workflowId,
    notification: { kind: 'reactivated', userId: input.userId, by: input.by, reason: input.reason },
  });
  if (!sent) log.error('reactivation notice given up after a day of delivery rounds');
  await condition(allHandlersFinished);
  return result;
}
