// Scale (issue 5): a batch of 10,000 users with nothing open completes on the dev server, its history
// stays well under Temporal's limits (continue-as-new, sliding window), and the state carried from run
// to run stays small. Run with `npm run test:scale` (not part of `npm test`: it takes minutes).
//
// By default the worker runs the REAL activities: a PostgreSQL database of its own with the admin,
// 100 managers and the users (nothing open), and a real SMTP server that receives every confirmation
// and the summary. SCALE_ACTIVITIES=fake swaps in the in-memory activities (test/helpers/
// in-memory-activities.ts: every user active, nothing open, claims and inactivations in memory): the
// engine and the workflows' shape alone, for tuning the window and continue-as-new.
//
//   SCALE_USERS=2000 npm run test:scale     (a smaller batch, e.g. to try tuning)
//   SCALE_ACTIVITIES=fake npm run test:scale
//   SCALE_ACTIVITIES=fake SCALE_USERS=4000 SCALE_WINDOW=1000 npm run test:scale
//                                           (the window and SCALE_CAN_AT, the continue-as-new
//                                           threshold, go in as the batch's tuning)
import { performance } from 'node:perf_hooks';
import { Worker } from '@temporalio/worker';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchWorkflow } from '../../client/start-batch';
import { BATCH_WINDOW, CONTINUE_AS_NEW_AT_EVENTS } from '../../workflows/offboarding-batch';
import { reportByResultFits, RUN_EVENT_LIMIT, runCapOf, windowSizeOf } from '../../workflows/offboarding-batch/run-cap';
import { batchStatusQuery, type BatchSummary } from '../../workflows/contract';
import { InMemoryDirectory, inMemoryActivities } from '../helpers/in-memory-activities';
import { kib, runChainStats, runTable, type RunStats } from '../helpers/history-stats';
import { startHarness, type Harness } from '../helpers/workflow-harness';
import { type DevServerEnvironment, startDevServerEnvironment, workflowBundle } from '../helpers/temporal';
import { budget } from '../helpers/time-budget';

const USERS = Number(process.env.SCALE_USERS ?? 10_000);
const REAL = process.env.SCALE_ACTIVITIES !== 'fake';
/** The batch's tuning, when given: a window up to the largest the workflow allows shows its runs' worst case. */
const WINDOW = process.env.SCALE_WINDOW ? Number(process.env.SCALE_WINDOW) : undefined;
const CAN_AT = process.env.SCALE_CAN_AT ? Number(process.env.SCALE_CAN_AT) : undefined;
const tuning = WINDOW === undefined && CAN_AT === undefined ? {} : { tuning: { window: WINDOW, continueAsNewAtEvents: CAN_AT } };
const FAKE_ADMIN = 1_000_000;
const MANAGERS = 100;
const TWO_MB = 2 * 1024 * 1024;

/** The engine alone: an in-memory directory of the admin and USERS active users with nothing open. */
function fakeActivities() {
  const directory = new InMemoryDirectory();
  directory.addUser({ id: FAKE_ADMIN, name: 'Scale Admin', admin: true });
  for (let id = 1; id <= USERS; id++) directory.addUser({ id });
  return { activities: inMemoryActivities(directory), directory };
}

/** The directory, set-based: an admin, MANAGERS managers, USERS users (a manager each, nothing open). */
async function createDirectory(h: Harness): Promise<{ admin: number; userIds: number[] }> {
  const { db } = h.t;
  await db.transaction(async (tx) => {
    await tx.execute(sql`insert into users (name, email, company, directory_permission) values ('Scale Admin', 'admin@scale.example', 'Acme', 'admin')`);
    await tx.execute(sql`insert into users (name, email, company)
      select 'Manager ' || g, 'manager' || g || '@scale.example', 'Acme' from generate_series(1, ${MANAGERS}) g`);
    await tx.execute(sql`insert into users (name, email, company, manager_id)
      select 'Leaver ' || g, 'leaver' || g || '@scale.example', 'Acme',
             (select id from users where email = 'manager' || ((g - 1) % ${MANAGERS} + 1) || '@scale.example')
        from generate_series(1, ${USERS}) g`);
    await tx.execute(sql`analyze`);
  });
  const [admin] = await db.execute<{ id: number }>(sql`select id from users where email = 'admin@scale.example'`);
  const leavers = await db.execute<{ id: number }>(sql`select id from users where email like 'leaver%@scale.example' order by id`);
  if (!admin || leavers.length !== USERS) throw new Error(`directory: expected ${USERS} users, got ${leavers.length}`);
  return { admin: admin.id, userIds: leavers.map((r) => r.id) };
}

let env: DevServerEnvironment | undefined;
let h: Harness | undefined;
let directory = { admin: FAKE_ADMIN, userIds: Array.from({ length: USERS }, (_, i) => i + 1) };
let worker: Worker | undefined;
let running: Promise<void> | undefined;
const fake = fakeActivities();
const taskQueue = `scale-${process.pid}`;
let peakRss = 0;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 500);

beforeAll(async () => {
  env = await startDevServerEnvironment();
  if (REAL) {
    h = await startHarness();
    directory = await createDirectory(h);
  }
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: h ? h.activities : fake.activities,
    // Throughput: the batch keeps BATCH_WINDOW (200) children running, each wakes up ~8 times; keep
    // them all cached (no replays from the start) and let several workflow tasks run at once.
    maxCachedWorkflows: 1_000,
    maxConcurrentWorkflowTaskExecutions: 100,
    maxConcurrentActivityTaskExecutions: 200,
    maxConcurrentWorkflowTaskPolls: 8,
    maxConcurrentActivityTaskPolls: 8,
  });
  running = worker.run();
}, budget(180_000));

afterAll(async () => {
  clearInterval(rssTimer);
  if (worker && worker.getState() === 'RUNNING') worker.shutdown();
  await running?.catch(() => undefined);
  await env?.stop();
  await h?.close();
}, budget(120_000));

describe(`a batch of ${USERS.toLocaleString('en')} users with nothing open (${REAL ? 'PostgreSQL and SMTP' : 'in-memory activities'})`, () => {
  it('completes, inactivates everyone, continues as new and keeps every run small', async () => {
    if (!env) throw new Error('no dev server');
    const client = env.client;
    const batchId = `scale-${process.pid}`;
    const { userIds, admin } = directory;

    const t0 = performance.now();
    const handle = await startBatchWorkflow(client, taskQueue, { batchId, userIds, requestedBy: admin, reason: 'scale test', effectiveAt: null, successors: {}, policy: {}, ...tuning });
    const firstRunId = handle.firstExecutionRunId;

    // Progress once a minute, so a slow run shows where it is.
    const progress = setInterval(() => {
      handle
        .query(batchStatusQuery)
        .then((s) =>
          console.log(
            `[scale] ${((performance.now() - t0) / 1000).toFixed(0)} s: run ${s.run}, ${s.counts.inactivated} inactivated, ` +
              `${s.counts.queued} queued, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
          ),
        )
        .catch(() => undefined);
    }, budget(60_000));
    // SCALE_TIME_LIMIT_MIN: give up after that long, but still print the runs completed so far.
    const limitMs = Number(process.env.SCALE_TIME_LIMIT_MIN ?? 0) * 60_000;
    let summary: BatchSummary | 'timed-out';
    let limitTimer: NodeJS.Timeout | undefined;
    try {
      summary = await Promise.race([
        handle.result(),
        new Promise<'timed-out'>((resolve) => {
          if (limitMs > 0) limitTimer = setTimeout(() => resolve('timed-out'), limitMs);
        }),
      ]);
    } finally {
      clearInterval(progress);
      clearTimeout(limitTimer);
    }
    const wallMs = performance.now() - t0;
    if (summary === 'timed-out') {
      const s = await handle.query(batchStatusQuery);
      const sofar = await runChainStats(client, handle.workflowId, firstRunId);
      await handle.terminate('scale test time limit');
      console.log(
        `\n[scale] TIME LIMIT after ${(wallMs / 1000).toFixed(0)} s: run ${s.run}, ${s.counts.inactivated} of ${USERS} inactivated ` +
          `(${(s.counts.inactivated / (wallMs / 1000)).toFixed(2)} users/s); runs so far (the last one was still running):\n${runTable(sofar)}\n`,
      );
      throw new Error(`the batch did not complete within SCALE_TIME_LIMIT_MIN=${limitMs / 60_000}: ${s.counts.inactivated} of ${USERS} inactivated`);
    }

    const runs: RunStats[] = await runChainStats(client, handle.workflowId, firstRunId);
    const maxEvents = Math.max(...runs.map((r) => r.events));
    const carried = runs.flatMap((r) => (r.continueAsNewInputBytes === null ? [] : [r.continueAsNewInputBytes]));
    const maxCarried = Math.max(0, ...carried);
    const totalEvents = runs.reduce((n, r) => n + r.events, 0);
    const totalBytes = runs.reduce((n, r) => n + r.bytes, 0);

    const window = windowSizeOf(WINDOW ?? BATCH_WINDOW);
    console.log(
      [
        '',
        `[scale] ${USERS} users, window ${window}, continue-as-new at ${CAN_AT ?? CONTINUE_AS_NEW_AT_EVENTS} events asked, ` +
          `${Math.min(CAN_AT ?? CONTINUE_AS_NEW_AT_EVENTS, runCapOf(window, reportByResultFits(window)))} allowed`,
        `[scale] wall time ${(wallMs / 1000).toFixed(1)} s (${(USERS / (wallMs / 1000)).toFixed(1)} users/s), ${runs.length} runs`,
        `[scale] parent history: ${totalEvents} events / ${kib(totalBytes)} in total; largest run ${maxEvents} events; ` +
          `largest continue-as-new input ${kib(maxCarried)}`,
        `[scale] test process (worker${h ? ' and SMTP server' : ''}) peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
        runTable(runs),
        '',
      ].join('\n'),
    );

    expect(summary.failed).toEqual([]);
    expect(summary.rejected).toEqual([]);
    expect(summary.inactivated).toHaveLength(USERS);
    expect(new Set(summary.inactivated)).toEqual(new Set(userIds));
    let outcome: string;
    if (h) {
      // Every user inactive in the directory, every claim ended, every email sent once and received by
      // the SMTP server: the managers hear in the batch's "inactivated" digests (issue 25), each leaver
      // listed once across them (one per manager per closing round), and HR gets the summary.
      const [d] = await h.t.db.execute<{ inactive: number; open_claims: number; sent: number; unsent: number; summaries: number; per_person: number }>(sql`
        select (select count(*)::int from users where email like 'leaver%@scale.example' and status = 'inactive') as inactive,
               (select count(*)::int from offboardings where ended_at is null) as open_claims,
               (select count(*)::int from notification_outbox where status = 'sent') as sent,
               (select count(*)::int from notification_outbox where status <> 'sent') as unsent,
               (select count(*)::int from notification_outbox where kind = 'batch-summary') as summaries,
               (select count(*)::int from notification_outbox where kind not in ('batch-summary', 'inactivated-digest')) as per_person`);
      expect(d).toMatchObject({ inactive: USERS, open_claims: 0, unsent: 0, summaries: 1, per_person: 0 });
      const [listed] = await h.t.db.execute<{ lines: number; people: number; digests: number }>(sql`
        select count(*)::int as lines, count(distinct id)::int as people, (select count(*)::int from notification_outbox where kind = 'inactivated-digest') as digests
          from (select unnest(string_to_array(headers ->> 'X-Offboarding-User-Ids', ','))::int as id from notification_outbox where kind = 'inactivated-digest') x`);
      expect(listed).toMatchObject({ lines: USERS, people: USERS });
      expect(listed!.digests).toBeGreaterThanOrEqual(MANAGERS);
      await h.sink.waitFor(d!.sent, 60_000);
      const ids = new Set(h.sink.messages.map((m) => m.parsed.messageId));
      expect(ids.size).toBe(h.sink.messages.length); // no message twice
      outcome = `${d!.inactive} users inactive in PostgreSQL, ${d!.sent} emails sent, ${h.sink.messages.length} received by SMTP`;
    } else {
      expect(fake.directory.inactivatedUserIds()).toHaveLength(USERS);
      expect(fake.directory.openClaims.size).toBe(0);
      expect(fake.directory.outbox).toHaveLength(1); // the summary: the batch's digests tell the managers (issue 25)
      outcome = `activity calls ${JSON.stringify(fake.directory.calls)}`;
    }

    console.log(`[scale] ${outcome}`);

    // What a cache miss costs (a worker restart, or an eviction under load): the largest run replayed
    // from its first event. It must also replay cleanly — the same code, no nondeterminism at scale.
    const largest = runs.reduce((a, b) => (b.events > a.events ? b : a));
    const largestHistory = await client.workflow.getHandle(handle.workflowId, largest.runId).fetchHistory();
    const replayStart = performance.now();
    await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, largestHistory, handle.workflowId);
    console.log(`[scale] replaying run ${largest.run} (${largest.events} events) from scratch: ${((performance.now() - replayStart) / 1000).toFixed(1)} s`);

    // ~600 users fit in a run: a batch of 1,000 or more must have continued as new.
    if (USERS >= 1_000) expect(runs.length).toBeGreaterThan(1);
    // Every run under half the 10,240-event warning (issue 25), whatever the window: a run ends past
    // its threshold by what its running children bring meanwhile, and the threshold leaves room for it.
    for (const r of runs) expect(r.events).toBeLessThan(RUN_EVENT_LIMIT);
    expect(carried.length).toBe(runs.length - 1);
    expect(maxCarried).toBeLessThan(TWO_MB);
    const status = await handle.query(batchStatusQuery);
    expect(status.run).toBe(runs.length);
  }, 60 * 60_000);
});
