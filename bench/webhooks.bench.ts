// Webhook delivery benchmark (issue 24): events per second from the outbox to a local receiver that
// verifies every signature (standardwebhooks), and the delay from the event (its commit; the body's
// timestamp) to its delivery, p50/p95 — through the real path: recordWebhookEvent → NOTIFY → the
// worker's relay → one webhookDelivery workflow per event → the activity's signed POST and its log
// row. Next to it, in the same run, the same number of signed POSTs sent in a plain loop with the
// same concurrency and no Temporal and no database: what the delivery machinery costs over HTTP alone.
//
//   npm run bench -- webhooks
import { performance } from 'node:perf_hooks';
import http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Webhook } from 'standardwebhooks';
import { createActivities } from '../activities';
import { createMailer } from '../adapters/mail-transport';
import { loadSettings } from '../config/settings';
import { connectDatabase } from '../db/client';
import { users } from '../db/schema';
import { createConnection } from '../domain/connections';
import { recordWebhookEvent } from '../domain/webhooks/events';
import { createWebhookSubscription } from '../domain/webhooks/subscriptions';
import { requireTemporalCli } from '../launcher/temporal-binaries';
import { startDevServer } from '../launcher/temporal-dev-server';
import { freePort } from '../test/helpers/free-port';
import { startWebhookReceiver } from '../test/helpers/webhook-receiver';
import { startWebhookRelay } from '../worker/webhook-relay';
import { buildWorkflowBundle } from '../worker/workflow-bundle';
import { startBenchDatabase } from './bench-database';
import { type Cleanups, exitWhenDone, runCleanups } from './cleanups';

const EVENTS = Number(process.env.WEBHOOK_BENCH_EVENTS ?? 1000);
/** Events committed per transaction while the relay already delivers (a burst, as a batch's claims are). */
const PER_TX = 50;
const COMPANY = 'Northwind Builders';

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? NaN;

async function main(): Promise<void> {
  const cleanups: Cleanups = [];
  try {
    const { db, url, dir } = await startBenchDatabase('webhooks', cleanups);
    const listen = connectDatabase(url, { max: 2 });
    cleanups.unshift(() => listen.close());
    const server = await startDevServer({ cliPath: await requireTemporalCli(loadSettings()), port: await freePort(), uiPort: await freePort(), headless: true });
    cleanups.unshift(() => server.stop());
    const connection = await Connection.connect({ address: server.address });
    cleanups.unshift(() => connection.close());
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    cleanups.unshift(() => nativeConnection.close());
    const client = new Client({ connection, namespace: server.namespace });
    const receiver = await startWebhookReceiver();
    cleanups.unshift(() => receiver.close());

    const [admin] = await db.insert(users).values({ name: 'Helen Park', email: 'helen@example.com', company: COMPANY, directoryPermission: 'admin' }).returning({ id: users.id });
    const { connection: conn } = await createConnection(db, { name: 'Workday', company: COMPANY, policy: { reason: 'Left', successor: 'none' }, adminUserId: admin!.id, createdBy: 'bench', scopes: ['webhooks'] });
    const { secret } = await createWebhookSubscription(db, { connectionId: conn.id, url: `${receiver.url}/hook`, events: ['user.inactivated'], createdBy: 'bench', allowPrivateTargets: true });
    receiver.route('/hook', 'ok', secret);
    receiver.route('/plain', 'ok', secret);

    const mailer = createMailer({ smtpUrl: undefined, outboxDir: `${dir}/outbox`, mailFrom: 'o <o@example.com>', log: () => undefined });
    cleanups.unshift(() => mailer.close());
    const taskQueue = `bench-webhooks-${process.pid}`;
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: server.namespace,
      taskQueue,
      workflowBundle: await buildWorkflowBundle(),
      activities: createActivities({ db, mailer, clock: () => new Date(), webhooks: { allowPrivateTargets: true, timeoutMs: 10_000 } }),
    });
    const running = worker.run();
    cleanups.unshift(async () => {
      worker.shutdown();
      await running;
    });
    const relay = await startWebhookRelay({
      db,
      sql: listen.sql,
      client,
      taskQueue,
      settings: { retry: { firstMs: 1000, maxMs: 10_000, giveUpAfterMs: 600_000 }, relayIntervalMs: 1000 },
      log: (level, message) => console.warn(`relay ${level}: ${message}`),
    });
    cleanups.unshift(() => relay.stop());

    // ---- through the product -------------------------------------------------------------------
    const t0 = performance.now();
    for (let i = 0; i < EVENTS; i += PER_TX) {
      await db.transaction(async (tx) => {
        for (let j = i; j < Math.min(EVENTS, i + PER_TX); j++) {
          await recordWebhookEvent(tx, { type: 'user.inactivated', company: COMPANY, dedupeKey: `bench:${j}`, data: { user: { id: j, name: `Person ${j}`, email: null, externalId: null } } });
        }
      });
    }
    const committed = performance.now() - t0;
    const deadline = Date.now() + 30 * 60_000;
    while (receiver.delivered('/hook').length < EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const elapsed = performance.now() - t0;
    const got = receiver.delivered('/hook');
    const ids = new Set(got.map((r) => r.webhookId));
    const delays = got.map((r) => r.receivedAt - r.eventAt);

    // ---- the same signed POSTs in a plain loop ---------------------------------------------------
    const wh = new Webhook(secret);
    const concurrency = 100; // the worker's default concurrent activity slots are 100 too
    const body = JSON.stringify({ type: 'user.inactivated', timestamp: new Date().toISOString(), data: { user: { id: 0 } } });
    const agent = new http.Agent({ keepAlive: false });
    const postOnce = (j: number) =>
      new Promise<void>((resolve, reject) => {
        const id = `msg_plain_${j}`;
        const now = new Date();
        const req = http.request(`${receiver.url}/plain`, {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': wh.sign(id, now, body) },
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', reject);
        req.end(body);
      });
    const p0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < EVENTS) await postOnce(next++);
      }),
    );
    const plainElapsed = performance.now() - p0;

    console.log(`${EVENTS} events (committed ${PER_TX} per transaction in ${(committed / 1000).toFixed(1)} s), one subscription, a local receiver verifying every signature:`);
    console.log(`  through the relay and Temporal: ${got.length} delivered (${ids.size} unique webhook-ids) in ${(elapsed / 1000).toFixed(1)} s = ${(got.length / (elapsed / 1000)).toFixed(0)} events/s`);
    console.log(`  delay from event to delivery: p50 ${percentile(delays, 50).toFixed(0)} ms, p95 ${percentile(delays, 95).toFixed(0)} ms, max ${Math.max(...delays).toFixed(0)} ms`);
    console.log(`  the same signed POSTs in a plain loop (${concurrency} at a time, no Temporal, no database): ${(EVENTS / (plainElapsed / 1000)).toFixed(0)} events/s`);
  } finally {
    await runCleanups(cleanups);
  }
}

exitWhenDone(main());
