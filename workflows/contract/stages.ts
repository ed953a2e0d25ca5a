// Where a user's offboarding is. The search attribute OffboardingStage holds these words.

export const USER_STAGES = [
  'validating',
  'awaiting-reassignment',
  'waiting-effective-date',
  'inactivating',
  'inactivated',
  'removed',
  'cancelled',
  'failed',
] as const;
export type UserStage = (typeof USER_STAGES)[number];
export const FINAL_STAGES: readonly UserStage[] = ['inactivated', 'removed', 'cancelled', 'failed'];
