// SCIM lookup benchmark (issue 23): `GET /scim/v2/Users?filter=userName eq "…"` — what Okta sends
// before every create — at 50,000 users, over HTTP to the web app (token check, rate limit, filter →
// SQL, the user, and the offboarding-states read the extension needs, which asks Temporal for running
// intakes), next to the same lookup as a plain SQL query, in the same process and run. Printed:
// p50/p95 of each, sequentially, and the ratio. A third line looks up people the provider has
// deprovisioned (and who have no offboarding yet): only for them does the extension read the running
// intakes through Temporal's visibility list and a query to each — what every lookup paid before (the
// difference between the first and third lines is that read). One intake is running throughout (a
// worker, and a deactivation waiting in an hour-long window), as during a layoff.
//
//   npm run bench -- scim
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { requestOffboarding } from '../client/operations';
import { buildWorkflowBundle } from '../worker/workflow-bundle';
import { sql } from 'drizzle-orm';
import { loadSettings } from '../config/settings';
import { users } from '../db/schema';
import { createConnection } from '../domain/connections';
import { createMailer } from '../adapters/mail-transport';
import { freePort } from '../test/helpers/free-port';
import { requireTemporalCli } from '../launcher/temporal-binaries';
import { startDevServer } from '../launcher/temporal-dev-server';
import { startBenchDatabase } from './bench-database';
import { type Cleanups, exitWhenDone, runCleanups } from './cleanups';
import { startBenchWebServer } from './web-server';

const USERS = 50_000;
const LOOKUPS = 300;
const COMPANY = 'Northwind Builders';

const percentile = (ms: number[], p: number) => [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))] ?? NaN;
const ms = (n: number) => `${n.toFixed(2)} ms`;

async function timed(n: number, once: (i: number) => Promise<void>): Promise<{ p50: number; p95: number }> {
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await once(i);
    latencies.push(performance.now() - s);
  }
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cleanups: Cleanups = [];
  try {
    const bundle = buildWorkflowBundle();
    const { db, dir } = await startBenchDatabase('scim', cleanups);
    const server = await startDevServer({ cliPath: await requireTemporalCli(loadSettings()), port: await freePort(), uiPort: await freePort(), headless: true });
    cleanups.unshift(() => server.stop());
    const connection = await Connection.connect({ address: server.address });
    cleanups.unshift(() => connection.close());
    const temporal = new Client({ connection, namespace: server.namespace });

    const t0 = performance.now();
    const [admin] = await db.insert(users).values({ name: 'Helen Park', email: 'helen@example.com', company: COMPANY, directoryPermission: 'admin' }).returning({ id: users.id });
    await db.execute(sql`
      insert into users (name, email, company, scim_user_name, external_id, scim_connection_id)
      select 'Person ' || g, 'person' || g || '@northwind.example', ${COMPANY}, 'person' || g || '@northwind.example', 'ext-' || g, null
        from generate_series(1, ${USERS}) g`);
    // Every 100th person deprovisioned, with no offboarding yet: their lookups read the intakes.
    await db.execute(sql`update users set deprovisioned_at = now() where id in (select id from users where scim_user_name like 'person%00@northwind.example')`);
    await db.execute(sql`analyze users`);
    const { token, connection: idp } = await createConnection(db, { name: 'Okta', company: COMPANY, policy: { reason: 'Left', successor: 'none' }, adminUserId: admin!.id, createdBy: 'bench' });
    console.log(`directory: ${USERS} users in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const mailer = createMailer({ smtpUrl: undefined, outboxDir: `${dir}/outbox`, mailFrom: 'o <o@example.com>', log: () => undefined });
    cleanups.unshift(() => mailer.close());
    // A running intake: a worker, and one deactivation waiting in an hour-long window.
    const taskQueue = 'bench-scim';
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    cleanups.unshift(() => nativeConnection.close());
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle: await bundle, activities: createActivities({ db, mailer, clock: () => new Date() }) });
    const running = worker.run();
    cleanups.unshift(async () => {
      worker.shutdown();
      await running;
    });
    const [waiting] = await db.execute<{ id: number }>(sql`select id from users where scim_user_name = 'person100@northwind.example'`);
    await requestOffboarding({ db: async () => db, temporal: async () => temporal, taskQueue, intakeWindowMs: 3_600_000 }, idp, { userId: waiting!.id, requestId: 'bench-waiting' });
    const web = await startBenchWebServer({ db, temporal, taskQueue, cleanups, limits: { scim: { requestsPerMinute: 1_000_000 } }, mail: { mailer } });

    // Never a multiple of 100 (those are deprovisioned), spread over the table.
    const who = (i: number) => {
      const n = 1 + ((i * 7919) % USERS);
      return `person${n % 100 === 0 ? n - 1 : n}@northwind.example`;
    };
    const whoDeprovisioned = (i: number) => `person${100 * (1 + ((i * 37) % (USERS / 100)))}@northwind.example`;
    const lookup = async (userName: string) => {
      const r = await fetch(`${web.url}/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await r.json()) as { totalResults?: number };
      if (r.status !== 200 || body.totalResults !== 1) throw new Error(`HTTP ${r.status}: ${JSON.stringify(body).slice(0, 200)}`);
    };
    const overHttp = (i: number) => lookup(who(i));
    const deprovisionedOverHttp = (i: number) => lookup(whoDeprovisioned(i));
    const plainSql = async (i: number) => {
      const rows = await db.execute(sql`select * from users u where u.company = ${COMPANY} and u.scim_deleted_at is null and lower(coalesce(u.scim_user_name, u.email)) = lower(${who(i)})`);
      if (rows.length !== 1) throw new Error('not found');
    };
    // Warm both paths, then measure them in turn, in one run.
    await timed(20, overHttp);
    await timed(20, plainSql);
    await timed(20, deprovisionedOverHttp);
    const http = await timed(LOOKUPS, overHttp);
    const plain = await timed(LOOKUPS, plainSql);
    const withIntakes = await timed(LOOKUPS, deprovisionedOverHttp);
    console.log(`GET /scim/v2/Users?filter=userName eq "…" at ${USERS} users: p50 ${ms(http.p50)}, p95 ${ms(http.p95)} (${LOOKUPS} lookups)`);
    console.log(`the same lookup as plain SQL:                     p50 ${ms(plain.p50)}, p95 ${ms(plain.p95)}`);
    console.log(`ratio SCIM / SQL at p95: ${(http.p95 / plain.p95).toFixed(1)}×`);
    console.log(`the same GET of a deprovisioned person (reads the intakes):  p50 ${ms(withIntakes.p50)}, p95 ${ms(withIntakes.p95)}`);
  } finally {
    await runCleanups(cleanups);
  }
}

exitWhenDone(main());
