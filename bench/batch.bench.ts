// Batch workflow benchmark (issue 5): on a Temporal dev server, a 1,000-user batch where every user
// has 5 open items that their successor takes over, through the REAL activities (PostgreSQL, the
// notification outbox, .eml files in a temp dir). Then, in the same process and on the same server,
// 1,000 minimal workflows running no-op activities: the engine's own cost on this machine — with 13
// activities each (the fixed reference: what the successor path ran before issue 25), with as many as
// the batch's user workflows ran, and with as many local activities as they ran locally. Reports wall time, users/s, history events, activities
// and search-attribute upserts per user workflow, worker RSS, the batch's parent history per run and
// the messages it handled per person, the emails sent by kind, and the ratio batch / each baseline
// (target: ≤ 1.0× the 13-activity reference).
//
//   npm run bench -- batch
//   BENCH_USERS=300 npx tsx bench/batch.bench.ts      (a smaller run)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { sql } from 'drizzle-orm';
import { startBatchWorkflow } from '../client/start-batch';
import { createActivities } from '../activities';
import { createMailer } from '../adapters/mail-transport';
import { loadSettings } from '../config/settings';
import { connectDatabase, type Database } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { freePort } from '../test/helpers/free-port';
import { activitiesScheduled, historyBytes, localActivitiesRun, kib, runChainStats, runTable, searchAttributeUpserts } from '../test/helpers/history-stats';
import { ensureDatabase, startEmbeddedPostgres } from '../launcher/embedded-postgres';
import { requireTemporalCli } from '../launcher/temporal-binaries';
import { startDevServer } from '../launcher/temporal-dev-server';
import { buildWorkflowBundle } from '../worker/workflow-bundle';
import { batchWorkflowId, userWorkflowId } from '../workflows/contract';
import { BATCH_WINDOW } from '../workflows/offboarding-batch';
import type { BaselineActivities, BaselineWorkflow } from './baseline-workflows';
import { type Cleanups, runCleanups } from './cleanups';

const USERS = Number(process.env.BENCH_USERS ?? 1_000);
const ITEMS_PER_USER = 5;
/** Successors (and projects): each successor is a member of one project and takes over its leavers. */
const PROJECTS = Math.max(1, Math.min(100, Math.floor(USERS / 10)));
const HISTORY_SAMPLE = 50;
/** Issue 25: the batch at or below the engine's cost of the 13 activities a person used to take. */
const TARGET_RATIO = 1;
/** The fixed reference baseline: the activities per user workflow of the successor path before issue 25. */
const REFERENCE_ACTIVITIES = 13;

const benchDir = path.dirname(fileURLToPath(import.meta.url));

/** Worker options used for both phases: the same tuning as the scale test. */
const workerTuning = {
  maxCachedWorkflows: 1_000,
  maxConcurrentWorkflowTaskExecutions: 100,
  maxConcurrentActivityTaskExecutions: 200,
  maxConcurrentWorkflowTaskPolls: 8,
  maxConcurrentActivityTaskPolls: 8,
};

/** Peak RSS of this process (it is the worker) while a phase runs. */
function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 200);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The directory, set-based: an admin, PROJECTS successors (one per project), USERS leavers with 5 open items each. */
async function createDirectory(db: Database): Promise<{ admin: number; leavers: number[]; successors: Record<string, number> }> {
  const leaverProject = sql.raw(`'P-' || ((l.k - 1) % ${PROJECTS} + 1)`);
  const steps = [
    sql`insert into users (name, email, company, directory_permission) values ('Bench Admin', 'admin@bench.example', 'Acme', 'admin')`,
    sql`insert into projects (number, name) select 'P-' || g, 'Project ' || g from generate_series(1, ${PROJECTS}) g`,
    sql`insert into users (name, email, company)
        select 'Successor ' || g, 'successor' || g || '@bench.example', 'Acme' from generate_series(1, ${PROJECTS}) g`,
    sql`insert into project_members (project_id, user_id)
        select p.id, u.id from projects p join users u on u.email = 'successor' || substr(p.number, 3) || '@bench.example'`,
    // Each leaver's manager is their successor (the notices go to them).
    sql`insert into users (name, email, company, manager_id)
        select 'Leaver ' || g, 'leaver' || g || '@bench.example', 'Acme',
               (select id from users where email = 'successor' || ((g - 1) % ${PROJECTS} + 1) || '@bench.example')
          from generate_series(1, ${USERS}) g`,
    sql`create temporary table leavers as
        select u.id, substr(split_part(u.email, '@', 1), 7)::int as k from users u where u.email like 'leaver%@bench.example'`,
    sql`insert into project_members (project_id, user_id) select p.id, l.id from leavers l join projects p on p.number = ${leaverProject}`,
    sql`insert into rfis (project_id, number, subject, status, manager_id)
        select p.id, 'RFI-' || l.k, 'Question ' || l.k, 'open', l.id from leavers l join projects p on p.number = ${leaverProject}`,
    sql`insert into submittals (project_id, number, title, status, manager_id)
        select p.id, 'S-' || l.k, 'Submittal ' || l.k, 'open', l.id from leavers l join projects p on p.number = ${leaverProject}`,
    sql`insert into observations (project_id, number, title, status, assignee_id)
        select p.id, 'O-' || l.k, 'Observation ' || l.k, 'initiated', l.id from leavers l join projects p on p.number = ${leaverProject}`,
    sql`insert into inspections (project_id, number, title, status, responsible_contractor, point_of_contact_id)
        select p.id, 'I-' || l.k, 'Inspection ' || l.k, 'in_progress', 'Contractor', l.id
          from leavers l join projects p on p.number = ${leaverProject}`,
    sql`insert into defect_items (project_id, number, title, status, assigned_to_id)
        select p.id, 'D-' || l.k, 'Defect ' || l.k, 'work_required', l.id from leavers l join projects p on p.number = ${leaverProject}`,
    sql`analyze`,
  ];
  // One connection for the temporary table.
  await db.transaction(async (tx) => {
    for (const step of steps) await tx.execute(step);
  });
  const [admin] = await db.execute<{ id: number }>(sql`select id from users where email = 'admin@bench.example'`);
  const pairs = await db.execute<{ leaver: number; successor: number }>(sql`
    select l.id as leaver, s.id as successor
      from users l
      join users s on s.email = 'successor' || ((substr(split_part(l.email, '@', 1), 7)::int - 1) % ${PROJECTS} + 1) || '@bench.example'
     where l.email like 'leaver%@bench.example' order by l.id`);
  if (!admin || pairs.length !== USERS) throw new Error(`directory: expected ${USERS} leavers, got ${pairs.length}`);
  return {
    admin: admin.id,
    leavers: pairs.map((p) => p.leaver),
    successors: Object.fromEntries(pairs.map((p) => [String(p.leaver), p.successor])),
  };
}

async function openItemsLeft(db: Database): Promise<number> {
  const [row] = await db.execute<{ n: number }>(sql`
    select ((select count(*) from rfis r join users u on u.id = r.manager_id where u.email like 'leaver%' and r.status = 'open')
          + (select count(*) from submittals s join users u on u.id = s.manager_id where u.email like 'leaver%' and s.status = 'open')
          + (select count(*) from observations o join users u on u.id = o.assignee_id where u.email like 'leaver%' and o.status <> 'closed')
          + (select count(*) from inspections i join users u on u.id = i.point_of_contact_id where u.email like 'leaver%' and i.status <> 'closed')
          + (select count(*) from defect_items d join users u on u.id = d.assigned_to_id where u.email like 'leaver%' and d.status <> 'closed'))::int as n`);
  return row?.n ?? -1;
}

/**
 * Average events, activities (scheduled through the server, and local: both are work a person costs)
 * and search-attribute upserts over a sample of completed workflow histories.
 */
async function sampleHistories(
  client: Client,
  workflowIds: string[],
): Promise<{ events: number; activities: number; local: number; bytes: number; upserts: number; maxEvents: number; maxActivities: number }> {
  const step = Math.max(1, Math.floor(workflowIds.length / HISTORY_SAMPLE));
  const sample = workflowIds.filter((_, i) => i % step === 0).slice(0, HISTORY_SAMPLE);
  let events = 0;
  let activities = 0;
  let local = 0;
  let bytes = 0;
  let upserts = 0;
  let maxEvents = 0;
  let maxActivities = 0;
  for (const id of sample) {
    const h = await client.workflow.getHandle(id).fetchHistory();
    events += h.events?.length ?? 0;
    const both = activitiesScheduled(h) + localActivitiesRun(h);
    activities += both;
    local += localActivitiesRun(h);
    bytes += historyBytes(h);
    upserts += searchAttributeUpserts(h);
    maxEvents = Math.max(maxEvents, h.events?.length ?? 0);
    maxActivities = Math.max(maxActivities, both);
  }
  const n = sample.length;
  return { events: events / n, activities: activities / n, local: local / n, bytes: bytes / n, upserts: upserts / n, maxEvents, maxActivities };
}

/** The emails the batch sent (outbox rows, one per message), by kind. */
async function emailsByKind(db: Database): Promise<Record<string, number>> {
  const rows = await db.execute<{ kind: string; n: number }>(sql`select kind::text as kind, count(*)::int as n from notification_outbox group by kind order by kind`);
  return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
}

/**
 * The emails of the same run before and after the digests (issue 25). After: the outbox, and the most
 * any one address received. Before: what the per-person emails would have been for the same hand-overs,
 * counted from the audit log — one receipt per leaver and new owner, one "was inactivated" per leaver
 * (to the manager and HR) — plus the summary; HR then read one email per person.
 */
async function emailsBeforeAfter(db: Database): Promise<{ before: number; hrBefore: number; after: number; hrAfter: number; mostToOneManagerOrSuccessor: number }> {
  const [row] = await db.execute<{ before: number; hrBefore: number; after: number; hrAfter: number; most: number }>(sql`
    with receipts as (select count(distinct (a.workflow_id, a.after ->> 'toUserId'))::int as n from audit_log a where a.action = 'item.reassigned'),
         inactivated as (select count(*)::int as n from audit_log where action = 'user.inactivated'),
         per_address as (select lower(r) as address, count(*)::int as n from notification_outbox o, jsonb_array_elements_text(o.recipients) r group by 1)
    select (select n from receipts) + (select n from inactivated) + 1 as before,
           (select n from inactivated) + 1 as "hrBefore",
           (select count(*)::int from notification_outbox) as after,
           coalesce((select n from per_address where address = 'admin@bench.example'), 0) as "hrAfter",
           coalesce((select max(n) from per_address where address <> 'admin@bench.example'), 0) as most`);
  return { before: row?.before ?? 0, hrBefore: row?.hrBefore ?? 0, after: row?.after ?? 0, hrAfter: row?.hrAfter ?? 0, mostToOneManagerOrSuccessor: row?.most ?? 0 };
}

/** At most BATCH_WINDOW baseline workflows at once, like the batch's sliding window. */
async function runBaseline(client: Client, worker: Worker, taskQueue: string, ids: string[], workflowType: BaselineWorkflow, activities: number): Promise<void> {
  await worker.runUntil(async () => {
    let next = 0;
    const lane = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const h = await client.workflow.start(workflowType, { taskQueue, workflowId: id, args: [activities] });
        await h.result();
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_WINDOW, ids.length) }, lane));
  });
}

type Phase = { wallMs: number; peakRss: number; events: number; activities: number };

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cleanups: Cleanups = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-bench-batch-'));
  fs.chmodSync(tmp, 0o755);
  cleanups.push(async () => fs.rmSync(tmp, { recursive: true, force: true }));
  try {
    // ---- servers: PostgreSQL, the dev server, both bundles (built while the servers start) -------
    const bundles = Promise.all([
      buildWorkflowBundle(),
      bundleWorkflowCode({ workflowsPath: path.join(benchDir, 'baseline-workflows.ts'), logger: new DefaultLogger('WARN') }).then(
        (b): WorkflowBundle => ({ code: b.code }),
      ),
    ]);
    const pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: await freePort(), durable: false });
    cleanups.unshift(() => pg.stop());
    const cliPath = await requireTemporalCli(loadSettings());
    const server = await startDevServer({ cliPath, port: await freePort(), uiPort: await freePort(), headless: true });
    cleanups.unshift(() => server.stop());
    const dbName = 'offboarding_bench_batch';
    await ensureDatabase(pg.url('postgres'), dbName);
    const dbUrl = pg.url(dbName);
    await migrateDatabase(dbUrl);
    const handle = connectDatabase(dbUrl, { max: 20 });
    cleanups.unshift(() => handle.close());
    const connection = await Connection.connect({ address: server.address });
    cleanups.unshift(() => connection.close());
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    cleanups.unshift(() => nativeConnection.close());
    const client = new Client({ connection, namespace: server.namespace });

    const g0 = performance.now();
    const dir = await createDirectory(handle.db);
    console.log(
      `directory: ${USERS} leavers × ${ITEMS_PER_USER} open items in ${PROJECTS} projects, each taken over by the project's successor ` +
        `(${secs(performance.now() - g0)}); open items: ${await openItemsLeft(handle.db)}`,
    );
    const [productionBundle, baselineBundle] = await bundles;

    // ---- phase 1: the batch through the real activities ------------------------------------------
    const mailer = createMailer({ smtpUrl: undefined, outboxDir: path.join(tmp, 'outbox'), mailFrom: 'Offboarding <bench@example.com>', log: () => undefined });
    cleanups.unshift(() => mailer.close());
    const activities = createActivities({ db: handle.db, mailer, clock: () => new Date() });
    const batchQueue = `bench-batch-${process.pid}`;
    const batchWorker = await Worker.create({
      connection: nativeConnection,
      taskQueue: batchQueue,
      workflowBundle: productionBundle,
      activities,
      ...workerTuning,
    });
    const batchId = `bench-${process.pid}`;
    const rss1 = rssSampler();
    const t1 = performance.now();
    const summary = await batchWorker.runUntil(async () => {
      const h = await startBatchWorkflow(client, batchQueue, {
        batchId,
        userIds: dir.leavers,
        requestedBy: dir.admin,
        reason: 'benchmark',
        effectiveAt: null,
        successors: dir.successors,
        policy: {},
      });
      return { result: await h.result(), firstRunId: h.firstExecutionRunId };
    });
    const batch: Phase = { wallMs: performance.now() - t1, peakRss: rss1.stop(), events: 0, activities: 0 };
    if (summary.result.inactivated.length !== USERS) {
      throw new Error(`batch: ${summary.result.inactivated.length} of ${USERS} inactivated; failed: ${JSON.stringify(summary.result.failed.slice(0, 3))}`);
    }
    const left = await openItemsLeft(handle.db);
    const userSample = await sampleHistories(client, dir.leavers.map(userWorkflowId));
    batch.events = userSample.events;
    batch.activities = userSample.activities;
    const runs = await runChainStats(client, batchWorkflowId(batchId), summary.firstRunId);
    const emails = await emailsByKind(handle.db);
    const emailFigures = await emailsBeforeAfter(handle.db);
    console.log(`batch: ${USERS} inactivated in ${secs(batch.wallMs)}; open items left: ${left}; parent runs: ${runs.length}`);

    // ---- phases 2 and 3: the baselines, same window, same server ----------------------------------
    // The fixed reference (13 activities, the successor path before issue 25), then as many as the
    // batch's user workflows ran now.
    const perWorkflow = Math.round(batch.activities);
    const baselineActivities: BaselineActivities = { noop: async (step: number) => step };
    const perWorkflowLocal = Math.round(userSample.local);
    const baselines: { name: string; activities: number; workflowType: BaselineWorkflow; phase: Phase }[] = [];
    const plan: [string, number, BaselineWorkflow][] = [
      ['reference', REFERENCE_ACTIVITIES, 'baselineUser'],
      ['same count', perWorkflow, 'baselineUser'],
    ];
    // The batch's people run local activities: the engine's cost of as many, run the same way.
    if (perWorkflowLocal > 0) plan.push(['same count, local', perWorkflowLocal, 'baselineUserLocal']);
    for (const [name, count, workflowType] of plan) {
      const baselineQueue = `bench-baseline-${workflowType}-${count}-${process.pid}`;
      const baselineWorker = await Worker.create({
        connection: nativeConnection,
        taskQueue: baselineQueue,
        workflowBundle: baselineBundle,
        activities: baselineActivities,
        ...workerTuning,
      });
      const baselineIds = Array.from({ length: USERS }, (_, i) => `${workflowType}-${count}-${process.pid}-${i + 1}`);
      const rss = rssSampler();
      const t = performance.now();
      await runBaseline(client, baselineWorker, baselineQueue, baselineIds, workflowType, count);
      const phase: Phase = { wallMs: performance.now() - t, peakRss: rss.stop(), events: 0, activities: 0 };
      const sample = await sampleHistories(client, baselineIds);
      phase.events = sample.events;
      phase.activities = sample.activities;
      baselines.push({ name, activities: count, workflowType, phase });
    }

    // ---- report ------------------------------------------------------------------------------------
    const row = (name: string, p: Phase) =>
      `| ${name} | ${secs(p.wallMs)} | ${(USERS / (p.wallMs / 1000)).toFixed(1)} | ${p.events.toFixed(1)} | ${p.activities.toFixed(1)} | ${mib(p.peakRss)} |`;
    console.log('');
    console.log(`| ${USERS.toLocaleString('en')} workflows | wall time | users/s | history events per user workflow | activities per workflow | worker peak RSS |`);
    console.log('|---|---:|---:|---:|---:|---:|');
    console.log(row(`batch, real activities (successor takes ${ITEMS_PER_USER} items)`, batch));
    for (const b of baselines) {
      const how = b.workflowType === 'baselineUserLocal' ? 'local no-op activities' : 'no-op activities';
      console.log(row(`baseline: ${b.activities} ${how}, ${BATCH_WINDOW} at a time`, b.phase));
    }
    console.log('');
    const reference = baselines[0]!.phase;
    const ratio = batch.wallMs / reference.wallMs;
    for (const b of baselines) {
      console.log(`ratio batch / baseline of ${b.activities} activities (${b.name}): ${(batch.wallMs / b.phase.wallMs).toFixed(2)}×`);
    }
    console.log(`target: ≤ ${TARGET_RATIO}× the ${REFERENCE_ACTIVITIES}-activity reference`);
    console.log(
      `user workflow history: ${userSample.events.toFixed(1)} events (at most ${userSample.maxEvents}), ${kib(userSample.bytes)} encoded, ` +
        `${userSample.activities.toFixed(1)} activities, ${userSample.local.toFixed(1)} of them local (at most ${userSample.maxActivities}), ${userSample.upserts.toFixed(1)} search-attribute upserts (sample of ${HISTORY_SAMPLE})`,
    );
    const signals = runs.reduce((n, r) => n + r.signals, 0);
    const childEnds = runs.reduce((n, r) => n + r.childrenEnded, 0);
    console.log(
      `parent messages: ${signals} signals + ${childEnds} child ends = ${((signals + childEnds) / USERS).toFixed(2)} per person`,
    );
    const emailTotal = Object.values(emails).reduce((a, b) => a + b, 0);
    console.log(`emails: ${emailTotal} (${Object.entries(emails).map(([k, n]) => `${k} ${n}`).join(', ')}); ${(emailTotal / USERS).toFixed(2)} per person`);
    console.log(
      `emails before → after (issue 25 digests): ${emailFigures.before} → ${emailFigures.after}; to HR ${emailFigures.hrBefore} → ${emailFigures.hrAfter}; ` +
        `most to one manager or successor: ${emailFigures.mostToOneManagerOrSuccessor} (target ≤ 3, and 1 for HR)`,
    );
    console.log(`parent (batch) history by run:\n${runTable(runs)}`);
    console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const ok =
      ratio <= TARGET_RATIO && left === 0 && userSample.maxActivities <= 5 && userSample.maxEvents <= 40 && emailFigures.mostToOneManagerOrSuccessor <= 3 && emailFigures.hrAfter === 1;
    console.log(ok ? 'target met' : 'TARGET MISSED');
    if (!ok) process.exitCode = 1;
  } finally {
    await runCleanups(cleanups);
  }
}

await main();
