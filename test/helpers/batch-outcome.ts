// The checks after a bulk batch (test/helpers/bulk-directory.ts) survived a fault: every user
// inactivated exactly once, every item reassigned exactly once to the successor (one audit row each),
// every claim ended, one confirmation per user in the outbox and at the SMTP server. Returns how many
// confirmations the SMTP server got twice (same Message-ID: a resend after a worker died between the
// server's 250 and the outbox commit), for the caller to assert or report.
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Database } from '../../db/client';
import type { BulkDirectory } from './bulk-directory';
import type { SmtpSink } from './smtp-sink';
import { mailsAbout } from './workflow-harness';

export async function expectBatchDoneOnce(db: Database, sink: SmtpSink, dir: BulkDirectory): Promise<{ duplicates: number }> {
  const users = dir.leavers.length;
  const count = async (query: ReturnType<typeof sql>): Promise<number> => {
    const [row] = await db.execute<{ n: number }>(query);
    return Number(row?.n ?? 0);
  };
  expect(await count(sql`select count(*)::int as n from users where email like 'leaver%@bulk.example' and status = 'inactive'`)).toBe(users);
  const perUser = await db.execute<{ n: number }>(sql`select count(*)::int as n from audit_log where action = 'user.inactivated' group by subject_user_id`);
  expect(perUser).toHaveLength(users);
  expect(perUser.every((r) => r.n === 1)).toBe(true);
  const perItem = await db.execute<{ n: number }>(sql`select count(*)::int as n from audit_log where action = 'item.reassigned' group by entity_type, entity_id`);
  expect(perItem).toHaveLength(dir.items);
  expect(perItem.every((r) => r.n === 1)).toBe(true);
  expect(
    await count(sql`select count(*)::int as n from defect_items d join users u on u.id = d.assigned_to_id where u.email like 'successor%@bulk.example'`),
  ).toBe(dir.items);
  expect(await count(sql`select count(*)::int as n from offboardings where ended_at is null`)).toBe(0);
  const outbox = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from notification_outbox where kind = 'inactivated' and status = 'sent' group by workflow_id`,
  );
  expect(outbox).toHaveLength(users);
  expect(outbox.every((r) => r.n === 1)).toBe(true);
  await sink.waitFor(users + 1, 60_000);
  let duplicates = 0;
  for (const u of dir.leavers) {
    const mails = mailsAbout(sink, u, 'inactivated');
    expect(mails.length).toBeGreaterThanOrEqual(1);
    expect(new Set(mails.map((m) => m.parsed.messageId)).size).toBe(1);
    duplicates += mails.length - 1;
  }
  const summaries = sink.messages.filter((m) => m.parsed.headers.get('x-offboarding-kind') === 'batch-summary');
  expect(summaries.length).toBeGreaterThanOrEqual(1);
  expect(new Set(summaries.map((m) => m.parsed.messageId)).size).toBe(1);
  return { duplicates };
}
