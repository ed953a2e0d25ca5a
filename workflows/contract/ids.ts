// Workflow IDs: a user's offboarding is `offboarding-user-<id>`, so one user is never offboarded twice
// at once; a batch is `offboarding-batch-<batchId>`. No personal data in IDs.

export const batchWorkflowId = (batchId: string) => `offboarding-batch-${batchId}`;
export const userWorkflowId = (userId: number) => `offboarding-user-${userId}`;
export const reactivationWorkflowId = (userId: number, requestId: string) => `reactivation-user-${userId}-${requestId}`;

/** Only safe positive int4 values reach SQL; anything else cannot be a user ID. */
export function isUserId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= 2_147_483_647;
}

/** An ID as a person or a form writes it: digits only, no sign, space, exponent, hex, fraction or leading zero. */
const ID_TEXT = /^[1-9][0-9]{0,9}$/;

/**
 * The ID `text` spells, or undefined: the one reading of user, project and other IDs typed into the
 * CLI or sent by a page ("1e1", "0x12", " 12", "12x", "+12", "0" and anything past int4 name nothing).
 */
export function parseIdText(text: unknown): number | undefined {
  if (typeof text !== 'string' || !ID_TEXT.test(text)) return undefined;
  const id = Number(text);
  return isUserId(id) ? id : undefined;
}

export const BATCH_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
