// The company directory and the seven project tools whose open items block an inactivation.
// "Open" per tool is db/open-status.ts; the partial indexes use exactly those predicates, as the
// open-item scan does, so each scan branch is an index lookup per responsibility column.
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { ConnectionPolicy } from '../domain/connection-policy';
import { notClosed, responsePending, rfiOpen } from './open-status';

export const directoryPermission = pgEnum('directory_permission', ['none', 'read_only', 'standard', 'admin']);
export const userStatus = pgEnum('user_status', ['active', 'inactive']);
export const projectStatus = pgEnum('project_status', ['active', 'closed']);
export const rfiStatus = pgEnum('rfi_status', ['draft', 'open', 'closed']);
export const submittalStatus = pgEnum('submittal_status', ['draft', 'open', 'closed']);
export const approverResponse = pgEnum('approver_response', [
  'pending',
  'approved',
  'approved_as_noted',
  'revise_and_resubmit',
  'rejected',
]);
export const observationStatus = pgEnum('observation_status', ['initiated', 'ready_for_review', 'not_accepted', 'closed']);
export const meetingItemStatus = pgEnum('meeting_item_status', ['open', 'closed']);
export const inspectionStatus = pgEnum('inspection_status', ['not_started', 'in_progress', 'in_review', 'closed']);
export const defectStatus = pgEnum('defect_status', ['work_required', 'ready_for_review', 'not_accepted', 'closed']);
export const notificationStatus = pgEnum('notification_status', ['pending', 'sent', 'failed', 'no-recipients']);

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

/** What a SCIM provider sent that the directory keeps only to give it back (client/web/scim/user-resource.ts). */
export type ScimProfile = {
  name?: { formatted?: string; familyName?: string; givenName?: string };
  displayName?: string;
  emails?: { value: string; type?: string; primary?: boolean }[];
};

export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    email: text('email'),
    jobTitle: text('job_title'),
    isEmployee: boolean('is_employee').notNull().default(false),
    company: text('company').notNull(),
    directoryPermission: directoryPermission('directory_permission').notNull().default('standard'),
    managerId: integer('manager_id').references((): AnyPgColumn => users.id),
    status: userStatus('status').notNull().default('active'),
    inactivatedAt: timestamp('inactivated_at', { withTimezone: true }),
    inactivatedBy: integer('inactivated_by').references((): AnyPgColumn => users.id),
    inactivationReason: text('inactivation_reason'),
    inactivationWorkflowId: text('inactivation_workflow_id'),
    // What an identity provider (SCIM, client/web/scim/) keeps here. The connection that provisions the
    // person; its userName when that is not the email; its own ID (externalId) and the enterprise
    // employeeNumber; the manager as the provider named them when no user here has that SCIM ID yet.
    scimConnectionId: integer('scim_connection_id').references((): AnyPgColumn => connections.id),
    scimUserName: text('scim_user_name'),
    externalId: text('external_id'),
    employeeNumber: text('employee_number'),
    scimManagerRef: text('scim_manager_ref'),
    // The provider's own spelling of the name parts, displayName and emails, given back as sent (the
    // directory's name and email columns are what the product uses; they are derived from these).
    scimProfile: jsonb('scim_profile').$type<ScimProfile>(),
    // SCIM `active: false` (or DELETE): from this moment the person signs in nowhere and their sessions
    // end; the offboarding it starts decides when the status becomes inactive (never this marker).
    deprovisionedAt: timestamp('deprovisioned_at', { withTimezone: true }),
    // SCIM DELETE: the person answers 404 to SCIM from then on, and stays in the directory.
    scimDeletedAt: timestamp('scim_deleted_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('users_email_lower_unique').on(sql`lower(${t.email})`),
    index('users_manager_idx').on(t.managerId),
    index('users_status_idx').on(t.status),
    // The directory pages in name order (domain/directory-page.ts: keyset on (name, id)).
    index('users_name_id_idx').on(t.name, t.id),
    // HR's directory search (part of a name or an email, any case: ILIKE '%…%') and its company
    // filter and facet (migration 0007 creates the pg_trgm extension these need).
    index('users_name_trgm_idx').using('gin', t.name.op('gin_trgm_ops')),
    index('users_email_trgm_idx').using('gin', t.email.op('gin_trgm_ops')),
    index('users_company_name_id_idx').on(t.company, t.name, t.id),
    check('users_not_own_manager', sql`${t.managerId} is null or ${t.managerId} <> ${t.id}`),
    check(
      'users_inactive_has_timestamp',
      sql`${t.status} = 'active' or ${t.inactivatedAt} is not null`,
    ),
    // Lengths in code points, as workflows/contract/text.ts counts them (MAX_REASON_LENGTH).
    check('users_inactivation_reason_length', sql`char_length(${t.inactivationReason}) <= 500`),
    // SCIM's userName is unique across the service provider, case-insensitively (RFC 7643 §4.1.1): the
    // email unless the provider sent another userName. Also the index of `filter=userName eq "…"`.
    uniqueIndex('users_scim_user_name_unique').on(sql`lower(coalesce(${t.scimUserName}, ${t.email}))`),
    index('users_external_id_idx').on(t.externalId),
    check('users_scim_lengths', sql`char_length(${t.scimUserName}) <= 320 and char_length(${t.externalId}) <= 255 and char_length(${t.employeeNumber}) <= 255 and char_length(${t.scimManagerRef}) <= 255`),
  ],
);

export const projects = pgTable('projects', {
  id: serial('id').primaryKey(),
  number: text('number').notNull().unique(),
  name: text('name').notNull(),
  status: projectStatus('status').notNull().default('active'),
  ...timestamps,
});

export const projectMembers = pgTable(
  'project_members',
  {
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    directoryPermission: directoryPermission('directory_permission').notNull().default('standard'),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] }), index('project_members_user_idx').on(t.userId)],
);

export const rfis = pgTable(
  'rfis',
  {
    id: serial('id').primaryKey(),
    // The item's ID in the tool it was imported from (domain/work-import.ts): re-imports update it.
    externalId: text('external_id'),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    number: text('number').notNull(),
    subject: text('subject').notNull(),
    status: rfiStatus('status').notNull().default('draft'),
    managerId: integer('manager_id').references(() => users.id),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('rfis_external_id_unique').on(t.externalId),
    index('rfis_open_manager_idx').on(t.managerId).where(rfiOpen(t.status)),
    index('rfis_project_idx').on(t.projectId),
  ],
);

export const rfiAssignees = pgTable(
  'rfi_assignees',
  {
    rfiId: integer('rfi_id')
      .notNull()
      .references(() => rfis.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.rfiId, t.userId] }), index('rfi_assignees_user_idx').on(t.userId)],
);

export const submittals = pgTable(
  'submittals',
  {
    id: serial('id').primaryKey(),
    // The item's ID in the tool it was imported from (domain/work-import.ts): re-imports update it.
    externalId: text('external_id'),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    number: text('number').notNull(),
    title: text('title').notNull(),
    status: submittalStatus('status').notNull().default('draft'),
    managerId: integer('manager_id').references(() => users.id),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('submittals_external_id_unique').on(t.externalId),
    index('submittals_open_manager_idx').on(t.managerId).where(notClosed(t.status)),
    index('submittals_project_idx').on(t.projectId),
  ],
);

export const submittalApprovers = pgTable(
  'submittal_approvers',
  {
    submittalId: integer('submittal_id')
      .notNull()
      .references(() => submittals.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    response: approverResponse('response').notNull().default('pending'),
    respondedAt: timestamp('responded_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.submittalId, t.userId] }),
    index('submittal_approvers_pending_user_idx').on(t.userId).where(responsePending(t.response)),
  ],
);

export const observations = pgTable(
  'observations',
  {
    id: serial('id').primaryKey(),
    // The item's ID in the tool it was imported from (domain/work-import.ts): re-imports update it.
    externalId: text('external_id'),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    number: text('number').notNull(),
    title: text('title').notNull(),
    status: observationStatus('status').notNull().default('initiated'),
    assigneeId: integer('assignee_id').references(() => users.id),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('observations_external_id_unique').on(t.externalId),
    index('observations_open_assignee_idx').on(t.assigneeId).where(notClosed(t.status)),
    index('observations_project_idx').on(t.projectId),
  ],
);

export const meetings = pgTable(
  'meetings',
  {
    id: serial('id').primaryKey(),
    // The item's ID in the tool it was imported from (domain/work-import.ts): re-imports update it.
    externalId: text('external_id'),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    title: text('title').notNull(),
    meetingDate: date('meeting_date').notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('meetings_external_id_unique').on(t.externalId), index('meetings_project_idx').on(t.projectId)],
);

export const meetingItems = pgTable(
  'meeting_items',
  {
    id: serial('id').primaryKey(),
    // The item's ID in the tool it was imported from (domain/work-import.ts): re-imports update it.
    externalId: text('external_id'),
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id),
    number: text('number').notNull(),
    title: text('title').notNull(),
    status: meetingItemStatus('status').notNull().default('open'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('meeting_items_external_id_unique').on(t.externalId), index('meeting_items_meeting_idx').on(t.meetingId)],
);

export const meetingItemAssignees = pgTable(
  'meeting_item_assignees',
  {
    meetingItemId: integer('meeting_item_id')
      .notNull()
      .references(() => meetingItems.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
  },
  (t) => [
    primaryKey({ columns: [t.meetingItemId, t.userId] }),
    index('meeting_item_assignees_user_idx').on(t.userId),
  ],
);

export const inspections = pgTable(
  'inspections',
  {
    id: serial('id').primaryKey(),
    // The item's ID in the tool it was imported from (domain/work-import.ts): re-imports update it.
    externalId: text('external_id'),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    number: text('number').notNull(),
    title: text('title').notNull(),
    status: inspectionStatus('status').notNull().default('not_started'),
    responsibleContractor: text('responsible_contractor'),
    pointOfContactId: integer('point_of_contact_id').references(() => users.id),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('inspections_external_id_unique').on(t.externalId),
    index('inspections_open_poc_idx').on(t.pointOfContactId).where(notClosed(t.status)),
    index('inspections_project_idx').on(t.projectId),
  ],
);

export const defectItems = pgTable(
  'defect_items',
  {
    id: serial('id').primaryKey(),
    // The item's ID in the tool it was imported from (domain/work-import.ts): re-imports update it.
    externalId: text('external_id'),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    number: text('number').notNull(),
    title: text('title').notNull(),
    status: defectStatus('status').notNull().default('work_required'),
    assignedToId: integer('assigned_to_id').references(() => users.id),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('defect_items_external_id_unique').on(t.externalId),
    index('defect_items_open_assigned_idx').on(t.assignedToId).where(notClosed(t.status)),
    index('defect_items_project_idx').on(t.projectId),
  ],
);

// An employee's offboarding needs a final timecard entry; `is_final` marks it. The partial unique
// index allows at most one final entry per employee.
export const timecardEntries = pgTable(
  'timecard_entries',
  {
    id: serial('id').primaryKey(),
    // The item's ID in the tool it was imported from (domain/work-import.ts): re-imports update it.
    externalId: text('external_id'),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    workDate: date('work_date').notNull(),
    hours: numeric('hours', { precision: 5, scale: 2 }).notNull(),
    isFinal: boolean('is_final').notNull().default(false),
    recordedBy: integer('recorded_by').references(() => users.id),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('timecard_entries_external_id_unique').on(t.externalId),
    index('timecard_entries_user_idx').on(t.userId, t.workDate),
    uniqueIndex('timecard_entries_one_final_per_user').on(t.userId).where(sql`${t.isFinal}`),
    check('timecard_entries_hours_range', sql`${t.hours} >= 0 and ${t.hours} <= 24`),
  ],
);

// Append-only: a trigger (migration 0001) refuses UPDATE and DELETE. `request_id` makes writes
// idempotent: an activity retried with the same request finds its earlier row instead of writing twice.
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorId: integer('actor_id').references(() => users.id),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    subjectUserId: integer('subject_user_id').references(() => users.id),
    workflowId: text('workflow_id'),
    requestId: text('request_id'),
    before: jsonb('before'),
    after: jsonb('after'),
  },
  (t) => [
    uniqueIndex('audit_log_request_unique').on(t.requestId),
    index('audit_log_subject_idx').on(t.subjectUserId, t.at),
    index('audit_log_workflow_idx').on(t.workflowId),
    index('audit_log_entity_idx').on(t.entityType, t.entityId),
    // The HR page's last SCIM changes of each connection (client/web/scim/ writes `after.connectionId`).
    index('audit_log_scim_connection_idx').on(sql`((${t.after} ->> 'connectionId')::int)`, t.id).where(sql`${t.action} like 'scim.%'`),
    // What people wrote, in code points as workflows/contract/text.ts counts them (MAX_NOTE_LENGTH, MAX_REASON_LENGTH).
    check('audit_log_note_length', sql`char_length(${t.after} ->> 'note') <= 2000`),
    check('audit_log_reason_length', sql`char_length(${t.after} ->> 'reason') <= 500`),
  ],
);

// Exactly-once email: a message is written here under its idempotency key before any SMTP attempt,
// and marked sent with the server's message ID. Attempts are recorded for operators.
export const notificationOutbox = pgTable(
  'notification_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    kind: text('kind').notNull(),
    recipients: jsonb('recipients').$type<string[]>().notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body').notNull(),
    headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
    workflowId: text('workflow_id'),
    status: notificationStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    attemptLog: jsonb('attempt_log')
      .$type<{ at: string; ok: boolean; error?: string; messageId?: string }[]>()
      .notNull()
      .default([]),
    lastError: text('last_error'),
    smtpMessageId: text('smtp_message_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    index('notification_outbox_status_idx').on(t.status, t.createdAt),
    // The web's list of offboardings counts each one's reminders and escalations from here.
    index('notification_outbox_workflow_kind_idx').on(t.workflowId, t.kind),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Project = typeof projects.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type OutboxRow = typeof notificationOutbox.$inferSelect;
export type DirectoryPermission = (typeof directoryPermission.enumValues)[number];

export const offboardingOutcome = pgEnum('offboarding_outcome', ['inactivated', 'removed', 'cancelled', 'failed']);

// Who is being offboarded right now. A batch claims its users here when it validates; the partial
// unique index makes "one offboarding per user at a time" a database fact, and reassignment refuses
// targets that hold an open claim (TARGET_BEING_OFFBOARDED).
export const offboardings = pgTable(
  'offboardings',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    batchId: text('batch_id'),
    workflowId: text('workflow_id').notNull(),
    requestedBy: integer('requested_by')
      .notNull()
      .references(() => users.id),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    outcome: offboardingOutcome('outcome'),
  },
  (t) => [
    uniqueIndex('offboardings_one_open_per_user').on(t.userId).where(sql`${t.endedAt} is null`),
    index('offboardings_batch_idx').on(t.batchId),
  ],
);
export type Offboarding = typeof offboardings.$inferSelect;

// ---------------------------------------------------------------------------------------------
// The web app's own tables (client/web/): its only writes. Secrets are never stored: a sign-in token
// and a session ID are kept as their SHA-256, so a read of these tables lets nobody sign in.

export const webSessionVia = pgEnum('web_session_via', ['email-link', 'action-link', 'trusted-header']);

/** An emailed sign-in link: single use (used_at), valid 15 minutes (expires_at). */
export const webSignInTokens = pgTable(
  'web_sign_in_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('web_sign_in_tokens_expires_idx').on(t.expiresAt)],
);

/**
 * A signed-in browser. Idle expiry is last_seen_at + 8 h, absolute expiry expires_at (7 days). A
 * session from an action link is scoped to the one leaving user the link was about (scope_user_id)
 * and bound to that offboarding (offboarding_id): it ends when the offboarding ends, and a later
 * offboarding of the same person does not revive it. A session from a digest's team link is bound to
 * one batch instead (batch_id, no person): it may open the batch's people its holder may act on, and
 * ends when the batch has nobody left being offboarded.
 * `flash` is the banner the next page shows once (the result of the last action).
 */
export const webSessions = pgTable(
  'web_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    via: webSessionVia('via').notNull(),
    scopeUserId: integer('scope_user_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    flash: jsonb('flash').$type<{ kind: 'ok' | 'error'; text: string; code?: string }>(),
    offboardingId: integer('offboarding_id').references(() => offboardings.id),
    batchId: text('batch_id'),
  },
  (t) => [
    index('web_sessions_user_idx').on(t.userId),
    index('web_sessions_expires_idx').on(t.expiresAt),
    index('web_sessions_offboarding_idx').on(t.offboardingId),
    index('web_sessions_batch_idx').on(t.batchId),
    check(
      'web_sessions_action_link_bound',
      sql`${t.via} <> 'action-link' or (${t.offboardingId} is not null and ${t.scopeUserId} is not null and ${t.batchId} is null) or (${t.batchId} is not null and ${t.offboardingId} is null and ${t.scopeUserId} is null)`,
    ),
    check('web_sessions_batch_only_from_links', sql`${t.batchId} is null or ${t.via} = 'action-link'`),
  ],
);

/**
 * How many sessions each action link has opened (by the link's SHA-256): a link opens a handful at
 * most, however often it is pressed. Kept until the link expires, then purged.
 */
export const webActionLinkUses = pgTable(
  'web_action_link_uses',
  {
    linkHash: text('link_hash').primaryKey(),
    uses: integer('uses').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('web_action_link_uses_expires_idx').on(t.expiresAt)],
);

/**
 * A form's nonce (requestId) and what that form did (a hash of the action): the same form again is a
 * repeat and acts once; the nonce with another action is refused. A form can only be posted within
 * its session's lifetime (the CSRF token is the session's), so rows older than that are purged.
 */
export const webFormUses = pgTable(
  'web_form_uses',
  {
    actorId: integer('actor_id')
      .notNull()
      .references(() => users.id),
    requestId: text('request_id').notNull(),
    actionHash: text('action_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.actorId, t.requestId] }), index('web_form_uses_used_idx').on(t.usedAt)],
);

/** Sign-in attempts per bucket (an email's hash, a client address) and fixed window: shared by every web process. */
export const webRateLimits = pgTable(
  'web_rate_limits',
  {
    bucket: text('bucket').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.windowStart] }), index('web_rate_limits_window_idx').on(t.windowStart)],
);
export type WebSession = typeof webSessions.$inferSelect;

/**
 * Bearer tokens of machines that read payloads through the codec server (`temporal workflow show
 * --codec-auth`). Stored as the token's SHA-256, shown once; revoked, never deleted (the audit log
 * names them). A token acts for one company directory admin, checked at each request, and holds
 * scopes (`codec` only, for now): the shape the connections of the SCIM issue can take over.
 */
export const codecTokens = pgTable(
  'codec_tokens',
  {
    id: serial('id').primaryKey(),
    tokenHash: text('token_hash').notNull(),
    name: text('name').notNull(),
    actsForUserId: integer('acts_for_user_id')
      .notNull()
      .references(() => users.id),
    scopes: text('scopes').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: text('created_by').notNull(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('codec_tokens_hash_unique').on(t.tokenHash), check('codec_tokens_name_length', sql`char_length(${t.name}) between 1 and 100`)],
);
export type CodecToken = typeof codecTokens.$inferSelect;

/**
 * An identity provider's connection (SCIM): the company its people belong to, the policy its batches
 * run with, and the company directory admin in whose name it acts (checked at each request: an admin
 * who lost the right or was inactivated makes its tokens answer 401). Disabled, never deleted.
 */
export const connections = pgTable(
  'connections',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    company: text('company').notNull(),
    policy: jsonb('policy').$type<ConnectionPolicy>().notNull(),
    adminUserId: integer('admin_user_id')
      .notNull()
      .references(() => users.id),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
  },
  (t) => [
    check('connections_name_length', sql`char_length(${t.name}) between 1 and 100`),
    check('connections_company_length', sql`char_length(${t.company}) between 1 and 200`),
  ],
);
export type Connection = typeof connections.$inferSelect;

/**
 * A connection's bearer tokens, modelled on codec_tokens: the SHA-256 only, shown once, scoped
 * (`scim`; the JSON API adds its own), revoked rather than deleted.
 */
export const connectionTokens = pgTable(
  'connection_tokens',
  {
    id: serial('id').primaryKey(),
    connectionId: integer('connection_id')
      .notNull()
      .references(() => connections.id),
    tokenHash: text('token_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('connection_tokens_hash_unique').on(t.tokenHash), index('connection_tokens_connection_idx').on(t.connectionId)],
);
export type ConnectionToken = typeof connectionTokens.$inferSelect;

/**
 * The JSON API's Idempotency-Key of a batch start, per connection: the hash of the body it came with
 * (the same key with another body is refused), the batch ID chosen for it before the workflow starts
 * (a retry after a crash half-way starts that same batch, which answers with itself), and the first
 * response, answered again to every retry.
 */
export const apiIdempotencyKeys = pgTable(
  'api_idempotency_keys',
  {
    connectionId: integer('connection_id')
      .notNull()
      .references(() => connections.id),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    batchId: text('batch_id').notNull(),
    status: integer('status'),
    response: jsonb('response'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.key] }), check('api_idempotency_keys_key_length', sql`char_length(${t.key}) between 1 and 255`)],
);

// ---------------------------------------------------------------------------------------------
// Webhooks out (domain/webhooks/): a connection's subscriptions, the events (an outbox written in
// the transaction of the change it reports), one delivery per (event, subscription) and every
// attempt of it. A subscription is never deleted: a removed one gets deleted_at, so its log stays
// readable; events, with their deliveries and attempts, are purged once settled and older than
// WEBHOOK_RETENTION_DAYS (domain/webhooks/retention.ts).

/**
 * A connection's subscription: where to POST which events. The signing secret is kept as it is given
 * out (`whsec_…`): Standard Webhooks signs with HMAC, so the sender needs the secret itself, not a
 * hash (domain/webhooks/subscriptions.ts says why it is not encrypted).
 */
export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: serial('id').primaryKey(),
    connectionId: integer('connection_id')
      .notNull()
      .references(() => connections.id),
    url: text('url').notNull(),
    events: text('events').array().notNull(),
    secret: text('secret').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    disabledReason: text('disabled_reason'),
    /** The delivery whose giving up disabled it: that one (and its retries) sends the admin's email. */
    disabledByDeliveryId: bigint('disabled_by_delivery_id', { mode: 'number' }),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    index('webhook_subscriptions_connection_idx').on(t.connectionId, t.id),
    check('webhook_subscriptions_url_length', sql`char_length(${t.url}) between 1 and 2000`),
  ],
);
export type WebhookSubscription = typeof webhookSubscriptions.$inferSelect;

/** One fact to tell: `message_id` is the webhook-id receivers deduplicate on, `body` the exact bytes signed. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    messageId: text('message_id')
      .notNull()
      .unique()
      .default(sql`'msg_' || replace(gen_random_uuid()::text, '-', '')`),
    type: text('type').notNull(),
    company: text('company').notNull(),
    /** What makes it the same fact again (a retried activity): the second insert is a no-op. */
    dedupeKey: text('dedupe_key').notNull().unique(),
    body: text('body').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
  },
);

export const webhookDeliveryStatus = pgEnum('webhook_delivery_status', ['pending', 'delivered', 'failed', 'skipped']);

/** An event for one subscription: written with the event, started as a workflow by the relay (dispatched_at). */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    eventId: bigint('event_id', { mode: 'number' })
      .notNull()
      .references(() => webhookEvents.id),
    subscriptionId: integer('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id),
    status: webhookDeliveryStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    dispatchedAt: timestamp('dispatched_at', { withTimezone: true }),
    firstAttemptAt: timestamp('first_attempt_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    lastError: text('last_error'),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event_subscription_unique').on(t.eventId, t.subscriptionId),
    index('webhook_deliveries_undispatched_idx').on(t.id).where(sql`${t.dispatchedAt} is null`),
    index('webhook_deliveries_subscription_idx').on(t.subscriptionId, t.status),
  ],
);

/** Every HTTP attempt of a delivery: what the receiver answered (or why there was no answer), and how long it took. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deliveryId: bigint('delivery_id', { mode: 'number' })
      .notNull()
      .references(() => webhookDeliveries.id),
    subscriptionId: integer('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    ok: boolean('ok').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [index('webhook_attempts_subscription_idx').on(t.subscriptionId, t.id), index('webhook_attempts_delivery_idx').on(t.deliveryId)],
);
