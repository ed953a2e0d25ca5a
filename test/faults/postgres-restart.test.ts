// Fault (3): PostgreSQL restarted mid-batch (a dedicated embedded cluster, so other suites are not
// touched). Activities fail while it is down and are retried; every change is one transaction, so
// there are no partial writes; the batch completes with every user inactivated and every item
// reassigned exactly once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from '@temporalio/worker';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/wait-until';
import { startBatchWorkflow } from '../../client/start-batch';
import { createActivities } from '../../activities';
import { createMailer } from '../../adapters/mail-transport';
import type { Mailer } from '../../domain/notifications/mail';
import { intArrayParam } from '../../db/int-array';
import { connectDatabase, type DatabaseHandle } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';
import { ensureDatabase, type EmbeddedPostgresServer, startEmbeddedPostgres } from '../../launcher/embedded-postgres';
import { directoryFixtures } from '../helpers/directory-fixtures';
import { freePort } from '../helpers/free-port';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { type DevServerEnvironment, startDevServerEnvironment, workflowBundle } from '../helpers/temporal';

const USERS = 30;
let env: DevServerEnvironment;
let pg: EmbeddedPostgresServer | undefined;
let pgOptions: Parameters<typeof startEmbeddedPostgres>[0];
let database: DatabaseHandle;
let sink: SmtpSink;
let mailer: Mailer;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-faults-pg-'));
  fs.chmodSync(dataDir, 0o755);
  pgOptions = { dataDir, port: await freePort(), durable: true };
  [env, pg, sink] = await Promise.all([startDevServerEnvironment(), startEmbeddedPostgres(pgOptions), startSmtpSink()]);
  await ensureDatabase(pg.url('postgres'), 'faults');
  await migrateDatabase(pg.url('faults'));
  database = connectDatabase(pg.url('faults'));
  mailer = createMailer({ smtpUrl: sink.url, outboxDir: path.join(dataDir, 'outbox'), mailFrom: 'Offboarding <o@example.com>', log: () => undefined });
});
afterAll(async () => {
  await mailer?.close();
  await sink?.close();
  await database?.close().catch(() => undefined);
  await pg?.stop().catch(() => undefined);
  await env?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const count = async (query: ReturnType<typeof sql>) => {
  const [row] = await database.db.execute<{ n: number }>(query);
  return Number(row?.n ?? 0);
};

describe('PostgreSQL restarted mid-batch', () => {
  it('the batch completes; every user inactivated once, every item reassigned once, no partial writes', async () => {
    const fx = directoryFixtures(database.db);
    const admin = await fx.admin({ name: 'Ada Admin' });
    const manager = await fx.user({ name: 'Max Manager' });
    const successor = await fx.user({ name: 'Sam Successor' });
    const p = await fx.project('Tower');
    await fx.member(p, successor);
    const leavers: number[] = [];
    const defects: number[] = [];
    for (let i = 0; i < USERS; i++) {
      const u = await fx.user({ managerId: manager });
      await fx.member(p, u);
      leavers.push(u);
      defects.push(await fx.defect({ projectId: p, assignedToId: u }));
      await fx.observation({ projectId: p, assigneeId: u });
    }
    const taskQueue = `faults-pg-${process.pid}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: workflowBundle(),
      activities: createActivities({ db: database.db, mailer, clock: () => new Date() }),
    });
    const batchId = `pg-restart-${process.pid}`;
    let restarted = false;
    await worker.runUntil(async () => {
      const handle = await startBatchWorkflow(env.client, taskQueue, {
        batchId,
        userIds: leavers,
        requestedBy: admin,
        reason: 'pg fault',
        effectiveAt: null,
        successors: Object.fromEntries(leavers.map((u) => [String(u), successor])),
        policy: {},
        tuning: { window: 10 },
      });
      // Mid-batch: some items handed over, not all users done.
      await waitUntil('10 items handed over', async () => (await count(sql`select count(*)::int as n from audit_log where action = 'item.reassigned'`)) >= 10, 5 * 60_000, 100);
      await pg?.stop();
      pg = undefined;
      await sleep(4_000); // activities fail and are retried meanwhile
      pg = await startEmbeddedPostgres(pgOptions);
      restarted = true;
      const summary = await handle.result();
      expect(summary.inactivated.sort((a, b) => a - b)).toEqual([...leavers].sort((a, b) => a - b));
      expect(summary.failed).toEqual([]);
    });
    expect(restarted).toBe(true);

    // Every user inactivated exactly once, with one audit row each.
    expect(await count(sql`select count(*)::int as n from users where id = any(${intArrayParam(leavers)}) and status = 'inactive'`)).toBe(USERS);
    const perUser = await database.db.execute<{ subject_user_id: number; n: number }>(
      sql`select subject_user_id, count(*)::int as n from audit_log where action = 'user.inactivated' group by 1`,
    );
    expect(perUser.length).toBe(USERS);
    expect(perUser.every((r) => r.n === 1)).toBe(true);
    // Every item (a defect and an observation per user) reassigned exactly once, to the successor,
    // and no change without its audit row nor an audit row without its change.
    const perItem = await database.db.execute<{ entity_type: string; entity_id: string; n: number }>(
      sql`select entity_type, entity_id, count(*)::int as n from audit_log where action = 'item.reassigned' group by 1, 2`,
    );
    expect(perItem.length).toBe(2 * USERS);
    expect(perItem.every((r) => r.n === 1)).toBe(true);
    expect(await count(sql`select count(*)::int as n from defect_items where assigned_to_id = ${successor}`)).toBe(USERS);
    expect(await count(sql`select count(*)::int as n from observations where assignee_id = ${successor}`)).toBe(USERS);
    expect(await count(sql`select count(*)::int as n from offboardings where ended_at is null`)).toBe(0);
    // The manager hears of the inactivations in digests (issue 25), each person in exactly one; no
    // per-person "was inactivated" email any more.
    const digests = await database.db.execute<{ text: string }>(
      sql`select text_body as text from notification_outbox where kind = 'inactivated-digest' and status = 'sent'`,
    );
    const names = await database.db.execute<{ name: string }>(sql`select name from users where id = any(${intArrayParam(leavers)})`);
    expect(names).toHaveLength(USERS);
    for (const { name } of names) expect(digests.filter((d) => d.text.includes(`- ${name}: inactivated on`)), name).toHaveLength(1);
    expect(sink.messages.filter((m) => m.parsed.headers.get('x-offboarding-kind') === 'inactivated')).toEqual([]);
    expect(new Set(sink.messages.filter((m) => m.parsed.headers.get('x-offboarding-kind') === 'inactivated-digest').map((m) => m.parsed.messageId)).size).toBe(digests.length);
    expect(defects).toHaveLength(USERS);
  });
});
