// Workflow IDs: a user's offboarding is `offboarding-user-<id>`, so one user is never offboarded twice
// at once; a batch is `offboarding-batch-<batchId>`. No personal data in IDs.

export const batchWorkflowId = (batchId: string) => `offboarding-batch-${batchId}`;
export const userWorkflowId = (userId: number) => `offboarding-user-${userId}`;
export const reactivationWorkflowId = (userId: number, requestId: string) => `reactivation-user-${userId}-${requestId}`;

/** Only safe positive int4 values reach SQL; anything else cannot be a user ID. */
export function isUserId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= 2_147_483_647;
}

export const BATCH_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
