// A large directory, set-based (INSERT … SELECT generate_series), for batches of hundreds or thousands
// of users: an admin, one successor per project (also the leavers' manager, so notices go to them),
// and the leavers, each a member of one project holding up to five open items there (an RFI and a
// submittal as manager, an observation, an inspection as point of contact, a defect). The same shape
// as bench/batch.bench.ts's; the stack tests and the stack bench share this one. No vitest imports.
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';

export type BulkDirectory = { admin: number; leavers: number[]; successors: Record<string, number>; items: number };

/** Which item each leaver holds, in this order, for itemsPerUser = 1..5. */
const ITEM_INSERTS: SQL[] = [
  sql`insert into defect_items (project_id, number, title, status, assigned_to_id)
      select p.id, 'D-' || l.k, 'Defect ' || l.k, 'work_required', l.id from bulk_leavers l join projects p on p.number = l.project`,
  sql`insert into rfis (project_id, number, subject, status, manager_id)
      select p.id, 'RFI-' || l.k, 'Question ' || l.k, 'open', l.id from bulk_leavers l join projects p on p.number = l.project`,
  sql`insert into submittals (project_id, number, title, status, manager_id)
      select p.id, 'S-' || l.k, 'Submittal ' || l.k, 'open', l.id from bulk_leavers l join projects p on p.number = l.project`,
  sql`insert into observations (project_id, number, title, status, assignee_id)
      select p.id, 'O-' || l.k, 'Observation ' || l.k, 'initiated', l.id from bulk_leavers l join projects p on p.number = l.project`,
  sql`insert into inspections (project_id, number, title, status, responsible_contractor, point_of_contact_id)
      select p.id, 'I-' || l.k, 'Inspection ' || l.k, 'in_progress', 'Contractor', l.id from bulk_leavers l join projects p on p.number = l.project`,
];

export async function createBulkDirectory(db: Database, o: { users: number; itemsPerUser: number }): Promise<BulkDirectory> {
  if (o.itemsPerUser < 0 || o.itemsPerUser > ITEM_INSERTS.length) throw new Error(`itemsPerUser must be 0..${ITEM_INSERTS.length}`);
  const projects = Math.max(1, Math.min(100, Math.floor(o.users / 10)));
  await db.transaction(async (tx) => {
    const steps = [
      sql`insert into users (name, email, company, directory_permission) values ('Bulk Admin', 'admin@bulk.example', 'Acme', 'admin')`,
      sql`insert into projects (number, name) select 'P-' || g, 'Project ' || g from generate_series(1, ${projects}) g`,
      sql`insert into users (name, email, company)
          select 'Successor ' || g, 'successor' || g || '@bulk.example', 'Acme' from generate_series(1, ${projects}) g`,
      sql`insert into project_members (project_id, user_id)
          select p.id, u.id from projects p join users u on u.email = 'successor' || substr(p.number, 3) || '@bulk.example'`,
      sql`insert into users (name, email, company, manager_id)
          select 'Leaver ' || g, 'leaver' || g || '@bulk.example', 'Acme',
                 (select id from users where email = 'successor' || ((g - 1) % ${projects} + 1) || '@bulk.example')
            from generate_series(1, ${o.users}) g`,
      sql`create temporary table bulk_leavers on commit drop as
          select u.id, substr(split_part(u.email, '@', 1), 7)::int as k,
                 'P-' || ((substr(split_part(u.email, '@', 1), 7)::int - 1) % ${projects} + 1) as project
            from users u where u.email like 'leaver%@bulk.example'`,
      sql`insert into project_members (project_id, user_id) select p.id, l.id from bulk_leavers l join projects p on p.number = l.project`,
      ...ITEM_INSERTS.slice(0, o.itemsPerUser),
      sql`analyze`,
    ];
    for (const step of steps) await tx.execute(step);
  });
  const [admin] = await db.execute<{ id: number }>(sql`select id from users where email = 'admin@bulk.example'`);
  const pairs = await db.execute<{ leaver: number; successor: number }>(sql`
    select l.id as leaver, l.manager_id as successor from users l where l.email like 'leaver%@bulk.example' order by l.id`);
  if (!admin || pairs.length !== o.users) throw new Error(`bulk directory: expected ${o.users} leavers, got ${pairs.length}`);
  return {
    admin: admin.id,
    leavers: pairs.map((p) => p.leaver),
    successors: Object.fromEntries(pairs.map((p) => [String(p.leaver), p.successor])),
    items: o.users * o.itemsPerUser,
  };
}
