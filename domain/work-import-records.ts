// What a company's tools send in (domain/work-import.ts): projects, project members and the seven
// tools' items, as zod schemas — the one definition the CLI's file lines and, later, the JSON API's
// request bodies are checked against. Unknown fields are refused (`strict`), so a misspelt field is
// an error, not a silently dropped value. Roles are checked by the import, not here, so that a role
// the tool does not have is refused with its own code (ROLE_NOT_IN_TOOL), not as malformed input.
import { z } from 'zod';
import {
  defectStatus,
  directoryPermission,
  inspectionStatus,
  meetingItemStatus,
  observationStatus,
  projectStatus,
  rfiStatus,
  submittalStatus,
} from '../db/schema';

/** At most this many records per call (the JSON API's request limit; the CLI sends this many at a time). */
export const MAX_IMPORT_RECORDS = 1000;

/** PostgreSQL's text holds no NUL, and JSON can carry half a surrogate pair: both are refused here, not by the database. */
const HALF_SURROGATE = /\p{Cs}/u;
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !v.includes('\u0000') && !HALF_SURROGATE.test(v), 'must not contain a NUL character or half a surrogate pair');
const externalId = text(200);
/** A project is named by its number (projects.number), as the tools know it. */
const projectNumber = text(100);

/** A person by their email, or by their identity provider's ID (the SCIM externalId). */
const PERSON_SHAPE = 'must be {"email": …} or {"externalId": …}';
const IN_ROLE_SHAPE = 'must be {"role": …, "email": …} or {"role": …, "externalId": …}';

export const personRefSchema = z.union([z.object({ email: z.email('must be an email address').max(320) }).strict(), z.object({ externalId }).strict()], {
  error: PERSON_SHAPE,
});
export type PersonRef = z.infer<typeof personRefSchema>;

/** A person in a role of the item's tool (the tool:role table, domain/tool-roles.ts). */
export const personInRoleSchema = z.union(
  [z.object({ role: text(40), email: z.email('must be an email address').max(320) }).strict(), z.object({ role: text(40), externalId }).strict()],
  { error: IN_ROLE_SHAPE },
);
export type PersonInRole = z.infer<typeof personInRoleSchema>;

export const projectRecordSchema = z
  .object({
    kind: z.literal('project'),
    number: projectNumber,
    name: text(200),
    status: z.enum(projectStatus.enumValues).default('active'),
  })
  .strict();

export const memberRecordSchema = z
  .object({
    kind: z.literal('member'),
    project: projectNumber,
    person: personRefSchema,
    permission: z.enum(directoryPermission.enumValues).default('standard'),
  })
  .strict();

const itemBase = {
  externalId,
  project: projectNumber,
  people: z.array(personInRoleSchema).max(50, 'at most 50 people per item'),
};
const numbered = { ...itemBase, number: text(100), title: text(500) };

/** Each tool's item fields, once: the file's item records add `kind`, the JSON API's items are these as they are. */
const ITEM_FIELDS = {
  rfi: { ...numbered, tool: z.literal('rfi'), status: z.enum(rfiStatus.enumValues) },
  submittal: { ...numbered, tool: z.literal('submittal'), status: z.enum(submittalStatus.enumValues) },
  observation: { ...numbered, tool: z.literal('observation'), status: z.enum(observationStatus.enumValues) },
  'meeting-item': {
    ...numbered,
    tool: z.literal('meeting-item'),
    status: z.enum(meetingItemStatus.enumValues),
    // Meeting items belong to a meeting (its project is the item's project): upserted by its external ID.
    meeting: z.object({ externalId, title: text(500), date: z.iso.date('must be a date like 2026-01-31') }).strict(),
  },
  inspection: { ...numbered, tool: z.literal('inspection'), status: z.enum(inspectionStatus.enumValues), responsibleContractor: text(200).optional() },
  defect: { ...numbered, tool: z.literal('defect'), status: z.enum(defectStatus.enumValues) },
  // A timecard entry: `final` is the final entry an employee's offboarding waits for.
  timecard: {
    ...itemBase,
    tool: z.literal('timecard'),
    status: z.enum(['entry', 'final']),
    workDate: z.iso.date('must be a date like 2026-01-31'),
    hours: z.number().min(0).max(24),
  },
} as const;
const TOOL_SHAPE = 'must be one of rfi, submittal, observation, meeting-item, inspection, defect, timecard';
const record = <S extends z.ZodRawShape>(shape: S) => z.object({ kind: z.literal('item'), ...shape }).strict();
const item = <S extends z.ZodRawShape>(shape: S) => z.object(shape).strict();
const F = ITEM_FIELDS;

export const itemRecordSchema = z.discriminatedUnion(
  'tool',
  [record(F.rfi), record(F.submittal), record(F.observation), record(F['meeting-item']), record(F.inspection), record(F.defect), record(F.timecard)],
  { error: TOOL_SHAPE },
);

/** An item without `kind` (the JSON API's bulk upsert: every element is an item). */
export const itemSchema = z.discriminatedUnion(
  'tool',
  [item(F.rfi), item(F.submittal), item(F.observation), item(F['meeting-item']), item(F.inspection), item(F.defect), item(F.timecard)],
  { error: TOOL_SHAPE },
);
export type Item = z.infer<typeof itemSchema>;

export const importRecordSchema = z.discriminatedUnion('kind', [projectRecordSchema, memberRecordSchema, itemRecordSchema], {
  error: 'must be one of project, member, item',
});

export type ProjectRecord = z.infer<typeof projectRecordSchema>;
export type MemberRecord = z.infer<typeof memberRecordSchema>;
export type ItemRecord = z.infer<typeof itemRecordSchema>;
export type ImportRecord = z.infer<typeof importRecordSchema>;

/** One call's records: at most MAX_IMPORT_RECORDS, in the order they are answered. */
export const importRequestSchema = z
  .object({ records: z.array(importRecordSchema).max(MAX_IMPORT_RECORDS, `at most ${MAX_IMPORT_RECORDS} records per call`) })
  .strict();
export type ImportRequest = z.infer<typeof importRequestSchema>;

/** The first problem of a failed parse, as a sentence naming the field (`people.0.role: must not be empty`). */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'is not valid';
  const where = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${where ? ` in ${where}` : ''}`;
  return where ? `${where}: ${issue.message}` : issue.message;
}
