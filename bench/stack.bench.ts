// The production topology against the dev server, in one run (issue 15). The same batch — USERS
// leavers with ITEMS open items each, all taken over by a successor — through the real activities
// (PostgreSQL, the notification outbox as .eml files) and the real worker process (worker/main.ts,
// its default tuning), twice:
//   1. the Temporal CLI's dev server (in-memory SQLite) with ONE worker process;
//   2. `npm run stack`'s topology (launcher/stack.ts): the Temporal server built from its Go module on
//      PostgreSQL (persistence and visibility), the Web UI, and TWO worker processes.
// Both use an embedded PostgreSQL of their own with the same settings as `npm run stack`'s (durable).
// Reported: wall time, users/s, the batch's runs (largest in events, continue-as-new input), the peak
// RSS of every process, and the ratio stack / dev server.
//
//   npm run bench -- stack                                   (1,000 users, 5 items each, both phases)
//   BENCH_USERS=10000 BENCH_ITEMS=0 BENCH_DEV_SERVER=skip npm run bench -- stack   (the 10,000-user run)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { startBatchWorkflow } from '../client/start-batch';
import { loadSettings } from '../config/settings';
import { connectDatabase, type DatabaseHandle } from '../db/client';
import { createBulkDirectory, type BulkDirectory } from '../test/helpers/bulk-directory';
import { freePort } from '../test/helpers/free-port';
import { kib, runChainStats, runTable, type RunStats } from '../test/helpers/history-stats';
import { createAppProcess, type AppProcess } from '../launcher/app-process';
import { startPostgresHost } from '../launcher/postgres-host-process';
import { startStack } from '../launcher/stack';
import { migrateJob, runJob } from '../launcher/stack-jobs';
import { stackProcesses } from '../launcher/stack-processes';
import { MissingBinaryError, requireTemporalCli } from '../launcher/temporal-binaries';
import { startDevServer } from '../launcher/temporal-dev-server';
import { ensureStackBinaries } from '../launcher/temporal-server-binaries';
import { writeWorkflowBundle } from '../worker/workflow-bundle';
import { batchWorkflowId } from '../workflows/contract';
import { type Cleanups, runCleanups } from './cleanups';
import { childrenOf, mib, peakRss, treePssSampler } from './process-memory';

const USERS = Number(process.env.BENCH_USERS ?? 1_000);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 5);
const DEV_SERVER = process.env.BENCH_DEV_SERVER !== 'skip';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const log = (line: string) => console.log(`[bench] ${line}`);

type Phase = {
  name: string;
  wallMs: number;
  runs: RunStats[];
  /** Peak RSS (or, for PostgreSQL, the peak of the summed Pss of its processes) by process. */
  memory: [string, number | undefined][];
};

/** The process a guard (exit-with-parent.mjs) runs: its child whose command line names `binary`. */
const guarded = (guardPid: number, binary: string) => childrenOf(guardPid).find((c) => c.cmd.includes(binary))?.pid;

async function runBatch(client: Client, taskQueue: string, db: DatabaseHandle, dir: BulkDirectory, batchId: string): Promise<{ wallMs: number; runs: RunStats[] }> {
  const t0 = performance.now();
  const handle = await startBatchWorkflow(client, taskQueue, {
    batchId,
    userIds: dir.leavers,
    requestedBy: dir.admin,
    reason: 'benchmark',
    effectiveAt: null,
    successors: dir.successors,
    policy: {},
  });
  const progress = setInterval(() => {
    db.db
      .execute<{ n: number }>(sql`select count(*)::int as n from users where email like 'leaver%@bulk.example' and status = 'inactive'`)
      .then(([r]) => log(`${batchId}: ${r?.n ?? 0} of ${USERS} inactivated after ${secs(performance.now() - t0)}`))
      .catch(() => undefined);
  }, 60_000);
  try {
    const summary = await handle.result();
    const wallMs = performance.now() - t0;
    if (summary.inactivated.length !== USERS) throw new Error(`${batchId}: ${summary.inactivated.length} of ${USERS} inactivated: ${JSON.stringify(summary.failed.slice(0, 3))}`);
    const [left] = await db.db.execute<{ n: number }>(sql`
      select (select count(*) from audit_log where action = 'item.reassigned')::int as n`);
    if ((left?.n ?? -1) !== dir.items) throw new Error(`${batchId}: ${left?.n} items reassigned, expected ${dir.items}`);
    return { wallMs, runs: await runChainStats(client, batchWorkflowId(batchId), handle.firstExecutionRunId) };
  } finally {
    clearInterval(progress);
  }
}

function workerSpec(name: string) {
  return { name, script: 'worker/main.ts', ready: { message: 'worker-ready' }, env: { METRICS_PORT: '0' } };
}

async function devServerPhase(tmp: string, bundle: string, cleanups: Cleanups): Promise<Phase> {
  const dir0 = path.join(tmp, 'dev');
  fs.mkdirSync(dir0, { recursive: true });
  const pg = await startPostgresHost(path.join(dir0, 'postgres'), await freePort());
  cleanups.unshift(() => pg.stop());
  const databaseUrl = pg.url('offboarding');
  await runJob(migrateJob(databaseUrl));
  const server = await startDevServer({ cliPath: await requireTemporalCli(loadSettings()), port: await freePort(), uiPort: await freePort(), headless: true });
  cleanups.unshift(() => server.stop());
  const taskQueue = `bench-dev-${process.pid}`;
  const worker: AppProcess = createAppProcess(workerSpec('worker'), {
    capture: true,
    env: { DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace, TEMPORAL_TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE_PATH: bundle, OFFBOARDING_DATA_DIR: dir0, SMTP_URL: '', LOG_LEVEL: 'warn' },
  });
  await worker.start();
  cleanups.unshift(() => worker.stop());
  const db = connectDatabase(databaseUrl, { max: 4 });
  cleanups.unshift(() => db.close());
  const connection = await Connection.connect({ address: server.address });
  cleanups.unshift(() => connection.close());
  const dir = await createBulkDirectory(db.db, { users: USERS, itemsPerUser: ITEMS });
  const pgMemory = treePssSampler(pg.pid ?? process.pid);
  const { wallMs, runs } = await runBatch(new Client({ connection, namespace: server.namespace }), taskQueue, db, dir, `bench-dev-${process.pid}`);
  const memory: [string, number | undefined][] = [
    ['dev server (temporal server start-dev)', peakRss(guarded(server.pid, 'start-dev') ?? -1)],
    ['worker', peakRss(worker.pid() ?? -1)],
    ['PostgreSQL (all processes, Pss)', pgMemory.stop()],
    ['bench process', peakRss(process.pid)],
  ];
  return { name: 'dev server + 1 worker', wallMs, runs, memory };
}

async function stackPhase(tmp: string, bundle: string, cleanups: Cleanups): Promise<Phase> {
  const [binaries, temporalCli] = await Promise.all([ensureStackBinaries(log), requireTemporalCli(loadSettings())]);
  const taskQueue = `bench-stack-${process.pid}`;
  const stack = await startStack({
    dataDir: path.join(tmp, 'stack'),
    database: { embeddedPort: await freePort() },
    temporalPort: await freePort(),
    uiPort: await freePort(),
    namespace: 'offboarding',
    namespaceRetention: '24h',
    taskQueue,
    workflowBundlePath: bundle,
    smtpUrl: undefined,
    binaries,
    temporalCli,
    processes: stackProcesses({ metricsPort: 0 }),
    seedDemoData: false,
    captureOutput: true,
    env: { LOG_LEVEL: 'warn' },
    log: () => undefined,
  });
  cleanups.unshift(() => stack.stop());
  const db = connectDatabase(stack.databaseUrl, { max: 4 });
  cleanups.unshift(() => db.close());
  const connection = await Connection.connect({ address: stack.temporalAddress });
  cleanups.unshift(() => connection.close());
  const dir = await createBulkDirectory(db.db, { users: USERS, itemsPerUser: ITEMS });
  const pgMemory = treePssSampler(stack.postgresPid ?? process.pid);
  const { wallMs, runs } = await runBatch(new Client({ connection, namespace: stack.namespace }), taskQueue, db, dir, `bench-stack-${process.pid}`);
  const memory: [string, number | undefined][] = [
    ['Temporal server (temporal-server start)', peakRss(guarded(stack.temporal.pid() ?? -1, 'temporal-server') ?? -1)],
    ['Web UI (ui-server)', peakRss(guarded(stack.ui?.pid ?? -1, 'ui-server') ?? -1)],
    ...stack.processes.map((p): [string, number | undefined] => [p.name, peakRss(p.pid() ?? -1)]),
    ['PostgreSQL (all processes, Pss)', pgMemory.stop()],
    ['bench process', peakRss(process.pid)],
  ];
  return { name: 'real server (PostgreSQL) + 2 workers', wallMs, runs, memory };
}

function report(p: Phase): string {
  const largest = Math.max(...p.runs.map((r) => r.events));
  const carried = Math.max(0, ...p.runs.flatMap((r) => (r.continueAsNewInputBytes === null ? [] : [r.continueAsNewInputBytes])));
  return [
    `### ${p.name}`,
    `${USERS} users × ${ITEMS} items: ${secs(p.wallMs)} (${(USERS / (p.wallMs / 1000)).toFixed(2)} users/s); ${p.runs.length} batch run(s), ` +
      `largest ${largest} events, largest continue-as-new input ${kib(carried)}`,
    '',
    '| process | peak RSS |',
    '|---|---:|',
    ...p.memory.map(([name, bytes]) => `| ${name} | ${mib(bytes)} |`),
    '',
    runTable(p.runs),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const cleanups: Cleanups = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-bench-stack-'));
  fs.chmodSync(tmp, 0o755); // the postgres user (we may be root) must traverse it
  cleanups.push(async () => fs.rmSync(tmp, { recursive: true, force: true }));
  try {
    // Without Go there is no real server to measure: say so and leave the other benches their run.
    const missing = await ensureStackBinaries(log).then(
      () => undefined,
      (e: unknown) => {
        if (e instanceof MissingBinaryError) return e.message;
        throw e;
      },
    );
    if (missing) {
      log(`skipped: ${missing}`);
      return;
    }
    const bundle = await writeWorkflowBundle(path.join(tmp, 'workflow-bundle.js'));
    log(`${USERS} users × ${ITEMS} items; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
    const phases: Phase[] = [];
    if (DEV_SERVER) {
      const phaseCleanups: Cleanups = [];
      try {
        phases.push(await devServerPhase(tmp, bundle, phaseCleanups));
      } finally {
        await runCleanups(phaseCleanups);
      }
      log(`dev server phase: ${secs(phases[0]!.wallMs)}`);
    }
    const phaseCleanups: Cleanups = [];
    try {
      phases.push(await stackPhase(tmp, bundle, phaseCleanups));
    } finally {
      await runCleanups(phaseCleanups);
    }
    console.log('');
    for (const p of phases) console.log(report(p));
    if (phases.length === 2) {
      console.log(`ratio real server + 2 workers / dev server + 1 worker: ${(phases[1]!.wallMs / phases[0]!.wallMs).toFixed(2)}×`);
    }
    console.log(`machine: ${os.cpus().length} cores, load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await runCleanups(cleanups);
  }
}

await main();
