// Fault (1): the real worker process SIGKILLed (not a clean stop) at five different points of a
// 200-user batch with open items and a successor; a new worker is started each time. Afterwards every
// user is inactivated exactly once, every item reassigned exactly once (one audit row per change),
// each person named in exactly one of the manager's digests, and the batch summary is correct. The
// kills land in local activities too (a person's begin, hand-over and completion, issue 25).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/wait-until';
import { startBatchWorkflow } from '../../client/start-batch';
import { userWorkflowId } from '../../workflows/contract';
import { startWorkerProcess, type WorkerProcess } from '../helpers/fault-tools';
import { type DevServerEnvironment, startDevServerEnvironment } from '../helpers/temporal';
import { type Harness, startHarness } from '../helpers/workflow-harness';

const USERS = 200;
let env: DevServerEnvironment;
let h: Harness;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [env, h] = await Promise.all([startDevServerEnvironment(), startHarness()]);
});
afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.stop()));
  await env?.stop();
  await h?.close();
});

const count = async (query: ReturnType<typeof sql>): Promise<number> => {
  const [row] = await h.t.db.execute<{ n: number }>(query);
  return Number(row?.n ?? 0);
};

describe('worker SIGKILLed during a 200-user batch', () => {
  it('five kills, a new worker each time: every user inactivated once, every item reassigned once, each person in one digest', async () => {
    const admin = await h.fx.admin({ name: 'Ada Admin' });
    const manager = await h.fx.user({ name: 'Max Manager' });
    const successor = await h.fx.user({ name: 'Sam Successor' });
    const p = await h.fx.project('Tower');
    await h.fx.member(p, successor);
    const leavers: number[] = [];
    let items = 0;
    for (let i = 0; i < USERS; i++) {
      const u = await h.fx.user({ managerId: manager });
      await h.fx.member(p, u);
      leavers.push(u);
      await h.fx.defect({ projectId: p, assignedToId: u });
      items += 1;
      if (i % 4 === 0) {
        await h.fx.rfi({ projectId: p, assignees: [u] });
        items += 1;
      }
    }

    const taskQueue = `faults-kill-${process.pid}`;
    const workerEnv = { DATABASE_URL: h.t.url, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue, SMTP_URL: h.sink.url };
    const startWorker = async () => {
      const w = await startWorkerProcess(workerEnv);
      workers.push(w);
      return w;
    };
    let worker = await startWorker();

    const batchId = `kill-${process.pid}`;
    const handle = await startBatchWorkflow(env.client, taskQueue, {
      batchId,
      userIds: leavers,
      requestedBy: admin,
      reason: 'worker kill fault',
      effectiveAt: null,
      successors: Object.fromEntries(leavers.map((u) => [String(u), successor])),
      policy: {},
      // A window and a continue-as-new threshold small enough that kills land across runs.
      tuning: { window: 60, continueAsNewAtEvents: 1_000 },
    });

    const claims = () => count(sql`select count(*)::int as n from offboardings where batch_id = ${batchId}`);
    const reassigned = () => count(sql`select count(*)::int as n from audit_log where action = 'item.reassigned'`);
    const inactivated = () => count(sql`select count(*)::int as n from audit_log where action = 'user.inactivated'`);
    const killPoints: { what: string; reached: () => Promise<boolean> }[] = [
      { what: 'right after validation claimed the users', reached: async () => (await claims()) >= USERS },
      { what: 'after 40 items were handed over', reached: async () => (await reassigned()) >= 40 },
      { what: 'after 40 users were inactivated', reached: async () => (await inactivated()) >= 40 },
      { what: 'after 100 users were inactivated', reached: async () => (await inactivated()) >= 100 },
      { what: 'after 160 users were inactivated', reached: async () => (await inactivated()) >= 160 },
    ];
    const kills: string[] = [];
    for (const point of killPoints) {
      await waitUntil(`kill point: ${point.what}`, point.reached, 8 * 60_000, 100).catch((e: unknown) => {
        throw new Error(`${String(e)}\n${worker.output().slice(-3000)}`, { cause: e });
      });
      worker.kill('SIGKILL');
      const exit = await worker.exited;
      expect(exit.signal).toBe('SIGKILL');
      kills.push(`${point.what} (reassigned ${await reassigned()}, inactivated ${await inactivated()})`);
      worker = await startWorker();
    }
    expect(kills).toHaveLength(5);

    const summary = await handle.result();
    expect(summary.inactivated.sort((a, b) => a - b)).toEqual([...leavers].sort((a, b) => a - b));
    expect(summary).toMatchObject({ removed: [], cancelled: [], failed: [], rejected: [] });
    // Every child has finished (including its confirmation email).
    await Promise.all(leavers.map((u) => env.client.workflow.getHandle(userWorkflowId(u)).result()));
    await worker.stop();

    // Every user inactivated exactly once.
    expect(await count(sql`select count(*)::int as n from users where status = 'inactive'`)).toBe(USERS);
    const perUser = await h.t.db.execute<{ n: number }>(
      sql`select count(*)::int as n from audit_log where action = 'user.inactivated' group by subject_user_id`,
    );
    expect(perUser).toHaveLength(USERS);
    expect(perUser.every((r) => r.n === 1)).toBe(true);
    // Every item reassigned exactly once, to the successor; one audit row per change.
    const perItem = await h.t.db.execute<{ n: number }>(
      sql`select count(*)::int as n from audit_log where action = 'item.reassigned' group by entity_type, entity_id`,
    );
    expect(perItem).toHaveLength(items);
    expect(perItem.every((r) => r.n === 1)).toBe(true);
    expect(
      (await count(sql`select count(*)::int as n from defect_items where assigned_to_id = ${successor}`)) +
        (await count(sql`select count(*)::int as n from rfi_assignees where user_id = ${successor}`)),
    ).toBe(items);
    expect(await count(sql`select count(*)::int as n from offboardings where ended_at is null`)).toBe(0);
    // The emails, as digests (issue 25): the manager hears of the inactivations in digests, each person
    // in exactly one; the successor gets what they received; HR one summary. Every outbox row is sent.
    // A SIGKILL after the SMTP server accepted a message but before the outbox commit makes the retry
    // send it again (the window documented in activities/notifications.ts): such a duplicate carries
    // the same Message-ID, so mail clients collapse it. Counted and printed, not hidden.
    const outbox = await h.t.db.execute<{ kind: string; text: string; status: string }>(sql`
      select kind, text_body as text, status::text as status from notification_outbox`);
    expect(outbox.every((r) => r.status === 'sent')).toBe(true);
    const leaverNames = await h.t.db.execute<{ name: string }>(sql`select name from users where manager_id = ${manager}`);
    expect(leaverNames).toHaveLength(USERS);
    for (const { name } of leaverNames) {
      expect(outbox.filter((r) => r.kind === 'inactivated-digest' && r.text.includes(`- ${name}: inactivated on`)), name).toHaveLength(1);
    }
    let duplicates = 0;
    for (const kind of ['inactivated-digest', 'items-received-digest', 'batch-summary']) {
      const rows = outbox.filter((r) => r.kind === kind);
      expect(rows.length, kind).toBeGreaterThanOrEqual(1);
      const mails = h.sink.messages.filter((m) => m.parsed.headers.get('x-offboarding-kind') === kind);
      const ids = new Set(mails.map((m) => m.parsed.messageId));
      expect(ids.size, kind).toBe(rows.length);
      duplicates += mails.length - ids.size;
    }
    expect(outbox.filter((r) => r.kind === 'batch-summary')).toHaveLength(1);
    expect(outbox.filter((r) => r.kind === 'inactivated')).toEqual([]);
    console.log(`worker kills:\n  ${kills.join('\n  ')}\nemails re-delivered (same Message-ID): ${duplicates} of ${outbox.length}`);
  });
});
