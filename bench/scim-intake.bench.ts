// SCIM intake benchmark (issue 23): a layoff as an identity provider sends it — 1,000 deactivations,
// one request per person, at 50 requests/s — through `requestOffboarding` (what the SCIM endpoint
// calls), on a Temporal dev server with the real activities and PostgreSQL. Every 20th person's
// request is sent twice more (the same request ID, then a new one), as providers retry. Reports the
// answer time of the requests (p50/p95/max), how many batches they became (goal: ≤ 2), and that
// nothing was lost and nobody was taken twice. Each answer is split into its two parts — the SQL
// checks before the signal (already being offboarded? already inactive?) and the signal-with-start
// to the connection's one intake workflow — to show where the time goes.
//
//   npm run bench -- scim-intake
//   BENCH_USERS=200 BENCH_RATE=50 npx tsx bench/scim-intake.bench.ts      (a smaller run)
import { AsyncLocalStorage } from 'node:async_hooks';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { sql } from 'drizzle-orm';
import { createActivities } from '../activities';
import { type OperationsContext, requestOffboarding } from '../client/operations';
import { loadSettings } from '../config/settings';
import type { IdentityConnection } from '../domain/connection-policy';
import { createMailer } from '../adapters/mail-transport';
import { freePort } from '../test/helpers/free-port';
import { requireTemporalCli } from '../launcher/temporal-binaries';
import { startDevServer } from '../launcher/temporal-dev-server';
import { buildWorkflowBundle } from '../worker/workflow-bundle';
import { DEFAULT_INTAKE_WINDOW_MS, intakeStateQuery, intakeWorkflowId } from '../workflows/contract';
import { startBenchDatabase } from './bench-database';
import { type Cleanups, exitWhenDone, runCleanups } from './cleanups';

const USERS = Number(process.env.BENCH_USERS ?? 1_000);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? DEFAULT_INTAKE_WINDOW_MS);
const REPEAT_EVERY = 20;

const ms = (v: number) => `${v.toFixed(0)} ms`;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cleanups: Cleanups = [];
  try {
    const bundle = buildWorkflowBundle();
    const { db, dir } = await startBenchDatabase('scim-intake', cleanups);
    const cliPath = await requireTemporalCli(loadSettings());
    const server = await startDevServer({ cliPath, port: await freePort(), uiPort: await freePort(), headless: true });
    cleanups.unshift(() => server.stop());
    const connection = await Connection.connect({ address: server.address });
    cleanups.unshift(() => connection.close());
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    cleanups.unshift(() => nativeConnection.close());
    const client = new Client({ connection, namespace: server.namespace });

    // The directory: an admin, 50 managers, USERS people with a manager each (no open items).
    await db.execute(sql`insert into users (name, email, company, directory_permission) values ('Bench Admin', 'admin@bench.example', 'Acme', 'admin')`);
    await db.execute(sql`insert into users (name, email, company) select 'Manager ' || g, 'manager' || g || '@bench.example', 'Acme' from generate_series(1, 50) g`);
    await db.execute(sql`
      insert into users (name, email, company, manager_id)
      select 'Leaver ' || g, 'leaver' || g || '@bench.example', 'Acme', (select id from users where email = 'manager' || (g % 50 + 1) || '@bench.example')
        from generate_series(1, ${USERS}) g`);
    const [admin] = await db.execute<{ id: number }>(sql`select id from users where email = 'admin@bench.example'`);
    const leavers = (await db.execute<{ id: number }>(sql`select id from users where email like 'leaver%' order by id`)).map((r) => r.id);

    const mailer = createMailer({ smtpUrl: undefined, outboxDir: path.join(dir, 'outbox'), mailFrom: 'Offboarding <bench@example.com>', log: () => undefined });
    cleanups.unshift(() => mailer.close());
    const taskQueue = `bench-scim-intake-${process.pid}`;
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: await bundle,
      activities: createActivities({ db, mailer, clock: () => new Date() }),
      maxCachedWorkflows: 1_000,
    });
    const running = worker.run();
    cleanups.unshift(async () => {
      worker.shutdown();
      await running;
    });

    // The signal-with-start's share of each answer, timed around the client's call (the rest is the checks).
    const signalling = new AsyncLocalStorage<{ signalMs: number }>();
    const signalWithStart = client.workflow.signalWithStart.bind(client.workflow);
    client.workflow.signalWithStart = (async (...args: Parameters<typeof signalWithStart>) => {
      const s = performance.now();
      try {
        return await signalWithStart(...args);
      } finally {
        const store = signalling.getStore();
        if (store) store.signalMs = performance.now() - s;
      }
    }) as typeof client.workflow.signalWithStart;
    const ctx: OperationsContext = { db: async () => db, temporal: async () => client, taskQueue, intakeWindowMs: WINDOW_MS };
    const idp: IdentityConnection = { id: 1, name: 'Okta', company: 'Acme', adminUserId: admin!.id, policy: { reason: 'Layoff', successor: 'manager' } };

    // ---- the burst: one request every 1/RATE s, each answered on its own ---------------------------
    const requests: { userId: number; requestId: string }[] = [];
    leavers.forEach((userId, i) => {
      requests.push({ userId, requestId: `okta-${userId}` });
      if (i % REPEAT_EVERY === 0) requests.push({ userId, requestId: `okta-${userId}` }, { userId, requestId: `okta-${userId}-again` });
    });
    const latencies: number[] = [];
    const signalTimes: number[] = [];
    const checkTimes: number[] = [];
    let failures = 0;
    // How long this process's event loop (the worker's workflow tasks run in it too) kept callbacks waiting.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const t0 = performance.now();
    await Promise.all(
      requests.map(async (req, i) => {
        await sleep(Math.max(0, t0 + (i * 1000) / RATE - performance.now()));
        const s = performance.now();
        try {
          const parts = { signalMs: 0 };
          await signalling.run(parts, () => requestOffboarding(ctx, idp, req));
          const total = performance.now() - s;
          latencies.push(total);
          signalTimes.push(parts.signalMs);
          checkTimes.push(total - parts.signalMs);
        } catch (e) {
          failures++;
          console.error(`request ${req.requestId} failed: ${String(e)}`);
        }
      }),
    );
    const burstMs = performance.now() - t0;
    loopDelay.disable();

    // ---- the batches they became -----------------------------------------------------------------
    const intake = client.workflow.getHandle(intakeWorkflowId(idp.id));
    const until = Date.now() + WINDOW_MS + 180_000;
    let claims: { batchId: string; users: number; distinct: number }[] = [];
    for (;;) {
      claims = await db.execute<{ batchId: string; users: number; distinct: number }>(sql`
        select batch_id as "batchId", count(*)::int as users, count(distinct user_id)::int as distinct
          from offboardings group by batch_id order by min(started_at)`);
      const state = await intake.query(intakeStateQuery).catch(() => undefined);
      if (claims.reduce((n, c) => n + c.users, 0) >= USERS && state?.queued.length === 0 && state.starting === null) break;
      if (Date.now() > until) break;
      await sleep(1_000);
    }
    const [perUser] = await db.execute<{ users: number; twice: number }>(sql`
      select count(distinct user_id)::int as users, (count(*) - count(distinct user_id))::int as twice from offboardings`);
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`requests: ${requests.length} (${USERS} people, ${requests.length - USERS} repeats) at ${RATE}/s in ${(burstMs / 1000).toFixed(1)} s; window ${WINDOW_MS / 1000} s; ${failures} failed`);
    console.log(`answer time: p50 ${ms(pct(sorted, 50))}, p95 ${ms(pct(sorted, 95))}, max ${ms(sorted.at(-1) ?? NaN)}`);
    console.log(`  this process's event loop during the burst: delay p50 ${ms(loopDelay.percentile(50) / 1e6)}, p99 ${ms(loopDelay.percentile(99) / 1e6)}, max ${ms(loopDelay.max / 1e6)}`);
    const sortedChecks = [...checkTimes].sort((a, b) => a - b);
    const sortedSignals = [...signalTimes].sort((a, b) => a - b);
    console.log(`  the SQL checks: p50 ${ms(pct(sortedChecks, 50))}, p95 ${ms(pct(sortedChecks, 95))}; the signal-with-start: p50 ${ms(pct(sortedSignals, 50))}, p95 ${ms(pct(sortedSignals, 95))}`);
    console.log(`batches: ${claims.length} (${claims.map((c) => c.users).join(' + ')} people); taken: ${perUser?.users ?? 0} of ${USERS}; taken twice: ${perUser?.twice ?? 0}`);
    const ok = claims.length <= 2 && perUser?.users === USERS && perUser.twice === 0 && failures === 0;
    console.log(ok ? 'goal met: ≤ 2 batches, nothing lost, nobody twice' : 'GOAL MISSED');
    if (!ok) throw new Error('the intake missed its goal (see above)');
  } finally {
    await runCleanups(cleanups);
  }
}

exitWhenDone(main());
