// Quick fault test (in `npm test`): graceful shutdown of the real worker process. SIGTERM arrives
// while an activity is in flight (an email held by a slow SMTP server): the activity finishes, the
// worker exits 0, and the message was delivered exactly once. The long fault tests are in test/faults/
// (`npm run test:faults`).
import { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationOutbox, users } from '../db/schema';
import { userStatusQuery, userWorkflowId } from '../workflows/contract';
import { userOffboarding } from '../workflows';
import { type ControllableSmtp, startControllableSmtp, startWorkerProcess, type WorkerProcess } from './helpers/fault-tools';
import { type DevServerEnvironment, sharedDevServerEnvironment, workflowBundle } from './helpers/temporal';
import { type Harness, policy, startHarness } from './helpers/workflow-harness';

let env: DevServerEnvironment;
let h: Harness;
let smtp: ControllableSmtp;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [env, h, smtp] = await Promise.all([sharedDevServerEnvironment(), startHarness(), startControllableSmtp()]);
});
afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.stop()));
  await smtp?.close();
  await env?.stop();
  await h?.close();
});

describe('faults (quick)', () => {
  it('SIGTERM while an email is in flight: the activity finishes, the worker exits 0, one message', async () => {
    const taskQueue = `faults-sigterm-${process.pid}`;
    const worker = await startWorkerProcess({ DATABASE_URL: h.t.url, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, TEMPORAL_TASK_QUEUE: taskQueue, SMTP_URL: smtp.url });
    workers.push(worker);
    const admin = await h.fx.admin({ name: 'Ada Admin' });
    const manager = await h.fx.user({ name: 'Max Manager' });
    const leaver = await h.fx.user({ name: 'Lee Leaver', managerId: manager });

    smtp.delayMs = 4_000;
    const dataStarted = smtp.nextDataStarted();
    const handle = await env.client.workflow.start(userOffboarding, {
      taskQueue,
      workflowId: userWorkflowId(leaver),
      args: [{ userId: leaver, requestedBy: admin, batchId: null, reason: 'graceful', effectiveAt: null, successorId: null, policy: policy() }],
    });
    try {
      await dataStarted; // the 'inactivated' email is being transmitted, held by the server
      const t0 = Date.now();
      worker.kill('SIGTERM');
      const exit = await worker.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - t0).toBeGreaterThan(2_000); // it waited for the activity
      expect(worker.output()).toContain('worker shutting down (SIGTERM)');
      expect(worker.output()).toContain('worker stopped');

      // The in-flight send completed and was recorded before the exit.
      expect(smtp.messages.filter((m) => m.kind === 'inactivated' && m.userId === String(leaver))).toHaveLength(1);
      const outbox = await h.t.db.select().from(notificationOutbox).where(eq(notificationOutbox.kind, 'inactivated'));
      expect(outbox.map((o) => [o.status, o.attempts])).toEqual([['sent', 1]]);
      const [u] = await h.t.db.select().from(users).where(eq(users.id, leaver));
      expect(u?.status).toBe('inactive');

      // A new worker finishes the workflow without sending the message again.
      smtp.delayMs = 0;
      // An in-process worker on the same task queue as the stopped process.
      const replacement = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace, taskQueue, workflowBundle: workflowBundle(), activities: h.activities });
      const [result, status] = await replacement.runUntil(async () => [await handle.result(), await handle.query(userStatusQuery)] as const);
      expect(result.outcome).toBe('inactivated');
      expect(status.emailFailures).toBe(0);
      expect(smtp.messages.filter((m) => m.kind === 'inactivated')).toHaveLength(1);
    } finally {
      await worker.stop();
      await handle.terminate('test ended').catch(() => undefined);
    }
  });
});
