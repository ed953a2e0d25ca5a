// The JSON API's contract: the zod schemas that validate each request are the ones the OpenAPI 3.1
// document is generated from (@hono/zod-openapi), so the document cannot drift from what is checked.
// Request bodies are strict: an unknown field is refused, not ignored (a typo would otherwise be
// silently dropped, e.g. a misspelt "force").
import { z } from '@hono/zod-openapi';
import { BATCH_ID_PATTERN, BATCH_STATUS_PAGE, DEADLINE_ACTIONS, MAX_REASON_LENGTH, TOOLS } from '../../../workflows/contract';

const MAX_BATCH_USERS = 1_000;

export const UserRef = z
  .union([z.number().int().min(1).max(2_147_483_647), z.string().min(3).max(320).regex(/@/, 'must be an email address')])
  .openapi('UserRef', { description: 'A user by numeric ID or by email address.', example: 'pat@example.com' });

export const BatchIdParam = z.object({
  batchId: z
    .string()
    .regex(BATCH_ID_PATTERN, 'must be a batch ID')
    .openapi({ param: { name: 'batchId', in: 'path' }, example: 'b-20260101-a1b2c3' }),
});

export const UserIdParam = z.object({
  userId: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, 'must be a user ID')
    .transform(Number)
    .refine((n) => n <= 2_147_483_647, 'must be a user ID')
    .openapi({ param: { name: 'userId', in: 'path' }, type: 'string', example: '42' }),
});

export const IdempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters')
    .optional()
    .openapi({ param: { name: 'idempotency-key', in: 'header' }, description: 'The same key and body answer the first response again; the same key with another body is refused (422).' }),
});

export const Policy = z
  .object({
    remindEveryDays: z.number().int().min(1).max(30).optional(),
    escalateAfterDays: z.number().int().min(1).max(90).optional(),
    deadlineDays: z.number().int().min(1).max(365).optional(),
    deadlineAction: z.enum(DEADLINE_ACTIONS).optional(),
    force: z.boolean().optional().openapi({ description: 'Inactivate even with open items (they stay assigned to the person, recorded in the result).' }),
  })
  .strict()
  .openapi('Policy');

export const StartBatchBody = z
  .object({
    users: z.array(UserRef).min(1).max(MAX_BATCH_USERS),
    batchId: z.string().regex(BATCH_ID_PATTERN, 'must be a batch ID').optional(),
    reason: z.string().max(MAX_REASON_LENGTH).optional(),
    effectiveAt: z.string().max(40).optional().openapi({ description: 'Inactivate no earlier than this future ISO 8601 date-time.', example: '2030-01-31T17:00:00Z' }),
    successors: z
      .array(z.object({ user: UserRef, successor: UserRef }).strict())
      .max(MAX_BATCH_USERS)
      .optional(),
    policy: Policy.optional(),
    dryRun: z.boolean().optional().openapi({ description: 'Review only (who would be offboarded, who is skipped and why, open items); starts nothing.' }),
  })
  .strict()
  .openapi('StartBatch');
export type StartBatchBody = z.infer<typeof StartBatchBody>;

export const OpenItem = z
  .object({
    key: z.string(),
    tool: z.enum(TOOLS),
    role: z.string(),
    itemId: z.number(),
    projectId: z.number().nullable(),
    projectName: z.string().nullable(),
    number: z.string(),
    title: z.string(),
    status: z.string(),
    userId: z.number(),
  })
  .openapi('OpenItem');

export const Rejection = z.object({ userId: z.number(), code: z.string(), message: z.string() }).openapi('Rejection');

export const BatchUser = z
  .object({
    userId: z.number(),
    stage: z.string(),
    openItems: z.number(),
    waitingSince: z.string().nullable(),
    remindersSent: z.number(),
    result: z.string().nullable(),
  })
  .openapi('BatchUser');

export const Batch = z
  .object({
    batchId: z.string(),
    requestedBy: z.number(),
    phase: z.enum(['validating', 'running', 'finished']),
    total: z.number(),
    counts: z.record(z.string(), z.number()),
    users: z.array(BatchUser),
    rejected: z.array(Rejection),
  })
  .openapi('Batch');

export const StartedBatch = z.object({ created: z.boolean(), batch: Batch }).openapi('StartedBatch');

/** GET /batches/{batchId}: the batch with one page of its people; nextCursor for the next page. */
export const BatchWithPeople = Batch.extend({
  nextCursor: z.string().nullable().openapi({ description: 'Pass it as cursor for the next page of the batch’s people; null on the last page.' }),
}).openapi('BatchWithPeople');

export const BatchReview = z
  .object({
    dryRun: z.literal(true),
    batchId: z.string(),
    existing: z.boolean(),
    users: z.array(
      z.object({ userId: z.number(), name: z.string(), email: z.string().nullable(), managerId: z.number().nullable(), items: z.array(OpenItem) }),
    ),
    skipped: z.array(Rejection),
  })
  .openapi('BatchReview');

export const BatchListing = z
  .object({
    batchId: z.string(),
    requestedBy: z.object({ id: z.number(), name: z.string() }),
    startedAt: z.string(),
    users: z.number(),
    running: z.number(),
    inactivated: z.number(),
    removed: z.number(),
    cancelled: z.number(),
    failed: z.number(),
    endedAt: z.string().nullable(),
  })
  .openapi('BatchListing');

const limit = (max: number, fallback: number) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,3}$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .refine((n) => n <= max, `must be a whole number from 1 to ${max}`)
    .optional()
    .openapi({ type: 'string', description: `Page size, 1 to ${max} (default ${fallback}).` });

const cursor = z.string().max(500).optional().openapi({ description: 'The nextCursor of the previous page.' });

export const BatchListQuery = z.object({ cursor, limit: limit(200, 50), running: z.enum(['true', 'false']).optional() }).strict();

/** The batch's people page by page (input order); `offset` is the older way in, kept for callers that use it. */
export const BatchQuery = z
  .object({
    cursor,
    limit: limit(BATCH_STATUS_PAGE, BATCH_STATUS_PAGE),
    offset: z
      .string()
      .regex(/^[0-9]{1,7}$/, 'must be a whole number')
      .transform(Number)
      .optional()
      .openapi({ type: 'string', description: 'Start at this person (0 = the first); prefer cursor. Not with cursor.' }),
  })
  .strict()
  .refine((q) => q.cursor === undefined || q.offset === undefined, { message: 'give cursor or offset, not both', path: ['offset'] });

export const BatchPage = z.object({ items: z.array(BatchListing), nextCursor: z.string().nullable() }).openapi('BatchPage');

export const ReportQuery = z
  .object({
    cursor,
    limit: limit(1000, 200),
    userId: z.string().regex(/^[1-9][0-9]{0,9}$/, 'must be a user ID').optional(),
    tool: z.enum(TOOLS).optional(),
    projectId: z.string().regex(/^[1-9][0-9]{0,9}$/, 'must be a project ID').optional(),
  })
  .strict();

export const ReportRow = OpenItem.extend({ userName: z.string(), userStatus: z.enum(['active', 'inactive']) }).openapi('ReportRow');
export const ReportPage = z.object({ items: z.array(ReportRow), total: z.number(), nextCursor: z.string().nullable() }).openapi('ReportPage');

export const OpenItems = z.object({ userId: z.number(), items: z.array(OpenItem) }).openapi('OpenItems');

export const RemoveBody = z.object({ user: UserRef }).strict().openapi('RemoveFromBatch');
export const Composition = z.object({ batchId: z.string(), userIds: z.array(z.number()), removed: z.array(z.number()) }).openapi('BatchComposition');

export const ReactivateBody = z.object({ reason: z.string().max(MAX_REASON_LENGTH).optional() }).strict().openapi('Reactivate');
export const Reactivated = z.object({ userId: z.number(), reactivatedAt: z.string() }).openapi('Reactivated');

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string(),
    instance: z.string(),
    code: z.string().openapi({ description: 'The product’s refusal code (e.g. ALREADY_IN_OFFBOARDING) or the API’s (UNAUTHORIZED, MISSING_SCOPE, RATE_LIMITED, IDEMPOTENCY_KEY_REUSED, …).' }),
    hint: z.string(),
  })
  .openapi('Problem');
