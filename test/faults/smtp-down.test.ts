// Fault (4): SMTP down for a stretch, then back. No inactivation waits for email; failures are visible
// in the outbox (attempts, attempt_log, last_error) while it is down; after recovery every message is
// delivered exactly once. A batch emails in digests (issue 25): the manager's closing digest is the
// one that meets the outage.
import type { userOffboarding } from '../../workflows';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBatchWorkflow } from '../../client/start-batch';
import { createActivities } from '../../activities';
import { createMailer } from '../../adapters/mail-transport';
import type { Mailer } from '../../domain/notifications/mail';
import { notificationOutbox, users } from '../../db/schema';
import { userStatusQuery, userWorkflowId } from '../../workflows/contract';
import { type ControllableSmtp, startControllableSmtp } from '../helpers/fault-tools';
import { type DevServerEnvironment, startDevServerEnvironment } from '../helpers/temporal';
import { createWorker, type Harness, startHarness } from '../helpers/workflow-harness';
import { budget } from '../helpers/time-budget';

let env: DevServerEnvironment;
let h: Harness;
let smtp: ControllableSmtp;
let mailer: Mailer;

beforeAll(async () => {
  [env, h, smtp] = await Promise.all([startDevServerEnvironment(), startHarness(), startControllableSmtp()]);
  mailer = createMailer({ smtpUrl: smtp.url, outboxDir: path.join(os.tmpdir(), 'offboarding-faults-outbox'), mailFrom: 'Offboarding <o@example.com>', log: () => undefined });
});
afterAll(async () => {
  await mailer?.close();
  await smtp?.close();
  await env?.stop();
  await h?.close();
});

describe('SMTP down, then back', () => {
  it('inactivates without waiting for email, shows the failures, then delivers every message once', async () => {
    const admin = await h.fx.admin({ name: 'Ada Admin' });
    const manager = await h.fx.user({ name: 'Max Manager' });
    const leavers: number[] = [];
    for (let i = 0; i < 5; i++) leavers.push(await h.fx.user({ managerId: manager }));
    const { worker, taskQueue } = await createWorker(env, createActivities({ db: h.t.db, mailer, clock: () => new Date() }));

    await smtp.down();
    const downAt = Date.now();
    const batchId = `smtp-down-${process.pid}`;
    await worker.runUntil(async () => {
      const handle = await startBatchWorkflow(env.client, taskQueue, { batchId, userIds: leavers, requestedBy: admin, reason: 'smtp fault', effectiveAt: null, successors: {}, policy: {} });
      // Nobody waits for email: every user is inactivated while the server is down.
      await vi.waitFor(
        async () => {
          const rows = await h.t.db.select().from(users).where(inArray(users.id, leavers));
          expect(rows.every((r) => r.status === 'inactive')).toBe(true);
        },
        { timeout: budget(60_000), interval: 250 },
      );
      expect(smtp.messages).toHaveLength(0);

      // The failures are visible: the batch tells the manager in one closing digest (issue 25), whose
      // outbox row stays pending, its failed attempts logged.
      await vi.waitFor(
        async () => {
          const rows = await h.t.db.select().from(notificationOutbox);
          expect(rows.filter((r) => r.kind === 'inactivated-digest')).toHaveLength(1);
          for (const r of rows) {
            expect(r.status).not.toBe('sent');
            expect(r.attempts).toBeGreaterThanOrEqual(1);
            expect(r.lastError).toBeTruthy();
            expect(r.attemptLog.some((a) => !a.ok)).toBe(true);
          }
        },
        { timeout: budget(60_000), interval: 500 },
      );
      // The people's workflows are done: nothing of theirs waits for email any more.
      for (const u of leavers) {
        const child = env.client.workflow.getHandle<typeof userOffboarding>(userWorkflowId(u));
        expect((await child.result()).outcome).toBe('inactivated');
        expect((await child.query(userStatusQuery)).emailFailures).toBe(0);
      }

      // Down for a stretch (at least 12 s), then back: the digest round's next attempt gets through,
      // and the batch, which tells the manager before it ends, ends.
      await sleep(Math.max(0, 12_000 - (Date.now() - downAt)));
      await smtp.up();
      const summary = await handle.result();
      expect(summary.inactivated.sort((a, b) => a - b)).toEqual([...leavers].sort((a, b) => a - b));
    });

    // Exactly once: one message per outbox row, every row sent, retried at least once.
    await vi.waitFor(async () => {
      const rows = await h.t.db.select().from(notificationOutbox);
      expect(rows.filter((r) => r.status !== 'sent').map((r) => [r.kind, r.status, r.attempts, r.lastError])).toEqual([]);
    }, { timeout: 30_000, interval: 500 });
    const rows = await h.t.db.select().from(notificationOutbox);
    expect(rows.filter((r) => r.kind === 'inactivated-digest').every((r) => r.attempts >= 2)).toBe(true);
    expect(smtp.messages.filter((m) => m.kind === 'inactivated-digest')).toHaveLength(1);
    expect(smtp.messages.filter((m) => m.kind === 'inactivated')).toEqual([]);
    expect(smtp.messages.filter((m) => m.kind === 'batch-summary')).toHaveLength(1);
    expect(smtp.messages).toHaveLength(rows.length);
  });
});
