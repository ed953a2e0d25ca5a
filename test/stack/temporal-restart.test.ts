// On the production topology: the Temporal server (PostgreSQL persistence) is stopped and started
// again while users wait on their managers; the two worker processes stay up through the outage.
// The waits, the reminder timers and the pending items survive; the managers' updates sent after the
// restart work, and the database shows exactly the changes they asked for.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../db/client';
import { auditLog, defectItems, rfis, users } from '../../db/schema';
import { closeItemUpdate, reassignItemUpdate, userStatusQuery, userWorkflowId } from '../../workflows/contract';
import { userOffboarding } from '../../workflows';
import { directoryFixtures } from '../helpers/directory-fixtures';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { startTestStack, type TestStack } from '../helpers/stack';
import { mailsAbout, policy, waitForUserStatus } from '../helpers/workflow-harness';

let sink: SmtpSink;
let stack: TestStack;
let db: DatabaseHandle;

beforeAll(async () => {
  sink = await startSmtpSink();
  stack = await startTestStack({ smtpUrl: sink.url, ui: false });
  db = connectDatabase(stack.databaseUrl, { max: 2 });
});
afterAll(async () => {
  await db?.close();
  await stack?.close();
  await sink?.close();
});

describe('the Temporal server restarted while users wait', () => {
  it('keeps the waits, timers and pending items; updates after the restart work', async () => {
    const fx = directoryFixtures(db.db);
    const admin = await fx.admin({ name: 'Ada Admin' });
    const manager = await fx.user({ name: 'Max Manager' });
    const colleague = await fx.user({ name: 'Col League' });
    const p = await fx.project('Tower');
    await fx.member(p, colleague);
    const leavers = [await fx.user({ managerId: manager }), await fx.user({ managerId: manager }), await fx.user({ managerId: manager })];
    const items = new Map<number, { rfi: number; defect: number }>();
    for (const u of leavers) {
      await fx.member(p, u);
      items.set(u, { rfi: await fx.rfi({ projectId: p, managerId: u }), defect: await fx.defect({ projectId: p, assignedToId: u }) });
    }
    const keysOf = (u: number) => [`rfi:${items.get(u)!.rfi}:manager`, `defect:${items.get(u)!.defect}:assigned-to`];
    // A reminder every 20 s, so a timer is pending across the restart.
    for (const u of leavers) {
      await stack.client.workflow.start(userOffboarding, {
        taskQueue: stack.taskQueue,
        workflowId: userWorkflowId(u),
        args: [{ userId: u, requestedBy: admin, batchId: null, reason: 'server restart', effectiveAt: null, successorId: null, policy: policy({ reminderIntervalMs: 20_000 }) }],
      });
    }
    const before = await Promise.all(leavers.map((u) => waitForUserStatus(stack.client, u, (s) => s.stage === 'awaiting-reassignment', 120_000)));
    const workerPids = stack.processes.map((w) => w.pid());

    const t0 = Date.now();
    await stack.temporal.stop();
    const stoppedMs = Date.now() - t0;
    // Down for a while: the workers' polls fail and back off; nothing is lost on their side either.
    await new Promise((r) => setTimeout(r, 10_000));
    const t1 = Date.now();
    await stack.temporal.start();
    const startedMs = Date.now() - t1;
    stack.look();

    // The waits and pending items are still there, read from PostgreSQL by the restarted server.
    for (const [i, u] of leavers.entries()) {
      const s = await waitForUserStatus(stack.client, u, () => true, 120_000);
      expect(s.stage).toBe('awaiting-reassignment');
      expect(s.pendingItems.map((x) => x.key).sort()).toEqual(keysOf(u).sort());
      expect(s.waitingSince).toBe(before[i]?.waitingSince);
    }
    // The reminder timers fire after the restart, and the reminders reach the SMTP server.
    const reminders = await Promise.all(leavers.map((u) => waitForUserStatus(stack.client, u, (s) => s.remindersSent >= 1, 120_000)));
    expect(reminders.every((s) => s.remindersSent >= 1)).toBe(true);
    const deadline = Date.now() + 60_000;
    while (!leavers.every((u) => mailsAbout(sink, u, 'reminder').length >= 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(leavers.every((u) => mailsAbout(sink, u, 'reminder').length >= 1)).toBe(true);

    // The managers' updates work after the restart: one reassignment and one close each.
    for (const u of leavers) {
      const handle = stack.client.workflow.getHandle<typeof userOffboarding>(userWorkflowId(u));
      const [rfiKey, defectKey] = keysOf(u);
      await handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey: rfiKey!, toUserId: colleague, by: manager }] });
      await handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: defectKey!, by: manager, note: 'done after the restart' }] });
      const result = await handle.result();
      expect(result.outcome).toBe('inactivated');
      expect((await handle.query(userStatusQuery)).stage).toBe('inactivated');
    }
    // The database: inactive, the RFI with the colleague, the defect closed, one audit row per change.
    for (const u of leavers) {
      const [row] = await db.db.select().from(users).where(eq(users.id, u));
      expect(row?.status).toBe('inactive');
      const [rfi] = await db.db.select().from(rfis).where(eq(rfis.id, items.get(u)!.rfi));
      expect(rfi?.managerId).toBe(colleague);
      const [defect] = await db.db.select().from(defectItems).where(eq(defectItems.id, items.get(u)!.defect));
      expect(defect?.status).toBe('closed');
      const audit = await db.db.select().from(auditLog).where(and(eq(auditLog.subjectUserId, u), sql`${auditLog.entityType} <> 'notification'`));
      expect(audit.map((a) => a.action).sort()).toEqual(['item.closed', 'item.reassigned', 'user.inactivated']);
      expect(mailsAbout(sink, u, 'inactivated')).toHaveLength(1);
    }
    // The same two worker processes did all of it.
    expect(stack.processes.map((w) => w.pid())).toEqual(workerPids);
    expect(stack.processes.every((w) => w.running())).toBe(true);
    console.log(`[stack] Temporal server stopped in ${(stoppedMs / 1000).toFixed(1)} s, down 10 s, up again in ${(startedMs / 1000).toFixed(1)} s; ${leavers.length} waits, their timers and ${leavers.length * 2} pending items survived`);
  });
});
