// A rolling restart of the workers on the production topology, as a deploy does it: while a batch
// runs, worker-1 gets SIGTERM (it drains its tasks and exits 0), starts again; then worker-2 the
// same. Nothing is lost and, because every stop is graceful, nothing happens twice — not even an email.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchWorkflow } from '../../client/start-batch';
import { connectDatabase, type DatabaseHandle } from '../../db/client';
import { sql } from 'drizzle-orm';
import { userWorkflowId } from '../../workflows/contract';
import { expectBatchDoneOnce } from '../helpers/batch-outcome';
import { createBulkDirectory } from '../helpers/bulk-directory';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { startTestStack, type TestStack } from '../helpers/stack';

const USERS = Number(process.env.STACK_ROLLING_USERS ?? 500);

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

describe('a rolling restart of the workers during a batch', () => {
  it('stop one, start it, stop the other, start it: nothing lost, nothing twice', async () => {
    const dir = await createBulkDirectory(db.db, { users: USERS, itemsPerUser: 1 });
    const inactivated = async () => {
      const [row] = await db.db.execute<{ n: number }>(sql`select count(*)::int as n from audit_log where action = 'user.inactivated'`);
      return Number(row?.n ?? 0);
    };
    const t0 = Date.now();
    const handle = await startBatchWorkflow(stack.client, stack.taskQueue, {
      batchId: `rolling-${process.pid}`,
      userIds: dir.leavers,
      requestedBy: dir.admin,
      reason: 'rolling restart',
      effectiveAt: null,
      successors: dir.successors,
      policy: {},
    });
    const deadline = Date.now() + 20 * 60_000;
    while ((await inactivated()) < USERS * 0.1) {
      if (Date.now() > deadline) throw new Error('the batch did not get going');
      await new Promise((r) => setTimeout(r, 250));
    }

    const steps: string[] = [];
    for (const name of ['worker-1', 'worker-2']) {
      const w = stack.process(name);
      const pid = w.pid();
      const at = await inactivated();
      const t = Date.now();
      await w.stop();
      const exit = await w.exited();
      // Graceful: worker/main.ts drained and exited by itself.
      expect(exit).toEqual({ code: 0, signal: null });
      const drainedMs = Date.now() - t;
      await w.start();
      stack.look();
      // The batch is still running: the restart happened during it, not after.
      expect((await handle.describe()).status.name).toBe('RUNNING');
      steps.push(`${name} (pid ${pid}) SIGTERM at ${at} inactivated: drained and exited 0 in ${(drainedMs / 1000).toFixed(1)} s, back as pid ${w.pid()} at ${await inactivated()}`);
    }

    const summary = await handle.result();
    const wallMs = Date.now() - t0;
    expect(summary.inactivated).toHaveLength(USERS);
    expect(summary).toMatchObject({ removed: [], cancelled: [], failed: [], rejected: [] });
    for (const u of dir.leavers) await stack.client.workflow.getHandle(userWorkflowId(u)).result();
    const { duplicates } = await expectBatchDoneOnce(db.db, sink, dir);
    expect(duplicates).toBe(0);
    console.log([`[stack] rolling restart during a ${USERS}-user batch (${(wallMs / 1000).toFixed(1)} s):`, ...steps.map((s) => `  ${s}`), '  nothing lost, nothing twice (0 duplicate emails)'].join('\n'));
  });
});
