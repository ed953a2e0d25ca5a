// The JSON API's `GET /api/v1/batches/{id}` of a 10,000-user batch (issue 24): p50/p95 over HTTP to the
// web app (token check, rate-limit count in PostgreSQL, the batch status query, the JSON), next to the
// Temporal query it makes (batchStatusQuery, first page) sent straight from a client, in one run.
// The batch is the stand-in of bench/fake-batch-workflow.ts: it holds 10,000 rows and answers the query
// as the batch workflow does (counts over every row, one page of users), so no 10,000 offboardings run.
//
//   npm run bench -- api-batch
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { sql } from 'drizzle-orm';
import { API_BASE_PATH } from '../client/web/api/routes';
import { loadSettings } from '../config/settings';
import { createConnection } from '../domain/connections';
import { freePort } from '../test/helpers/free-port';
import { requireTemporalCli } from '../launcher/temporal-binaries';
import { startDevServer } from '../launcher/temporal-dev-server';
import { BATCH_STATUS_PAGE, batchStatusQuery, batchWorkflowId } from '../workflows/contract';
import { startBenchDatabase } from './bench-database';
import { type Cleanups, exitWhenDone, runCleanups } from './cleanups';
import { startBenchWebServer } from './web-server';

const USERS = 10_000;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const WARMUP = 20;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

async function timed(fn: () => Promise<void>): Promise<{ p50: number; p95: number; max: number }> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const xs: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return { p50: pct(xs, 50), p95: pct(xs, 95), max: Math.max(...xs) };
}

async function main(): Promise<void> {
  const cleanups: Cleanups = [];
  try {
    const { db, dir } = await startBenchDatabase('api-batch', cleanups);
    const [admin] = await db.execute<{ id: number }>(sql`
      insert into users (name, email, company, directory_permission) values ('Helen Park', 'helen@bench.example', 'Bench', 'admin') returning id`);
    const leavers = await db.execute<{ id: number }>(sql`
      insert into users (name, email, company) select 'Leaver ' || g, 'leaver' || g || '@bench.example', 'Bench' from generate_series(1, ${USERS}) g returning id`);
    const userIds = leavers.map((u) => u.id);
    const { token } = await createConnection(db, { name: 'HR', company: 'Bench', policy: { reason: 'Left', successor: 'none' }, adminUserId: admin?.id ?? 0, createdBy: 'bench', scopes: ['offboardings:read'] });

    const server = await startDevServer({ cliPath: await requireTemporalCli(loadSettings()), port: await freePort(), uiPort: await freePort(), headless: true });
    cleanups.unshift(() => server.stop());
    const connection = await Connection.connect({ address: server.address });
    cleanups.unshift(() => connection.close());
    const temporal = new Client({ connection, namespace: server.namespace });
    const native = await NativeConnection.connect({ address: server.address });
    cleanups.unshift(() => native.close());
    const worker = await Worker.create({ connection: native, taskQueue: 'api-batch-bench', workflowsPath: path.join(path.dirname(fileURLToPath(import.meta.url)), 'fake-batch-workflow.ts') });
    const running = worker.run();
    cleanups.unshift(async () => {
      worker.shutdown();
      await running;
    });
    const batchId = 'b-bench-api-10000';
    const wf = await temporal.workflow.start('fakeOffboardingBatch', {
      taskQueue: 'api-batch-bench',
      workflowId: batchWorkflowId(batchId),
      args: [{ batchId, requestedBy: admin?.id ?? 0, userIds, startedAt: new Date(Date.now() - 3 * 86_400_000).toISOString() }],
    });
    cleanups.unshift(() => wf.terminate('bench done').then(() => undefined));

    const web = await startBenchWebServer({ db, temporal, taskQueue: 'api-batch-bench', cleanups, limits: { api: { requestsPerMinute: 1_000_000 } }, mail: { outboxDir: path.join(dir, 'outbox') } });

    let bytes = 0;
    const overHttp = async () => {
      const r = await fetch(`${web.url}${API_BASE_PATH}/batches/${batchId}`, { headers: { authorization: `Bearer ${token}` } });
      const body = await r.text();
      bytes = body.length;
      if (r.status !== 200 || !body.includes(`"total":${USERS}`)) throw new Error(`HTTP ${r.status}: ${body.slice(0, 300)}`);
    };
    const query = async () => {
      const s = await wf.query(batchStatusQuery, { offset: 0, limit: BATCH_STATUS_PAGE });
      if (s.total !== USERS) throw new Error(`the query answered ${s.total} users`);
    };
    // Interleaved warm-up, then each in turn, in one run.
    const http = await timed(overHttp);
    const direct = await timed(query);
    console.log(`\napi-batch bench: ${SAMPLES} samples each after ${WARMUP} warm-up, load average ${os.loadavg()[0]?.toFixed(1)}; the answer is ${(bytes / 1024).toFixed(1)} KiB (${BATCH_STATUS_PAGE} users of ${USERS.toLocaleString('en-US')})`);
    console.log('| what | p50 | p95 | max |');
    console.log('|---|---:|---:|---:|');
    console.log(`| GET /api/v1/batches/{id}, ${USERS.toLocaleString('en-US')}-user batch (HTTP) | ${http.p50.toFixed(1)} ms | ${http.p95.toFixed(1)} ms | ${http.max.toFixed(1)} ms |`);
    console.log(`| the Temporal query it makes (batchStatusQuery, first page) | ${direct.p50.toFixed(1)} ms | ${direct.p95.toFixed(1)} ms | ${direct.max.toFixed(1)} ms |`);
    console.log(`ratio API / query at p95: ${(http.p95 / direct.p95).toFixed(2)}×`);
  } finally {
    await runCleanups(cleanups);
  }
}

exitWhenDone(main());
