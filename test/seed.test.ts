import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanAllOpenItems } from '../domain/open-items';
import { DEMO_PEOPLE, seedDemoDirectory } from '../db/seed';
import { createTestDatabase, type TestDatabase } from './helpers/database';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

// Open/closed per tool, with the predicates of DESIGN.md's table.
const OPEN_AND_CLOSED = `
  select 'rfi' as tool, count(*) filter (where status in ('draft','open'))::int as open, count(*) filter (where status = 'closed')::int as closed from rfis
  union all select 'submittal', count(*) filter (where status <> 'closed'), count(*) filter (where status = 'closed') from submittals
  union all select 'observation', count(*) filter (where status <> 'closed'), count(*) filter (where status = 'closed') from observations
  union all select 'meeting-item', count(*) filter (where status = 'open'), count(*) filter (where status = 'closed') from meeting_items
  union all select 'inspection', count(*) filter (where status <> 'closed'), count(*) filter (where status = 'closed') from inspections
  union all select 'defect', count(*) filter (where status <> 'closed'), count(*) filter (where status = 'closed') from defect_items
  union all select 'timecard',
    (select count(*) from users u where u.is_employee and u.status = 'active'
        and not exists (select 1 from timecard_entries f where f.user_id = u.id and f.is_final)
        and (exists (select 1 from timecard_entries te where te.user_id = u.id)
             or exists (select 1 from project_members pm where pm.user_id = u.id))),
    (select count(*) from timecard_entries where is_final)`;

describe('demo seed', () => {
  it('loads a realistic directory into an empty database, once', async () => {
    const first = await seedDemoDirectory(t.db);
    expect(first).toMatchObject({ seeded: true, users: DEMO_PEOPLE.length });
    expect(first.users).toBeGreaterThanOrEqual(25);
    expect(first.projects).toBeGreaterThanOrEqual(3);
    const again = await seedDemoDirectory(t.db);
    expect(again.seeded).toBe(false);
    const [{ n }] = (await t.sql`select count(*)::int as n from users`) as unknown as [{ n: number }];
    expect(n).toBe(DEMO_PEOPLE.length);
  });

  it('has open and closed items in all seven tools', async () => {
    const rows = (await t.sql.unsafe(OPEN_AND_CLOSED)) as unknown as { tool: string; open: number; closed: number }[];
    expect(rows.map((r) => r.tool)).toEqual(['rfi', 'submittal', 'observation', 'meeting-item', 'inspection', 'defect', 'timecard']);
    for (const r of rows) {
      expect(Number(r.open), `${r.tool} open`).toBeGreaterThan(0);
      expect(Number(r.closed), `${r.tool} closed`).toBeGreaterThan(0);
    }
    const [pending] = await t.sql`select count(*)::int as n from submittal_approvers where response = 'pending'`;
    const [answered] = await t.sql`select count(*)::int as n from submittal_approvers where response <> 'pending'`;
    expect(pending!.n).toBeGreaterThan(0);
    expect(answered!.n).toBeGreaterThan(0);
  });

  it('covers the shapes of a real directory', async () => {
    const [shape] = await t.sql`
      select count(*) filter (where directory_permission = 'admin')::int as admins,
             count(*) filter (where email is null)::int as without_email,
             count(*) filter (where manager_id is null and is_employee)::int as employees_without_manager,
             count(*) filter (where not is_employee)::int as subcontractor_staff,
             count(distinct company)::int as companies,
             count(*) filter (where status = 'inactive')::int as inactive
        from users`;
    expect(shape!.admins).toBeGreaterThanOrEqual(2);
    expect(shape!.without_email).toBeGreaterThan(0);
    expect(shape!.employees_without_manager).toBe(1);
    expect(shape!.subcontractor_staff).toBeGreaterThan(3);
    expect(shape!.companies).toBeGreaterThan(3);
    expect(shape!.inactive).toBeGreaterThan(0);
    const [managers] = await t.sql`select count(distinct manager_id)::int as n from users where manager_id is not null`;
    expect(managers!.n).toBeGreaterThan(5);
    const [projectAdmin] = await t.sql`
      select count(*)::int as n from project_members pm join users u on u.id = pm.user_id
       where pm.directory_permission = 'admin' and u.directory_permission <> 'admin'`;
    expect(projectAdmin!.n).toBeGreaterThan(0);
  });

  it('leaves some active users with nothing open', async () => {
    const idle = await t.sql`
      select u.name from users u
       where u.status = 'active'
         and not exists (select 1 from rfis r where r.manager_id = u.id and r.status in ('draft','open'))
         and not exists (select 1 from rfi_assignees a join rfis r on r.id = a.rfi_id where a.user_id = u.id and r.status in ('draft','open'))
         and not exists (select 1 from submittals s where s.manager_id = u.id and s.status <> 'closed')
         and not exists (select 1 from submittal_approvers a join submittals s on s.id = a.submittal_id
                          where a.user_id = u.id and a.response = 'pending' and s.status <> 'closed')
         and not exists (select 1 from observations o where o.assignee_id = u.id and o.status <> 'closed')
         and not exists (select 1 from meeting_item_assignees a join meeting_items i on i.id = a.meeting_item_id
                          where a.user_id = u.id and i.status = 'open')
         and not exists (select 1 from inspections i where i.point_of_contact_id = u.id and i.status <> 'closed')
         and not exists (select 1 from defect_items d where d.assigned_to_id = u.id and d.status <> 'closed')
         and not (u.is_employee and not exists (select 1 from timecard_entries f where f.user_id = u.id and f.is_final)
                  and (exists (select 1 from timecard_entries te where te.user_id = u.id)
                       or exists (select 1 from project_members pm where pm.user_id = u.id)))
       order by u.id`;
    expect(idle.length).toBeGreaterThanOrEqual(2);
  });

  it('every open item of the demo has a project, so the product can reassign or close it', async () => {
    const items = await scanAllOpenItems(t.db);
    expect(items.length).toBeGreaterThan(0);
    expect(items.filter((i) => i.projectId === null).map((i) => i.key)).toEqual([]);
  });
});
