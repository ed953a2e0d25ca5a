// The work comes in: a company's projects, their members and the seven tools' open items, upserted
// in calls of at most 1,000 records (the CLI's `offboard import` now, the JSON API later). Idempotent
// by each item's (tool, external ID): the same call again changes nothing and answers `unchanged`.
// Each record is answered created / updated / unchanged / refused (with the refusal code); a refused
// record changes nothing, and the others still go in. One transaction per call, one statement per
// table for the whole call (never one per record), one audit row per record that changed.
//
// What the answer says for the workflows: the people named on the call's items who are being
// offboarded (their offboarding re-checks: client/operations/work-import.ts signals it), and the open
// items now held by inactive people (shown in the Assignment Report; an event for the webhooks later).
import { sql } from 'drizzle-orm';
import { type DbOrTx, type Tx, withTransaction } from '../db/transaction';
import { type RefusalCode, refuse, type Role, ROLES_BY_TOOL, type Tool, TOOLS } from '../workflows/contract';
import { describePerson, type ImportedPerson, personKey, resolvePeople } from './import-people';
import { ITEM_TABLES, MEETINGS_TABLE, syncAssignmentRows, type UpsertRow, upsertRows } from './import-item-tables';
import { isActiveAdmin } from './permissions';
import { itemsHeldByInactiveUsers } from './webhooks/facts';
import {
  type ImportRecord,
  type ItemRecord,
  MAX_IMPORT_RECORDS,
  type MemberRecord,
  type PersonRef,
  type ProjectRecord,
} from './work-import-records';

export type ImportOutcome = 'created' | 'updated' | 'unchanged' | 'refused';
export const IMPORT_OUTCOMES: readonly ImportOutcome[] = ['created', 'updated', 'unchanged', 'refused'];

/** The answer for one record, in the order of the call. */
export type RecordResult = {
  index: number;
  kind: ImportRecord['kind'];
  /** What the record is: `project P-100`, `member P-100 ana@example.com`, `rfi RFI-EXT-1`. */
  ref: string;
  outcome: ImportOutcome;
  code?: RefusalCode;
  message?: string;
};

/** An open item that arrived held by an inactive person (the `item.held-by-inactive-user` event). */
export type HeldByInactiveUser = { index: number; tool: Tool; externalId: string; itemId: number; role: Role; userId: number };

/** A person being offboarded who is named on an imported item: their offboarding must re-check. */
export type OffboardingToRecheck = { userId: number; workflowId: string; items: string[] };

export type ImportResult = {
  results: RecordResult[];
  counts: Record<ImportOutcome, number>;
  heldByInactiveUser: HeldByInactiveUser[];
  offboardingsToRecheck: OffboardingToRecheck[];
};

class Refused extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}

function refRecord(r: ImportRecord): string {
  if (r.kind === 'project') return `project ${r.number}`;
  if (r.kind === 'member') return `member ${r.project} ${describePerson(r.person)}`;
  return `${r.tool} ${r.externalId}`;
}

/** DESIGN.md's "open while", for the item as imported (the statuses of db/open-status.ts). */
function isOpen(r: ItemRecord): boolean {
  switch (r.tool) {
    case 'rfi':
      return r.status === 'draft' || r.status === 'open';
    case 'meeting-item':
      return r.status === 'open';
    case 'timecard':
      return false;
    default:
      return r.status !== 'closed';
  }
}

type ResolvedItem = {
  index: number;
  record: ItemRecord;
  projectId: number;
  /** The column holder (at most one), and the assignment rows' people. */
  holder: number | null;
  rowUsers: number[];
  people: { role: Role; person: ImportedPerson }[];
};

export type ImportOptions = { actorId: number };

/**
 * Imports one call's records as `actorId` (an active company directory admin, checked now). Refuses
 * the whole call (and changes nothing) for more than MAX_IMPORT_RECORDS records or an actor who may
 * not; refuses single records with their code and imports the rest.
 */
export async function importWork(db: DbOrTx, records: readonly ImportRecord[], options: ImportOptions): Promise<ImportResult> {
  if (records.length > MAX_IMPORT_RECORDS) {
    refuse('INVALID_INPUT', `A call imports at most ${MAX_IMPORT_RECORDS} records; this one has ${records.length}. Split it.`);
  }
  return withTransaction(db, async (tx) => {
    if (!(await isActiveAdmin(tx, options.actorId))) {
      refuse('PERMISSION_DENIED', `User ${options.actorId} is not an active company directory admin; only they import work.`);
    }
    const results: RecordResult[] = records.map((r, index) => ({ index, kind: r.kind, ref: refRecord(r), outcome: 'unchanged' }));
    const refuseRecord = (index: number, code: RefusalCode, message: string) => {
      const r = results[index];
      if (r) Object.assign(r, { outcome: 'refused', code, message });
    };
    const set = (index: number, outcome: ImportOutcome) => {
      const r = results[index];
      if (r && r.outcome !== 'refused') r.outcome = outcome;
    };

    await importProjects(tx, records, refuseRecord, set);
    const projectIds = await projectsByNumber(tx, records);
    const people = await resolvePeople(tx, records.flatMap((r) => (r.kind === 'member' ? [r.person] : r.kind === 'item' ? r.people.map(toRef) : [])));
    const findPerson = (ref: PersonRef): ImportedPerson => {
      const p = people.get(personKey(ref));
      if (!p) throw new Refused('USER_NOT_FOUND', `Nobody in the directory has the ${'email' in ref ? `email ${ref.email}` : describePerson(ref)}.`);
      return p;
    };
    const findProject = (number: string): number => {
      const id = projectIds.get(number);
      if (id === undefined) throw new Refused('PROJECT_NOT_FOUND', `No project has the number "${number}"; import it (a project record) first.`);
      return id;
    };

    await importMembers(tx, records, { findPerson, findProject }, refuseRecord, set);
    const items = resolveItems(records, { findPerson, findProject }, refuseRecord);
    await checkFinalTimecards(tx, items, refuseRecord);
    const live = items.filter((i) => results[i.index]?.outcome !== 'refused');
    const changed = await writeItems(tx, live, set);

    const heldByInactiveUser: HeldByInactiveUser[] = [];
    for (const i of live) {
      if (!isOpen(i.record)) continue;
      const itemId = changed.ids.get(i.index);
      if (itemId === undefined) continue;
      for (const p of i.people) {
        if (p.person.status === 'inactive') heldByInactiveUser.push({ index: i.index, tool: i.record.tool, externalId: i.record.externalId, itemId, role: p.role, userId: p.person.id });
      }
    }
    // Every item of the call, changed or not: importing the same file again asks again, should the
    // first ask have failed (the import is committed before anyone is asked).
    const offboardingsToRecheck = await offboardingsOf(tx, live);
    await itemsHeldByInactiveUsers(tx, heldByInactiveUser);
    await audit(tx, options.actorId, records, results, changed.ids);

    const counts: Record<ImportOutcome, number> = { created: 0, updated: 0, unchanged: 0, refused: 0 };
    for (const r of results) counts[r.outcome]++;
    return { results, counts, heldByInactiveUser, offboardingsToRecheck };
  });
}

const toRef = (p: ItemRecord['people'][number]): PersonRef => ('email' in p ? { email: p.email } : { externalId: p.externalId });

type Mark = (index: number, code: RefusalCode, message: string) => void;
type SetOutcome = (index: number, outcome: ImportOutcome) => void;
type Lookups = { findPerson: (ref: PersonRef) => ImportedPerson; findProject: (number: string) => number };

/** Runs `fn` for one record; a Refused error refuses that record only. */
function each<T>(index: number, mark: Mark, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Refused) {
      mark(index, e.code, e.message);
      return undefined;
    }
    throw e;
  }
}

async function importProjects(tx: Tx, records: readonly ImportRecord[], mark: Mark, set: SetOutcome): Promise<void> {
  const seen = new Map<string, number>();
  const rows: { index: number; r: ProjectRecord }[] = [];
  records.forEach((r, index) => {
    if (r.kind !== 'project') return;
    const first = seen.get(r.number);
    if (first !== undefined) return mark(index, 'INVALID_INPUT', `Project ${r.number} appears twice in this call (first as record ${first + 1}).`);
    seen.set(r.number, index);
    rows.push({ index, r });
  });
  if (rows.length === 0) return;
  const written = await tx.execute<{ number: string; created: boolean }>(sql`
    insert into projects (number, name, status)
    select x.number, x.name, x.status from jsonb_to_recordset(${JSON.stringify(rows.map(({ r }) => ({ number: r.number, name: r.name, status: r.status })))}::jsonb)
      as x(number text, name text, status project_status)
    on conflict (number) do update set name = excluded.name, status = excluded.status, updated_at = now()
     where (projects.name, projects.status) is distinct from (excluded.name, excluded.status)
    returning number, (xmax = 0) as created`);
  const byNumber = new Map(written.map((w) => [w.number, w.created]));
  for (const { index, r } of rows) {
    const created = byNumber.get(r.number);
    set(index, created === undefined ? 'unchanged' : created ? 'created' : 'updated');
  }
}

async function projectsByNumber(tx: Tx, records: readonly ImportRecord[]): Promise<Map<string, number>> {
  const numbers = [...new Set(records.flatMap((r) => (r.kind === 'project' ? [] : [r.project])))];
  if (numbers.length === 0) return new Map();
  const rows = await tx.execute<{ id: number; number: string }>(sql`
    select id, number from projects where number in (select value from jsonb_array_elements_text(${JSON.stringify(numbers)}::jsonb))`);
  return new Map(rows.map((r) => [r.number, r.id]));
}

async function importMembers(tx: Tx, records: readonly ImportRecord[], look: Lookups, mark: Mark, set: SetOutcome): Promise<void> {
  const rows: { index: number; project_id: number; user_id: number; permission: MemberRecord['permission'] }[] = [];
  const seen = new Set<string>();
  records.forEach((r, index) => {
    if (r.kind !== 'member') return;
    each(index, mark, () => {
      const projectId = look.findProject(r.project);
      const person = look.findPerson(r.person);
      const key = `${projectId}:${person.id}`;
      if (seen.has(key)) throw new Refused('INVALID_INPUT', `${describePerson(r.person)} is named twice as a member of ${r.project} in this call.`);
      seen.add(key);
      rows.push({ index, project_id: projectId, user_id: person.id, permission: r.permission });
    });
  });
  if (rows.length === 0) return;
  const written = await tx.execute<{ project_id: number; user_id: number; created: boolean }>(sql`
    insert into project_members (project_id, user_id, directory_permission)
    select x.project_id, x.user_id, x.permission from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as x(project_id integer, user_id integer, permission directory_permission)
    on conflict (project_id, user_id) do update set directory_permission = excluded.directory_permission
     where project_members.directory_permission is distinct from excluded.directory_permission
    returning project_id, user_id, (xmax = 0) as created`);
  const byKey = new Map(written.map((w) => [`${w.project_id}:${w.user_id}`, w.created]));
  for (const r of rows) {
    const created = byKey.get(`${r.project_id}:${r.user_id}`);
    set(r.index, created === undefined ? 'unchanged' : created ? 'created' : 'updated');
  }
}

/** Each item's project and people, checked against the tool:role table; the rest are refused. */
function resolveItems(records: readonly ImportRecord[], look: Lookups, mark: Mark): ResolvedItem[] {
  const out: ResolvedItem[] = [];
  const seen = new Map<string, number>();
  records.forEach((record, index) => {
    if (record.kind !== 'item') return;
    const item = each(index, mark, (): ResolvedItem => {
      const key = `${record.tool}:${record.externalId}`;
      const first = seen.get(key);
      if (first !== undefined) throw new Refused('INVALID_INPUT', `The ${record.tool} ${record.externalId} appears twice in this call (first as record ${first + 1}).`);
      seen.set(key, index);
      const spec = ITEM_TABLES[record.tool];
      const roles = ROLES_BY_TOOL[record.tool] as readonly string[];
      // Roles first: a role the tool does not have is the mistake to name, whoever the person is.
      for (const p of record.people) {
        if (!roles.includes(p.role)) {
          throw new Refused('ROLE_NOT_IN_TOOL', `A ${record.tool} has no role "${p.role.slice(0, 40)}"; its roles are ${roles.join(', ')}.`);
        }
      }
      const projectId = look.findProject(record.project);
      const people = record.people.map((p) => ({ role: p.role as Role, person: look.findPerson(toRef(p)) }));
      const holders = people.filter((p) => p.role === spec.holder?.role);
      if (holders.length > 1) throw new Refused('INVALID_INPUT', `A ${record.tool} has one ${spec.holder?.role ?? ''}; this one names ${holders.length}.`);
      if (record.tool === 'timecard' && holders.length === 0) throw new Refused('INVALID_INPUT', 'A timecard entry names its employee (role "employee").');
      const rowUsers = [...new Set(people.filter((p) => p.role === spec.rows?.role).map((p) => p.person.id))];
      return { index, record, projectId, holder: holders[0]?.person.id ?? null, rowUsers, people };
    });
    if (item) out.push(item);
  });
  return out;
}

/** At most one final timecard entry per employee (the database's own rule): refuse a second one. */
async function checkFinalTimecards(tx: Tx, items: readonly ResolvedItem[], mark: Mark): Promise<void> {
  const finals = items.filter((i) => i.record.tool === 'timecard' && i.record.status === 'final');
  if (finals.length === 0) return;
  const existing = await tx.execute<{ user_id: number; external_id: string | null }>(sql`
    select user_id, external_id from timecard_entries
     where is_final and user_id in (select value::int from jsonb_array_elements_text(${JSON.stringify(finals.map((f) => f.holder))}::jsonb))`);
  const finalOf = new Map(existing.map((e) => [e.user_id, e.external_id]));
  const inCall = new Map<number, string>();
  for (const f of finals) {
    const userId = f.holder ?? 0;
    const other = finalOf.has(userId) ? finalOf.get(userId) : inCall.get(userId);
    if ((finalOf.has(userId) || inCall.has(userId)) && other !== f.record.externalId) {
      mark(f.index, 'INVALID_INPUT', `User ${userId} already has a final timecard entry${other ? ` (${other})` : ''}; an employee has one.`);
      continue;
    }
    inCall.set(userId, f.record.externalId);
  }
}

/** Writes every tool's items; answers each record's item ID. */
async function writeItems(tx: Tx, items: readonly ResolvedItem[], set: SetOutcome): Promise<{ ids: Map<number, number> }> {
  const ids = new Map<number, number>();
  for (const tool of TOOLS) {
    const mine = items.filter((i) => i.record.tool === tool);
    if (mine.length === 0) continue;
    const spec = ITEM_TABLES[tool];
    let meetingIds = new Map<string, number>();
    if (tool === 'meeting-item') {
      const meetings = new Map<string, UpsertRow>();
      for (const i of mine) {
        if (i.record.tool !== 'meeting-item') continue;
        const m = i.record.meeting;
        meetings.set(m.externalId, { external_id: m.externalId, project_id: i.projectId, title: m.title, meeting_date: m.date });
      }
      meetingIds = (await upsertRows(tx, MEETINGS_TABLE, [...meetings.values()])).ids;
    }
    const rows = mine.map((i) => rowOf(i, meetingIds));
    const { written, ids: byExternal } = await upsertRows(tx, spec, rows);
    const outcome = new Map(written.map((w) => [w.externalId, w.created ? 'created' : 'updated'] as const));
    let rowsChanged = new Set<number>();
    if (spec.rows) {
      const desired = mine.flatMap((i) => i.rowUsers.map((u) => ({ item_id: byExternal.get(i.record.externalId) ?? 0, user_id: u })));
      rowsChanged = await syncAssignmentRows(tx, spec.rows, [...byExternal.values()], desired);
    }
    for (const i of mine) {
      const id = byExternal.get(i.record.externalId);
      if (id === undefined) throw new Error(`the ${tool} ${i.record.externalId} was neither written nor found`);
      ids.set(i.index, id);
      set(i.index, outcome.get(i.record.externalId) ?? (rowsChanged.has(id) ? 'updated' : 'unchanged'));
    }
  }
  return { ids };
}

function rowOf(i: ResolvedItem, meetingIds: Map<string, number>): UpsertRow {
  const r = i.record;
  const base = { external_id: r.externalId };
  switch (r.tool) {
    case 'rfi':
      return { ...base, project_id: i.projectId, number: r.number, subject: r.title, status: r.status, manager_id: i.holder };
    case 'submittal':
      return { ...base, project_id: i.projectId, number: r.number, title: r.title, status: r.status, manager_id: i.holder };
    case 'observation':
      return { ...base, project_id: i.projectId, number: r.number, title: r.title, status: r.status, assignee_id: i.holder };
    case 'meeting-item':
      return { ...base, meeting_id: meetingIds.get(r.meeting.externalId) ?? null, number: r.number, title: r.title, status: r.status };
    case 'inspection':
      return {
        ...base,
        project_id: i.projectId,
        number: r.number,
        title: r.title,
        status: r.status,
        responsible_contractor: r.responsibleContractor ?? null,
        point_of_contact_id: i.holder,
      };
    case 'defect':
      return { ...base, project_id: i.projectId, number: r.number, title: r.title, status: r.status, assigned_to_id: i.holder };
    case 'timecard':
      return { ...base, project_id: i.projectId, user_id: i.holder, work_date: r.workDate, hours: r.hours, is_final: r.status === 'final' };
  }
}

/** The people named on changed items who are being offboarded now (an open claim in `offboardings`). */
async function offboardingsOf(tx: Tx, items: readonly ResolvedItem[]): Promise<OffboardingToRecheck[]> {
  const named = new Map<number, Set<string>>();
  for (const i of items) {
    for (const p of i.people) {
      const keys = named.get(p.person.id) ?? new Set<string>();
      keys.add(`${i.record.tool} ${i.record.externalId}`);
      named.set(p.person.id, keys);
    }
  }
  if (named.size === 0) return [];
  const rows = await tx.execute<{ user_id: number; workflow_id: string }>(sql`
    select user_id, workflow_id from offboardings
     where ended_at is null and user_id in (select value::int from jsonb_array_elements_text(${JSON.stringify([...named.keys()])}::jsonb))
     order by user_id`);
  return rows.map((r) => ({ userId: r.user_id, workflowId: r.workflow_id, items: [...(named.get(r.user_id) ?? [])] }));
}

/** One audit row per record that changed something, in one statement. */
async function audit(tx: Tx, actorId: number, records: readonly ImportRecord[], results: readonly RecordResult[], itemIds: Map<number, number>): Promise<void> {
  const rows = results.flatMap((res) => {
    const r = records[res.index];
    if (!r || (res.outcome !== 'created' && res.outcome !== 'updated')) return [];
    const entity =
      r.kind === 'project'
        ? { entity_type: 'project', entity_id: r.number }
        : r.kind === 'member'
          ? { entity_type: 'project-member', entity_id: `${r.project}:${describePerson(r.person)}` }
          : { entity_type: r.tool, entity_id: String(itemIds.get(res.index) ?? r.externalId) };
    return [{ action: `${r.kind}.imported`, ...entity, after: { outcome: res.outcome, record: r } }];
  });
  if (rows.length === 0) return;
  await tx.execute(sql`
    insert into audit_log (actor_id, action, entity_type, entity_id, after)
    select ${actorId}, x.action, x.entity_type, x.entity_id, x.after
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(action text, entity_type text, entity_id text, after jsonb)`);
}
