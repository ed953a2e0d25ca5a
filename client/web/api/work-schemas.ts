// The JSON API's "work comes in" contract: projects with their members, and the seven tools' items in
// bulk. The fields are the import's own zod schemas (domain/work-import-records.ts) — the ones
// `offboard import` checks its file lines against — so the document, the API and the CLI cannot
// disagree about what an item is.
// `.clone()` before `.openapi()` on the domain's schemas: zod 4 gives `.openapi` only to schemas made
// after @hono/zod-openapi extended zod, and the domain's may have been made before (a process that
// loaded the import first: a CLI, or a test worker that ran an import test earlier).
import { z } from '@hono/zod-openapi';
import { itemSchema, MAX_IMPORT_RECORDS, memberRecordSchema, projectRecordSchema } from '../../../domain/work-import-records';
import { TOOLS } from '../../../workflows/contract';
import { largestJsonBytes } from './largest-json';

/** The project's number (projects.number), as the tools know it; the path carries it URL-encoded. */
export const ProjectNumberParam = z.object({
  number: projectRecordSchema.shape.number.clone().openapi({ param: { name: 'number', in: 'path' }, example: 'P-100' }),
});

export const ProjectMember = memberRecordSchema.omit({ kind: true, project: true }).openapi('ProjectMember', {
  description: 'A member by email or by the identity provider’s ID (SCIM externalId), with their permission on the project.',
});

export const PutProjectBody = projectRecordSchema
  .omit({ kind: true, number: true })
  .extend({
    members: z
      .array(ProjectMember)
      .max(MAX_IMPORT_RECORDS - 1, `at most ${MAX_IMPORT_RECORDS - 1} members a request`)
      .optional()
      .openapi({ description: 'Added or updated; members not named here stay members.' }),
  })
  .strict()
  .openapi('PutProject');

export const Outcome = z.enum(['created', 'updated', 'unchanged', 'refused']).openapi('ImportOutcome');

const refusal = {
  code: z.string().optional().openapi({ description: 'When refused: the refusal code (USER_NOT_FOUND, PROJECT_NOT_FOUND, ROLE_NOT_IN_TOOL, INVALID_INPUT).' }),
  message: z.string().optional().openapi({ description: 'When refused: what is wrong, naming the field or the value.' }),
};

export const MemberResult = z.object({ index: z.number(), member: z.string(), outcome: Outcome, ...refusal }).openapi('MemberResult');

export const PutProjectAnswer = z
  .object({
    project: z.object({ number: z.string(), outcome: Outcome, ...refusal }),
    members: z.array(MemberResult),
  })
  .openapi('ProjectUpserted');

export const BulkItem = itemSchema.clone().openapi('Item', {
  description: 'One of the seven tools’ items, identified by (tool, externalId); its people in the roles of the tool (rfi: manager, assignee; submittal: manager, approver; observation: assignee; meeting-item: assignee; inspection: point-of-contact; defect: assigned-to; timecard: employee).',
});

export const BulkItemsBody = z
  .object({
    items: z.array(BulkItem).min(1, 'must name at least one item').max(MAX_IMPORT_RECORDS, `at most ${MAX_IMPORT_RECORDS} items a request`),
  })
  .strict()
  .openapi('BulkItems');

const MIB = 1024 * 1024;
/**
 * POST /items/bulk's body limit: MAX_IMPORT_RECORDS items with every field at its maximum fit (~80 MB
 * of JSON, largest-json.ts), rounded up to a whole MiB, plus 4 MiB for whitespace (a body
 * pretty-printed with indents). The API's 1 MiB would refuse 1,000 items with long titles or many people.
 */
export const MAX_BULK_ITEMS_BODY_BYTES = (Math.ceil(largestJsonBytes(BulkItemsBody) / MIB) + 4) * MIB;

export const ItemResult = z
  .object({ index: z.number(), tool: z.enum(TOOLS), externalId: z.string(), outcome: Outcome, ...refusal })
  .openapi('ItemResult');

export const BulkItemsAnswer = z
  .object({
    counts: z.object({ created: z.number(), updated: z.number(), unchanged: z.number(), refused: z.number() }),
    items: z.array(ItemResult),
    heldByInactiveUser: z
      .array(z.object({ index: z.number(), tool: z.enum(TOOLS), externalId: z.string(), itemId: z.number(), role: z.string(), userId: z.number() }))
      .openapi({ description: 'Open items now held by an inactive person: accepted, and shown in the Assignment Report as held by an inactive user.' }),
    rechecks: z
      .array(z.object({ userId: z.number(), rechecked: z.boolean(), note: z.string().optional() }))
      .openapi({ description: 'People named on these items who are being offboarded: their offboarding was asked to re-check its open items.' }),
  })
  .openapi('ItemsUpserted');
