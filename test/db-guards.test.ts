import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, users } from '../db/schema';
import { createTestDatabase, type TestDatabase } from './helpers/database';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe('never delete', () => {
  it('refuses DELETE on users with a clear message, and the row stays', async () => {
    const [u] = await t.db.insert(users).values({ name: 'Ana Ortiz', email: 'ana@example.com', company: 'Acme' }).returning();
    await expect(t.sql`delete from users where id = ${u!.id}`).rejects.toThrow(/users are never deleted: inactivate user/);
    const rows = await t.db.select().from(users).where(sql`id = ${u!.id}`);
    expect(rows).toHaveLength(1);
  });

  it('refuses TRUNCATE on users', async () => {
    await expect(t.sql`truncate users cascade`).rejects.toThrow(/users are never deleted/);
  });

  it('refuses UPDATE and DELETE of past audit rows, but accepts new ones', async () => {
    const [row] = await t.db
      .insert(auditLog)
      .values({ action: 'test', entityType: 'user', entityId: '1', after: { ok: true } })
      .returning();
    await expect(t.sql`update audit_log set action = 'tampered' where id = ${row!.id}`).rejects.toThrow(/append-only/);
    await expect(t.sql`delete from audit_log where id = ${row!.id}`).rejects.toThrow(/append-only/);
    const [again] = await t.sql`select action from audit_log where id = ${row!.id}`;
    expect(again!.action).toBe('test');
  });

  it('treats emails case-insensitively unique', async () => {
    await t.db.insert(users).values({ name: 'Bo', email: 'Bo@Example.com', company: 'Acme' });
    await expect(
      t.sql`insert into users (name, email, company) values ('Bo 2', 'bo@example.COM', 'Acme')`,
    ).rejects.toThrow(/users_email_lower_unique/);
  });
});

describe('schema', () => {
  it('indexes every responsibility column of the seven tools', async () => {
    const rows = await t.sql<{ tablename: string; indexdef: string }[]>`
      select tablename, indexdef from pg_indexes where schemaname = 'public'`;
    const indexed = (table: string, column: string) =>
      rows.some((r) => r.tablename === table && new RegExp(`\\(${column}[,)]`).test(r.indexdef));
    const responsibility: [string, string][] = [
      ['rfis', 'manager_id'],
      ['rfi_assignees', 'user_id'],
      ['submittals', 'manager_id'],
      ['submittal_approvers', 'user_id'],
      ['observations', 'assignee_id'],
      ['meeting_item_assignees', 'user_id'],
      ['inspections', 'point_of_contact_id'],
      ['defect_items', 'assigned_to_id'],
      ['timecard_entries', 'user_id'],
    ];
    for (const [table, column] of responsibility) expect(indexed(table, column), `${table}.${column}`).toBe(true);
  });
});
