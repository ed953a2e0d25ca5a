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
import { auditLog, projectMembers, projects, timecardEntries, users } from '../db/schema';
import { candidateFacts } from './assignee-eligibility';
import { toolRoleSpec } from './tool-roles';
import {
  handOverRefusal,
  type ItemKey,
  type ItemResolution,
  mayBeHandedOver,
  NOTE_RULE,
  parseItemKey,
  type ResolutionAction,
  isUserId,
} from '../workflows/contract';
import { Refusal, refuse } from './refusal';
import { textProblem } from '../workflows/contract';
import { isUniqueViolation } from '../db/pg-errors';
import { type DbOrTx, type Tx, withTransaction } from '../db/transaction';
import type { CloseItemInput, ReassignItemInput, ReassignItemsInput, ReassignItemsResult } from '../workflows/contract';
import { TIMECARD_ITEM_TITLE } from './open-items';
import { mayActOnItemsOf } from './permissions';

export type ResolutionDeps = { db: DbOrTx; clock: () => Date };

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

type ItemRow = { projectId: number | null; projectName: string | null; title: string; status: string; open: boolean; holder: number | null };

/** Locks the item's row (`for update`) and reads who holds it, as its tool:role spec says. */
async function lockItem(tx: Tx, key: ItemKey): Promise<LockedItem | undefined> {
  const spec = toolRoleSpec(key.tool, key.role);
  if (!spec) return undefined;
  if (spec.kind === 'employee') return lockTimecardItem(tx, key);
  const { item } = spec;
  const via = item.via ? sql`join ${item.via.table} on ${item.via.on}` : sql``;
  const holder = spec.kind === 'column' ? spec.holder : sql`null::int`;
  const [row] = await tx.execute<ItemRow>(sql`
    select ${item.projectId} as "projectId", ${projects.name} as "projectName", ${item.title} as title,
           ${item.status}::text as status, (${item.open}) as open, ${holder} as holder
      from ${item.table} ${via} join ${projects} on ${projects.id} = ${item.projectId}
     where ${item.id} = ${key.itemId}
       for update of ${item.table}`);
  if (!row) return undefined;
  let holders: LockedItem['holders'];
  if (spec.kind === 'column') {
    holders = row.holder === null ? [] : [{ userId: row.holder, open: true }];
  } else {
    const rows = await tx.execute<{ userId: number; open: boolean }>(sql`
      select ${spec.user} as "userId", ${spec.pending ?? sql`true`} as open from ${spec.rows} where ${spec.itemRef} = ${key.itemId}`);
    holders = rows.map((r) => ({ userId: r.userId, open: r.open }));
  }
  return { key, projectId: row.projectId, projectName: row.projectName, title: row.title, status: row.status, open: row.open, holders };
}

/** The timecard item of employee `itemId`: open while no final entry exists. Locks the user row. */
async function lockTimecardItem(tx: Tx, key: ItemKey): Promise<LockedItem | undefined> {
  const [row] = await tx.execute<{ isEmployee: boolean; hasFinal: boolean; projectId: number | null; projectName: string | null }>(sql`
    select ${users.isEmployee} as "isEmployee",
           exists (select 1 from ${timecardEntries} where ${timecardEntries.userId} = ${users.id} and ${timecardEntries.isFinal}) as "hasFinal",
           ${projects.id} as "projectId", ${projects.name} as "projectName"
      from ${users}
      left join lateral (
        select ${timecardEntries.projectId} as project_id from ${timecardEntries} where ${timecardEntries.userId} = ${users.id}
         order by ${timecardEntries.workDate} desc, ${timecardEntries.id} desc limit 1) last_entry on true
      left join lateral (
        select ${projectMembers.projectId} as project_id from ${projectMembers} where ${projectMembers.userId} = ${users.id}
         order by ${projectMembers.addedAt}, ${projectMembers.projectId} limit 1) first_membership on true
      left join ${projects} on ${projects.id} = coalesce(last_entry.project_id, first_membership.project_id)
     where ${users.id} = ${key.itemId}
       for update of ${users}`);
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

function checkRequestId(requestId: unknown): asserts requestId is string {
  if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > 200) {
    refuse('INVALID_INPUT', 'Each item request needs a request ID (1–200 characters) so a retry is recognised.');
  }
}

/** Serialises on the request ID, then returns what it recorded or resolves it now. */
async function resolveOnce(tx: Tx, deps: ResolutionDeps, r: Resolve): Promise<ItemResolution> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`audit-request:${r.input.requestId}`}))`);
  const recorded = await recordedResolution(tx, r.input.requestId);
  if (recorded) return recorded;
  return resolveInTransaction(tx, deps, r);
}

async function resolveItem(deps: ResolutionDeps, r: Resolve): Promise<ItemResolution> {
  const requestId = r.input.requestId;
  checkRequestId(requestId);
  try {
    return await withTransaction(deps.db, (tx) => resolveOnce(tx, deps, r));
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
  // The rule is workflows/contract/hand-over.ts, the same one the web page's "Hand over to" select is
  // built from. The target's row is locked `for share` (see the header); a timecard needs no target.
  const target = mayBeHandedOver(item.key) ? await candidateFacts(tx, item.projectId, toUserId, { lockForShare: true }) : undefined;
  const who = `User ${String(toUserId)}${target ? ` (${target.name})` : ''}`;
  switch (handOverRefusal(item.key, target, fromUserId)) {
    case null:
      return;
    case 'INVALID_INPUT':
      return refuse('INVALID_INPUT', `The timecard item ${label} cannot be reassigned; close it to record the final timecard entry.`);
    case 'TARGET_NOT_FOUND':
      return refuse('TARGET_NOT_FOUND', `User ${String(toUserId)}, chosen to take over ${label}, does not exist.`);
    case 'TARGET_SAME_USER':
      return refuse('TARGET_SAME_USER', `Item ${label} is already held by user ${toUserId}; choose someone else.`);
    case 'TARGET_INACTIVE':
      return refuse('TARGET_INACTIVE', `${who} is inactive and cannot take over ${label}.`);
    case 'TARGET_NOT_PROJECT_MEMBER':
      return refuse(
        'TARGET_NOT_PROJECT_MEMBER',
        `${who} is not a member of project ${String(item.projectId)} (${item.projectName ?? 'none'}), which ${label} belongs to.`,
      );
    case 'TARGET_BEING_OFFBOARDED':
      return refuse('TARGET_BEING_OFFBOARDED', `${who} is being offboarded (${target?.offboardingWorkflowId ?? 'a running offboarding'}) and cannot take over ${label}.`);
    case 'TARGET_NO_EMAIL':
      return refuse('TARGET_NO_EMAIL', `${who} has no email address, so nobody could tell them about ${label}; it would be orphaned again.`);
  }
}

async function writeReassignment(tx: Tx, key: ItemKey, fromUserId: number, toUserId: number): Promise<void> {
  const spec = toolRoleSpec(key.tool, key.role);
  if (!spec || spec.kind === 'employee') return; // refused earlier: a timecard item is not handed over
  const { item } = spec;
  if (spec.kind === 'column') {
    await tx.execute(sql`
      update ${item.table} set ${sql.identifier(spec.holder.name)} = ${toUserId}, ${sql.identifier(item.updatedAt.name)} = now()
       where ${item.id} = ${key.itemId}`);
    return;
  }
  // Assignment rows: move the from-user's row to the target; if the target already holds one, the
  // from-user's row just goes (an approver's existing answer is kept; a new row starts pending).
  await tx.execute(sql`delete from ${spec.rows} where ${spec.itemRef} = ${key.itemId} and ${spec.user} = ${fromUserId}`);
  await tx.execute(sql`
    insert into ${spec.rows} (${sql.identifier(spec.itemRef.name)}, ${sql.identifier(spec.user.name)}) values (${key.itemId}, ${toUserId})
    on conflict do nothing`);
  await tx.execute(sql`update ${item.table} set ${sql.identifier(item.updatedAt.name)} = now() where ${item.id} = ${key.itemId}`);
}

async function writeClose(tx: Tx, deps: ResolutionDeps, item: LockedItem, label: string, fromUserId: number, actorId: number): Promise<void> {
  const { key } = item;
  const spec = toolRoleSpec(key.tool, key.role);
  if (!spec) return;
  if (spec.kind === 'employee') {
    if (item.projectId === null) refuse('ITEM_NOT_FOUND', `Item ${label} does not exist.`); // lockTimecardItem's rule
    await tx.insert(timecardEntries).values({
      projectId: item.projectId,
      userId: key.itemId,
      workDate: deps.clock().toISOString().slice(0, 10),
      hours: '0',
      isFinal: true,
      recordedBy: actorId,
    });
    return;
  }
  if (spec.kind === 'row' && spec.closeAnswer) {
    const answer = spec.closeAnswer;
    await tx.execute(sql`
      update ${spec.rows} set ${sql.identifier(answer.column.name)} = ${answer.value}, ${sql.identifier(answer.at.name)} = now()
       where ${spec.itemRef} = ${key.itemId} and ${spec.user} = ${fromUserId}`);
    return;
  }
  await tx.execute(sql`
    update ${spec.item.table} set ${sql.identifier(spec.item.status.name)} = ${spec.item.closedStatus},
           ${sql.identifier(spec.item.updatedAt.name)} = now()
     where ${spec.item.id} = ${key.itemId}`);
}

export function reassignItem(deps: ResolutionDeps, input: ReassignItemInput): Promise<ItemResolution> {
  return resolveItem(deps, { kind: 'reassign', input });
}

export function closeItem(deps: ResolutionDeps, input: CloseItemInput): Promise<ItemResolution> {
  return resolveItem(deps, { kind: 'close', input });
}

/** The most reassignments one call takes: a user's items, with room to spare. */
export const MAX_REASSIGNMENTS_PER_CALL = 500;

/**
 * Several reassignments (a successor taking over everything) in ONE transaction instead of one each:
 * every request is exactly what reassignItem does — its own request ID (a retry returns what was
 * recorded), every check, the same locks, its own audit row — run in a savepoint of its own, so a
 * refused item is rolled back alone and reported, and the others still go. Anything else (the
 * database gone) rolls the whole call back, and the retry starts over: nothing was committed.
 */
export async function reassignItems(deps: ResolutionDeps, input: ReassignItemsInput): Promise<ReassignItemsResult> {
  const requests: unknown = input?.requests;
  if (!Array.isArray(requests) || requests.length > MAX_REASSIGNMENTS_PER_CALL) {
    refuse('INVALID_INPUT', `"requests" must be a list of at most ${MAX_REASSIGNMENTS_PER_CALL} reassignments.`);
  }
  const list = requests as ReassignItemInput[];
  for (const r of list) checkRequestId(r?.requestId);
  if (new Set(list.map((r) => r.requestId)).size !== list.length) refuse('INVALID_INPUT', 'Each reassignment in one call needs its own request ID.');
  return withTransaction(deps.db, async (tx) => {
    const result: ReassignItemsResult = { took: [], notTaken: [] };
    for (const r of list) {
      try {
        result.took.push(await tx.transaction((savepoint) => resolveOnce(savepoint, deps, { kind: 'reassign', input: r })));
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        const refused = error;
        result.notTaken.push({ itemKey: String(r.itemKey), code: refused.code, message: refused.message });
      }
    }
    return result;
  });
}
