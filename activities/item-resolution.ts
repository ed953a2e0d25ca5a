// Reassigning or closing one open item on behalf of an actor. Each call is one transaction that
//  1. serialises on its request ID (advisory lock) and returns the recorded outcome if the request
//     already ran (audit_log.request_id is unique: a request writes at most one audit row);
//  2. checks everything before writing (each refusal has its code, nothing is written on refusal);
//  3. locks the item row (`select … for update`), so of two concurrent reassignments of the same item
//     exactly one wins and the other finds the item no longer held (ITEM_NOT_HELD_BY_USER);
//  4. locks the target user `for share`, so a target being inactivated at the same moment is either
//     seen inactive here or sees the new item in its own locked re-scan;
//  5. writes the change and the audit row, whose `after` is the ItemResolution returned.
//
// "Close" sets the tool's closed status (the whole RFI / submittal / observation / meeting item /
// inspection / defect is closed). Two roles differ:
//  - submittal approver: the item is that approver's pending response, so closing it answers the
//    response on the approver's behalf and leaves the submittal open for its manager. The answer
//    recorded is 'revise_and_resubmit' — never an approval nobody gave: the submittal goes back for
//    a real review. The note (if any) is kept in the audit row. To have someone else review instead,
//    reassign the item.
//  - timecard: closing records the employee's final timecard entry (0 hours, today by the injected
//    clock, recorded_by the actor, on the item's project). A timecard item cannot be reassigned.
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { auditLog } from '../db/schema';
import {
  type ItemKey,
  type ItemResolution,
  NOTE_RULE,
  parseItemKey,
  type ResolutionAction,
  type Role,
  type Tool,
} from '../workflows/definitions';
import { textProblem } from '../workflows/text';
import { isUniqueViolation, refuse } from './failures';
import type { CloseItemInput, ReassignItemInput } from './inputs';
import { type DbOrTx, isUserId, TIMECARD_ITEM_TITLE, type Tx } from './open-items';
import { mayActOnItemsOf } from './permissions';

export type ResolutionDeps = { db: Database; clock: () => Date };

/** The closing answer recorded for a submittal approver's pending response (see the header). */
export const APPROVER_CLOSE_RESPONSE = 'revise_and_resubmit';

const AUDIT_ACTIONS: Record<ResolutionAction, string> = {
  reassigned: 'item.reassigned',
  closed: 'item.closed',
  'final-timecard-recorded': 'timecard.final-recorded',
};

type LockedItem = {
  key: ItemKey;
  projectId: number | null;
  projectName: string | null;
  title: string;
  status: string;
  /** Whether the item (for approvers: the submittal) is open. */
  open: boolean;
  /** Users holding the item in `key.role`; for approvers, with their response. */
  holders: { userId: number; open: boolean }[];
};

// Tools whose responsibility is one column of the item row.
const COLUMN_ITEMS: Partial<Record<`${Tool}:${Role}`, { table: string; title: string; column: string }>> = {
  'rfi:manager': { table: 'rfis', title: 'subject', column: 'manager_id' },
  'submittal:manager': { table: 'submittals', title: 'title', column: 'manager_id' },
  'observation:assignee': { table: 'observations', title: 'title', column: 'assignee_id' },
  'inspection:point-of-contact': { table: 'inspections', title: 'title', column: 'point_of_contact_id' },
  'defect:assigned-to': { table: 'defect_items', title: 'title', column: 'assigned_to_id' },
};
// Tools whose responsibility is a row in an assignment table.
const ROW_ITEMS: Partial<Record<`${Tool}:${Role}`, { table: string; title: string; assignments: string; fk: string }>> = {
  'rfi:assignee': { table: 'rfis', title: 'subject', assignments: 'rfi_assignees', fk: 'rfi_id' },
  'submittal:approver': { table: 'submittals', title: 'title', assignments: 'submittal_approvers', fk: 'submittal_id' },
};
const ITEM_TABLES: Record<Exclude<Tool, 'timecard'>, string> = {
  rfi: 'rfis',
  submittal: 'submittals',
  observation: 'observations',
  'meeting-item': 'meeting_items',
  inspection: 'inspections',
  defect: 'defect_items',
};

type ItemRow = { projectId: number | null; projectName: string | null; title: string; status: string; holder: number | null };

const isOpenStatus = (tool: Tool, status: string) => (tool === 'rfi' ? status === 'draft' || status === 'open' : status !== 'closed');

async function lockItem(tx: Tx, key: ItemKey): Promise<LockedItem | undefined> {
  const slot = `${key.tool}:${key.role}` as const;
  if (key.tool === 'timecard') return lockTimecardItem(tx, key);
  let row: ItemRow | undefined;
  const column = COLUMN_ITEMS[slot];
  const rowItem = ROW_ITEMS[slot];
  if (key.tool === 'meeting-item') {
    [row] = await tx.execute<ItemRow>(sql`
      select m.project_id as "projectId", p.name as "projectName", mi.title, mi.status::text as status, null::int as holder
        from meeting_items mi join meetings m on m.id = mi.meeting_id join projects p on p.id = m.project_id
       where mi.id = ${key.itemId} for update of mi`);
  } else {
    const spec = column ?? rowItem;
    if (!spec) return undefined;
    const holder = column ? sql.raw(`t.${column.column}`) : sql`null::int`;
    [row] = await tx.execute<ItemRow>(sql`
      select t.project_id as "projectId", p.name as "projectName", ${sql.raw(`t.${spec.title}`)} as title,
             t.status::text as status, ${holder} as holder
        from ${sql.raw(spec.table)} t join projects p on p.id = t.project_id
       where t.id = ${key.itemId} for update of t`);
  }
  if (!row) return undefined;
  let holders: { userId: number; open: boolean }[];
  if (column) {
    holders = row.holder === null ? [] : [{ userId: row.holder, open: true }];
  } else if (key.tool === 'submittal') {
    const rows = await tx.execute<{ userId: number; response: string }>(
      sql`select user_id as "userId", response::text as response from submittal_approvers where submittal_id = ${key.itemId}`,
    );
    holders = rows.map((r) => ({ userId: r.userId, open: r.response === 'pending' }));
  } else {
    const rows = await tx.execute<{ userId: number }>(
      key.tool === 'rfi'
        ? sql`select user_id as "userId" from rfi_assignees where rfi_id = ${key.itemId}`
        : sql`select user_id as "userId" from meeting_item_assignees where meeting_item_id = ${key.itemId}`,
    );
    holders = rows.map((r) => ({ userId: r.userId, open: true }));
  }
  return {
    key,
    projectId: row.projectId,
    projectName: row.projectName,
    title: row.title,
    status: row.status,
    open: isOpenStatus(key.tool, row.status),
    holders,
  };
}

/** The timecard item of employee `itemId`: open while no final entry exists. Locks the user row. */
async function lockTimecardItem(tx: Tx, key: ItemKey): Promise<LockedItem | undefined> {
  const [row] = await tx.execute<{ isEmployee: boolean; hasFinal: boolean; projectId: number | null; projectName: string | null }>(sql`
    select u.is_employee as "isEmployee",
           exists (select 1 from timecard_entries f where f.user_id = u.id and f.is_final) as "hasFinal",
           p.id as "projectId", p.name as "projectName"
      from users u
      left join lateral (
        select te.project_id from timecard_entries te where te.user_id = u.id
         order by te.work_date desc, te.id desc limit 1) last_entry on true
      left join lateral (
        select pm.project_id from project_members pm where pm.user_id = u.id
         order by pm.added_at, pm.project_id limit 1) first_membership on true
      left join projects p on p.id = coalesce(last_entry.project_id, first_membership.project_id)
     where u.id = ${key.itemId}
       for update of u`);
  // The scan's rule: no final entry is owed without a timecard entry or a project to record it on.
  if (!row || !row.isEmployee || row.projectId === null) return undefined;
  return {
    key,
    projectId: row.projectId,
    projectName: row.projectName,
    title: TIMECARD_ITEM_TITLE,
    status: row.hasFinal ? 'recorded' : 'missing',
    open: !row.hasFinal,
    holders: [{ userId: key.itemId, open: true }],
  };
}

async function dbNow(tx: Tx): Promise<string> {
  const [row] = await tx.execute<{ ms: string | number }>(sql`select (extract(epoch from now()) * 1000)::float8 as ms`);
  return new Date(Number(row?.ms)).toISOString();
}

/** The outcome recorded for `requestId`, if that request already ran. */
export async function recordedResolution(db: DbOrTx, requestId: string): Promise<ItemResolution | undefined> {
  const [row] = await db
    .select({ action: auditLog.action, after: auditLog.after })
    .from(auditLog)
    .where(eq(auditLog.requestId, requestId));
  if (!row) return undefined;
  if (!Object.values(AUDIT_ACTIONS).includes(row.action)) {
    refuse('INVALID_INPUT', `Request ID ${requestId} was already used for '${row.action}', not for an item; use a new request ID.`);
  }
  return row.after as ItemResolution;
}

type Resolve =
  | { kind: 'reassign'; input: ReassignItemInput }
  | { kind: 'close'; input: CloseItemInput };

function describe(key: ItemKey): string {
  return `${key.tool}:${key.itemId}:${key.role}`;
}

async function resolveItem(deps: ResolutionDeps, r: Resolve): Promise<ItemResolution> {
  const requestId = r.input.requestId;
  if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > 200) {
    refuse('INVALID_INPUT', 'Each item request needs a request ID (1–200 characters) so a retry is recognised.');
  }
  try {
    return await deps.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`audit-request:${requestId}`}))`);
      const recorded = await recordedResolution(tx, requestId);
      if (recorded) return recorded;
      return await resolveInTransaction(tx, deps, r);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'audit_log_request_unique')) {
      const recorded = await recordedResolution(deps.db, requestId);
      if (recorded) return recorded;
    }
    throw error;
  }
}

async function resolveInTransaction(tx: Tx, deps: ResolutionDeps, r: Resolve): Promise<ItemResolution> {
  const { input } = r;
  const fromUserId = r.kind === 'reassign' ? r.input.fromUserId : r.input.userId;
  const note = r.kind === 'close' ? (r.input.note ?? null) : null;
  const key = parseItemKey(input.itemKey);
  if (!key) {
    refuse('ITEM_KEY_MALFORMED', `"${String(input.itemKey).slice(0, 80)}" is not an item key; keys look like rfi:42:assignee.`);
  }
  const label = describe(key);
  const problem = note === null ? undefined : textProblem(note, NOTE_RULE);
  if (problem) refuse(problem.kind === 'length' ? 'NOTE_TOO_LONG' : 'INVALID_INPUT', `${problem.message} (${label})`);
  if (!isUserId(fromUserId)) refuse('INVALID_INPUT', `${String(fromUserId)} is not a user ID.`);
  if (!(await mayActOnItemsOf(tx, input.actorId, fromUserId))) {
    refuse(
      'PERMISSION_DENIED',
      `User ${String(input.actorId)} may not reassign or close items of user ${fromUserId}: only an active company directory admin or user ${fromUserId}'s manager may.`,
    );
  }

  const item = await lockItem(tx, key);
  if (!item) refuse('ITEM_NOT_FOUND', `Item ${label} does not exist.`);
  const held = item.holders.find((h) => h.userId === fromUserId);
  if (!item.open || (held && !held.open)) {
    refuse('ITEM_NOT_OPEN', `Item ${label} ("${item.title}") is no longer open (status ${item.status}).`);
  }
  if (!held) {
    refuse('ITEM_NOT_HELD_BY_USER', `Item ${label} ("${item.title}") is no longer held by user ${fromUserId} as ${key.role}.`);
  }

  let toUserId: number | null = null;
  if (r.kind === 'reassign') {
    toUserId = r.input.toUserId;
    await checkTarget(tx, item, label, fromUserId, toUserId);
  }

  const at = await dbNow(tx);
  const action: ResolutionAction = r.kind === 'reassign' ? 'reassigned' : key.tool === 'timecard' ? 'final-timecard-recorded' : 'closed';
  if (r.kind === 'reassign' && toUserId !== null) await writeReassignment(tx, key, fromUserId, toUserId);
  else await writeClose(tx, deps, item, label, fromUserId, input.actorId);

  const resolution: ItemResolution = {
    itemKey: label,
    tool: key.tool,
    title: item.title,
    projectName: item.projectName,
    action,
    fromUserId,
    toUserId,
    byUserId: input.actorId,
    at,
    note,
    requestId: input.requestId,
  };
  await tx.insert(auditLog).values({
    actorId: input.actorId,
    action: AUDIT_ACTIONS[action],
    entityType: key.tool,
    entityId: String(key.itemId),
    subjectUserId: fromUserId,
    workflowId: input.workflowId,
    requestId: input.requestId,
    before: { itemKey: label, status: item.status, projectId: item.projectId, holders: item.holders.map((h) => h.userId) },
    after: resolution,
  });
  return resolution;
}

async function checkTarget(tx: Tx, item: LockedItem, label: string, fromUserId: number, toUserId: number): Promise<void> {
  if (item.key.tool === 'timecard') {
    refuse('INVALID_INPUT', `The timecard item ${label} cannot be reassigned; close it to record the final timecard entry.`);
  }
  const [target] = isUserId(toUserId)
    ? await tx.execute<{ status: string; name: string }>(
        sql`select status::text as status, name from users where id = ${toUserId} for share`,
      )
    : [];
  if (!target) refuse('TARGET_NOT_FOUND', `User ${String(toUserId)}, chosen to take over ${label}, does not exist.`);
  if (toUserId === fromUserId) refuse('TARGET_SAME_USER', `Item ${label} is already held by user ${toUserId}; choose someone else.`);
  if (target.status !== 'active') {
    refuse('TARGET_INACTIVE', `User ${toUserId} (${target.name}) is inactive and cannot take over ${label}.`);
  }
  const [member] = await tx.execute<{ one: number }>(
    sql`select 1 as one from project_members where project_id = ${item.projectId} and user_id = ${toUserId}`,
  );
  if (!member) {
    refuse(
      'TARGET_NOT_PROJECT_MEMBER',
      `User ${toUserId} (${target.name}) is not a member of project ${String(item.projectId)} (${item.projectName ?? 'none'}), which ${label} belongs to.`,
    );
  }
  const [claim] = await tx.execute<{ workflowId: string }>(
    sql`select workflow_id as "workflowId" from offboardings where user_id = ${toUserId} and ended_at is null`,
  );
  if (claim) {
    refuse(
      'TARGET_BEING_OFFBOARDED',
      `User ${toUserId} (${target.name}) is being offboarded (${claim.workflowId}) and cannot take over ${label}.`,
    );
  }
}

async function writeReassignment(tx: Tx, key: ItemKey, fromUserId: number, toUserId: number): Promise<void> {
  const slot = `${key.tool}:${key.role}` as const;
  const column = COLUMN_ITEMS[slot];
  if (column) {
    await tx.execute(sql`
      update ${sql.raw(column.table)} set ${sql.raw(column.column)} = ${toUserId}, updated_at = now()
       where id = ${key.itemId}`);
    return;
  }
  // Assignment rows: move the from-user's row to the target; if the target already holds one, the
  // from-user's row just goes (an approver's existing answer is kept).
  if (key.tool === 'rfi') {
    await tx.execute(sql`delete from rfi_assignees where rfi_id = ${key.itemId} and user_id = ${fromUserId}`);
    await tx.execute(sql`insert into rfi_assignees (rfi_id, user_id) values (${key.itemId}, ${toUserId}) on conflict do nothing`);
  } else if (key.tool === 'submittal') {
    await tx.execute(sql`delete from submittal_approvers where submittal_id = ${key.itemId} and user_id = ${fromUserId}`);
    await tx.execute(sql`
      insert into submittal_approvers (submittal_id, user_id, response) values (${key.itemId}, ${toUserId}, 'pending')
      on conflict do nothing`);
  } else if (key.tool === 'meeting-item') {
    await tx.execute(sql`delete from meeting_item_assignees where meeting_item_id = ${key.itemId} and user_id = ${fromUserId}`);
    await tx.execute(sql`
      insert into meeting_item_assignees (meeting_item_id, user_id) values (${key.itemId}, ${toUserId}) on conflict do nothing`);
  }
  const table = key.tool === 'timecard' ? undefined : ITEM_TABLES[key.tool];
  if (table) await tx.execute(sql`update ${sql.raw(table)} set updated_at = now() where id = ${key.itemId}`);
}

async function writeClose(
  tx: Tx,
  deps: ResolutionDeps,
  item: LockedItem,
  label: string,
  fromUserId: number,
  actorId: number,
): Promise<void> {
  const { key } = item;
  if (key.tool === 'timecard') {
    if (item.projectId === null) refuse('ITEM_NOT_FOUND', `Item ${label} does not exist.`); // lockTimecardItem's rule
    const workDate = deps.clock().toISOString().slice(0, 10);
    await tx.execute(sql`
      insert into timecard_entries (project_id, user_id, work_date, hours, is_final, recorded_by)
      values (${item.projectId}, ${key.itemId}, ${workDate}::date, 0, true, ${actorId})`);
    return;
  }
  if (key.tool === 'submittal' && key.role === 'approver') {
    await tx.execute(sql`
      update submittal_approvers set response = ${sql.raw(`'${APPROVER_CLOSE_RESPONSE}'`)}, responded_at = now()
       where submittal_id = ${key.itemId} and user_id = ${fromUserId}`);
    return;
  }
  await tx.execute(sql`
    update ${sql.raw(ITEM_TABLES[key.tool])} set status = 'closed', updated_at = now() where id = ${key.itemId}`);
}

export function reassignItem(deps: ResolutionDeps, input: ReassignItemInput): Promise<ItemResolution> {
  return resolveItem(deps, { kind: 'reassign', input });
}

export function closeItem(deps: ResolutionDeps, input: CloseItemInput): Promise<ItemResolution> {
  return resolveItem(deps, { kind: 'close', input });
}
