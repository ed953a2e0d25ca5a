// An identity-provider connection (SCIM) and the offboarding policy its batches run with, chosen by
// the IT admin who creates the connection: the same options HR gives on the review page or
// `offboard start`, in days, plus who takes over a leaver's items (their manager, or nobody).
import { z } from 'zod';
import { DEADLINE_ACTIONS } from '../workflows/contract';

export const SUCCESSOR_CHOICES = ['manager', 'none'] as const;

export const connectionPolicySchema = z
  .object({
    reason: z.string().trim().min(1).max(500),
    remindEveryDays: z.number().int().min(1).max(30).optional(),
    escalateAfterDays: z.number().int().min(1).max(90).optional(),
    deadlineDays: z.number().int().min(1).max(365).optional(),
    deadlineAction: z.enum(DEADLINE_ACTIONS).optional(),
    successor: z.enum(SUCCESSOR_CHOICES).default('manager'),
  })
  .strict();

export type ConnectionPolicy = z.infer<typeof connectionPolicySchema>;

/** What the intake needs to know of a connection to start its batches. */
export type IdentityConnection = {
  id: number;
  name: string;
  /** The company its people belong to (users.company). */
  company: string;
  /** The company directory admin in whose name its batches run (checked at request time). */
  adminUserId: number;
  policy: ConnectionPolicy;
};
