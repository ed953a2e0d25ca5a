// Fault (4): SMTP down for a stretch, then back. No inactivation waits for email; failures are visible
// in the outbox (attempts, attempt_log, last_error) while it is down; after recovery every message is
// delivered exactly once.
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

      // The failures are visible: one outbox row per message, pending, with failed attempts logged.
      await vi.waitFor(
        async () => {
          const rows = await h.t.db.select().from(notificationOutbox);
          expect(rows.filter((r) => r.kind === 'inactivated')).toHaveLength(leavers.length);
          for (const r of rows) {
            expect(r.status).not.toBe('sent');
            expect(r.attempts).toBeGreaterThanOrEqual(1);
            expect(r.lastError).toBeTruthy();
            expect(r.attemptLog.some((a) => !a.ok)).toBe(true);
          }
        },
        { timeout: budget(60_000), interval: 500 },
      );
      // The user workflows are inactivated and waiting only for their email (retried with backoff).
      for (const u of leavers) {
        const s = await env.client.workflow.getHandle(userWorkflowId(u)).query(userStatusQuery);
        expect(s.stage).toBe('inactivated');
        expect(s.result?.outcome).toBe('inactivated');
      }

      // Down for a stretch (at least 12 s), then back.
      await sleep(Math.max(0, 12_000 - (Date.now() - downAt)));
      await smtp.up();
      const summary = await handle.result();
      expect(summary.inactivated.sort((a, b) => a - b)).toEqual([...leavers].sort((a, b) => a - b));
      // The batch ends once every child reports its final stage; each child still finishes its own
      // email before it completes. emailFailures counts sends that failed for good (after a day of
      // retries): none here.
      for (const u of leavers) {
        const child = env.client.workflow.getHandle<typeof userOffboarding>(userWorkflowId(u));
        expect((await child.result()).outcome).toBe('inactivated');
        expect((await child.query(userStatusQuery)).emailFailures).toBe(0);
      }
    });

    // Exactly once: one message per outbox row, every row sent, retried at least once.
    await vi.waitFor(async () => {
      const rows = await h.t.db.select().from(notificationOutbox);
      expect(rows.filter((r) => r.status !== 'sent').map((r) => [r.kind, r.status, r.attempts, r.lastError])).toEqual([]);
    }, { timeout: 30_000, interval: 500 });
    const rows = await h.t.db.select().from(notificationOutbox);
    expect(rows.filter((r) => r.kind === 'inactivated').every((r) => r.attempts >= 2)).toBe(true);
    for (const u of leavers) expect(smtp.messages.filter((m) => m.kind === 'inactivated' && m.userId === String(u))).toHaveLength(1);
    expect(smtp.messages.filter((m) => m.kind === 'batch-summary')).toHaveLength(1);
    expect(smtp.messages).toHaveLength(rows.length);
  });
});
