// On the production topology (real Temporal server on PostgreSQL, two worker processes, a real SMTP
// server): a 1,000-user batch with the real activities, where each user has an open item that their
// successor takes over. Mid-batch each worker in turn is SIGKILLed (no graceful anything) and started
// again; the other carries on meanwhile. Afterwards every user is inactivated exactly once, every item
// reassigned exactly once (one audit row each), every claim ended, one confirmation per user (a resend
// after a kill carries the same Message-ID: the known SMTP window, counted and printed).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchWorkflow } from '../../client/start-batch';
import { connectDatabase, type DatabaseHandle } from '../../db/client';
import { batchStatusQuery, userWorkflowId } from '../../workflows/contract';
import { expectBatchDoneOnce } from '../helpers/batch-outcome';
import { createBulkDirectory } from '../helpers/bulk-directory';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { startTestStack, type TestStack } from '../helpers/stack';

const USERS = Number(process.env.STACK_KILL_USERS ?? 1_000);

let sink: SmtpSink;
let stack: TestStack;
let db: DatabaseHandle;

beforeAll(async () => {
  sink = await startSmtpSink();
  stack = await startTestStack({ smtpUrl: sink.url });
  db = connectDatabase(stack.databaseUrl, { max: 2 });
});
afterAll(async () => {
  await db?.close();
  await stack?.close();
  await sink?.close();
});

const count = async (query: ReturnType<typeof sql>): Promise<number> => {
  const [row] = await db.db.execute<{ n: number }>(query);
  return Number(row?.n ?? 0);
};
const inactivated = () => count(sql`select count(*)::int as n from audit_log where action = 'user.inactivated'`);

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe(`a ${USERS.toLocaleString('en')}-user batch on the production topology`, () => {
  it('completes while each of the two workers is SIGKILLed mid-batch and restarted: nothing lost, nothing twice', async () => {
    const dir = await createBulkDirectory(db.db, { users: USERS, itemsPerUser: 1 });
    const batchId = `stack-kill-${process.pid}`;
    const t0 = Date.now();
    const handle = await startBatchWorkflow(stack.client, stack.taskQueue, {
      batchId,
      userIds: dir.leavers,
      requestedBy: dir.admin,
      reason: 'worker kill on the production topology',
      effectiveAt: null,
      successors: dir.successors,
      policy: {},
    });

    const faults: string[] = [];
    for (const [name, at] of [['worker-1', 0.25], ['worker-2', 0.6]] as const) {
      const target = Math.round(USERS * at);
      await until(`${target} users inactivated`, async () => (await inactivated()) >= target, 30 * 60_000);
      const victim = stack.process(name);
      const pid = victim.pid();
      victim.kill('SIGKILL');
      const exit = await victim.exited();
      expect(exit.signal).toBe('SIGKILL');
      const atKill = await inactivated();
      // The peer carries on alone for a while.
      await until('progress while one worker is down', async () => (await inactivated()) > atKill, 5 * 60_000);
      await new Promise((r) => setTimeout(r, 5_000));
      const whileDown = (await inactivated()) - atKill;
      await victim.start();
      stack.look();
      faults.push(`${name} (pid ${pid}) SIGKILLed at ${atKill} inactivated, ${whileDown} more inactivated by its peer before the restart, back as pid ${victim.pid()}`);
    }

    const summary = await handle.result();
    const wallMs = Date.now() - t0;
    expect(summary.inactivated.sort((a, b) => a - b)).toEqual([...dir.leavers].sort((a, b) => a - b));
    expect(summary).toMatchObject({ removed: [], cancelled: [], failed: [], rejected: [] });
    // Every child has finished, its confirmation email included.
    for (const u of dir.leavers) await stack.client.workflow.getHandle(userWorkflowId(u)).result();
    const status = await handle.query(batchStatusQuery);

    const { duplicates } = await expectBatchDoneOnce(db.db, sink, dir);
    console.log(
      [
        `[stack] ${USERS} users (1 item each, taken over by a successor) in ${(wallMs / 1000).toFixed(1)} s on the real server + 2 workers, ${status.run} batch run(s)`,
        ...faults.map((f) => `[stack] fault: ${f}`),
        `[stack] ${USERS} inactivated once each, ${dir.items} items reassigned once each, ${sink.messages.length} messages received; ` +
          `confirmations re-delivered with the same Message-ID: ${duplicates} of ${USERS}`,
      ].join('\n'),
    );
  });
});
