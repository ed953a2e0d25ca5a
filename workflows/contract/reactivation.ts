// The reactivation workflow's input and result.
export type UserReactivationInput = { userId: number; by: number; reason: string | null; requestId: string };
export type UserReactivationResult = { userId: number; reactivatedAt: string };
