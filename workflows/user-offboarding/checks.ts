// The check every manager's update starts with, in its validator: a well-formed actor who may act on
// this user's items (as far as the permissions loaded at the start tell), while the offboarding
// waits for reassignment. The activities behind the updates ask the database again.
import { refusal } from '../contract';
import type { OffboardingRun } from './run';

export function assertWaitingAndAllowed(run: OffboardingRun, by: unknown): void {
  const { input, state } = run;
  if (!Number.isSafeInteger(by) || (by as number) <= 0) {
    throw refusal('INVALID_INPUT', `"by" must be a positive user ID, got ${JSON.stringify(by)}`);
  }
  if (state.stage !== 'awaiting-reassignment') {
    throw refusal('OFFBOARDING_NOT_WAITING', `user ${input.userId}'s offboarding is ${state.stage}, not awaiting reassignment`);
  }
  if (!run.mayAct(by as number)) {
    throw refusal('PERMISSION_DENIED', `user ${String(by)} is neither user ${input.userId}'s manager nor a directory admin`);
  }
}

/** The person who is to take items over is named by a positive user ID. */
export function assertTargetId(toUserId: unknown): asserts toUserId is number {
  if (!Number.isSafeInteger(toUserId) || (toUserId as number) <= 0) {
    throw refusal('INVALID_INPUT', `"toUserId" must be a positive user ID, got ${JSON.stringify(toUserId)}`);
  }
}
