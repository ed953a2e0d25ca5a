// Directory reads for the CLI and the web (plain functions over `db`, not activities): user lookup, the active
// and inactive user lists, the assignable users of a project (the "drop-down") and the Assignment
// Report.
import { eq, inArray, sql } from 'drizzle-orm';
import { type User, users } from '../db/schema';
import type { OpenItem } from '../workflows/contract';
import { intArrayParam } from '../db/int-array';
import type { DbOrTx } from '../db/transaction';
import { scanAllOpenItems, scanOpenItems } from './open-items';
import { isUserId, parseIdText } from '../workflows/contract';
import { refuse } from './refusal';

export type UserRef = { id: number; name: string };

/**
 * A user ID or an email address (case-insensitive). Anything else, "1e1", "0x0A" or "+10" included, is
 * INVALID_INPUT: it names nobody, and USER_NOT_FOUND would send the person looking for a user.
 */
export async function resolveUserRef(db: DbOrTx, ref: string): Promise<User> {
  const text = String(ref).trim();
  // An ID is read as given (" 12" is refused, as on the web); an email may come with spaces around it.
  const id = parseIdText(String(ref));
  if (id === undefined && !text.includes('@')) {
    refuse('INVALID_INPUT', `"${text.slice(0, 40)}" is not a user ID (digits, like 42) or an email address.`);
  }
  const rows =
    id !== undefined
      ? await db.select().from(users).where(eq(users.id, id))
      : await db.select().from(users).where(sql`lower(${users.email}) = lower(${text})`);
  const user = rows[0];
  if (!user) refuse('USER_NOT_FOUND', `No user has the ID or email "${text.slice(0, 120)}".`);
  return user;
}

/** Who a person is by ID, with what the pages and commands check before they act on them. */
export type UserSummary = { id: number; name: string; email: string | null; status: 'active' | 'inactive' };

/** The users of these IDs that exist (in no particular order); an unknown ID is left out. */
export async function usersByIds(db: DbOrTx, ids: readonly number[]): Promise<UserSummary[]> {
  if (ids.length === 0) return [];
  return db.select({ id: users.id, name: users.name, email: users.email, status: users.status }).from(users).where(inArray(users.id, [...new Set(ids)]));
}

/** The users of these IDs that exist, with their manager's ID (the batch review names the managers). */
export async function usersWithManagers(db: DbOrTx, ids: readonly number[]): Promise<(Omit<UserSummary, 'status'> & { managerId: number | null })[]> {
  if (ids.length === 0) return [];
  return db.select({ id: users.id, name: users.name, email: users.email, managerId: users.managerId }).from(users).where(inArray(users.id, [...new Set(ids)]));
}

/**
 * The active person with this email address (case-insensitive), if any: whom a sign-in link or an SSO
 * proxy's header names. An inactive person's address names nobody.
 */
export async function activeUserByEmail(db: DbOrTx, email: string): Promise<{ id: number; isAdmin: boolean } | undefined> {
  const [user] = await db.execute<{ id: number; isAdmin: boolean }>(
    sql`select id, (directory_permission = 'admin') as "isAdmin" from users where lower(email) = lower(${email}) and status = 'active' and deprovisioned_at is null`,
  );
  return user;
}

export type DirectoryUser = {
  id: number;
  name: string;
  email: string | null;
  jobTitle: string | null;
  company: string;
  isEmployee: boolean;
  directoryPermission: string;
  /** Permission on the project's directory, when listing one project. */
  projectPermission: string | null;
  manager: UserRef | null;
};

/** Active users (of one project when `projectId` is given), by name. */
export async function listUsers(db: DbOrTx, options: { projectId?: number } = {}): Promise<DirectoryUser[]> {
  const project = options.projectId;
  const rows = await db.execute<DirectoryUser & { managerId: number | null; managerName: string | null }>(sql`
    select u.id, u.name, u.email, u.job_title as "jobTitle", u.company, u.is_employee as "isEmployee",
           u.directory_permission::text as "directoryPermission",
           ${project === undefined ? sql`null::text` : sql`pm.directory_permission::text`} as "projectPermission",
           m.id as "managerId", m.name as "managerName"
      from users u
      ${project === undefined ? sql`` : sql`join project_members pm on pm.user_id = u.id and pm.project_id = ${project}`}
      left join users m on m.id = u.manager_id
     where u.status = 'active'
     order by u.name, u.id`);
  return rows.map(({ managerId, managerName, ...u }) => ({
    ...u,
    manager: managerId === null ? null : { id: managerId, name: managerName ?? '' },
  }));
}

export type InactiveUser = {
  id: number;
  name: string;
  email: string | null;
  company: string;
  inactivatedAt: string;
  inactivatedBy: UserRef | null;
  reason: string | null;
  workflowId: string | null;
  /** The batch that inactivated them, when a batch did. */
  batchId: string | null;
};

/**
 * The "inactive users" view: when, by whom and why each inactive user was inactivated, newest first.
 * `limit`/`offset` give one page of it (the web's); without them, all.
 */
export async function inactiveUsers(db: DbOrTx, options: { projectId?: number; limit?: number; offset?: number } = {}): Promise<InactiveUser[]> {
  const project = options.projectId;
  const page = options.limit === undefined ? sql`` : sql`limit ${options.limit} offset ${options.offset ?? 0}`;
  const rows = await db.execute<Omit<InactiveUser, 'inactivatedBy'> & { byId: number | null; byName: string | null }>(sql`
    select u.id, u.name, u.email, u.company, to_json(u.inactivated_at) #>> '{}' as "inactivatedAt",
           b.id as "byId", b.name as "byName", u.inactivation_reason as reason,
           u.inactivation_workflow_id as "workflowId",
           (select o.batch_id from offboardings o
             where o.user_id = u.id and o.workflow_id = u.inactivation_workflow_id and o.outcome = 'inactivated'
             order by o.ended_at desc limit 1) as "batchId"
      from users u
      left join users b on b.id = u.inactivated_by
     where u.status = 'inactive'
       ${project === undefined ? sql`` : sql`and exists (select 1 from project_members pm where pm.user_id = u.id and pm.project_id = ${project})`}
     order by u.inactivated_at desc, u.id
     ${page}`);
  return rows.map(({ byId, byName, ...u }) => ({
    ...u,
    inactivatedAt: new Date(u.inactivatedAt).toISOString(),
    inactivatedBy: byId === null ? null : { id: byId, name: byName ?? '' },
  }));
}

/** How many users are inactive: the pages of the inactive users view. */
export async function countInactiveUsers(db: DbOrTx): Promise<number> {
  const [row] = await db.execute<{ n: number }>(sql`select count(*)::int as n from users where status = 'inactive'`);
  return row?.n ?? 0;
}

export type AssignableUser = { id: number; name: string; email: string | null; company: string; beingOffboarded: boolean };

/** Who can be chosen as an assignee on a project: active members only; those being offboarded are marked. */
export async function assignableUsers(db: DbOrTx, projectId: number): Promise<AssignableUser[]> {
  return db.execute<AssignableUser>(sql`
    select u.id, u.name, u.email, u.company,
           exists (select 1 from offboardings o where o.user_id = u.id and o.ended_at is null) as "beingOffboarded"
      from project_members pm join users u on u.id = pm.user_id
     where pm.project_id = ${projectId} and u.status = 'active'
     order by u.name, u.id`);
}

export type AssignmentReportRow = { userId: number; userName: string; status: 'active' | 'inactive'; items: OpenItem[] };

/**
 * The Assignment Report: open items grouped by responsible user. With `userIds`, only those users
 * (in ascending ID order, including users with nothing open); without, every user with open items.
 * Two queries either way: the scan, and the names.
 */
export async function assignmentReport(db: DbOrTx, userIds?: readonly number[]): Promise<AssignmentReportRow[]> {
  const items = userIds === undefined ? await scanAllOpenItems(db) : await scanOpenItems(db, userIds);
  const ids = userIds === undefined ? [...new Set(items.map((i) => i.userId))] : [...new Set(userIds.filter(isUserId))];
  if (ids.length === 0) return [];
  const people = await db.execute<{ id: number; name: string; status: 'active' | 'inactive' }>(
    sql`select id, name, status::text as status from users where id = any(${intArrayParam(ids)}) order by id`,
  );
  const byUser = new Map<number, OpenItem[]>();
  for (const item of items) {
    const list = byUser.get(item.userId);
    if (list) list.push(item);
    else byUser.set(item.userId, [item]);
  }
  return people.map((p) => ({ userId: p.id, userName: p.name, status: p.status, items: byUser.get(p.id) ?? [] }));
}
