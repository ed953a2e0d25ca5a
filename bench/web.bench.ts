// Web app benchmark (issue 13): server time of the manager's pages, next to one Temporal status query
// in the same run.
//   - "People leaving your team" for a manager with 1,000 offboardings (claims, outbox rows with
//     reminders and escalations, open items): page 1 and the last page (50 rows each).
//   - One leaving person's page with 200 open items on 4 projects of 60 members each (one status
//     query to their running workflow, the eligible people, the page rendered).
//   - One status query to that workflow alone.
//   - Then, once: 20 of the 200 items handed over one request each, and the other 180 in one
//     "Hand everything over to one person"; the time per item of each.
// Server time = the app's own handling of the request (Hono's fetch, in process: session, permission,
// reads, render), without the network. Target: p95 < 50 ms for each page.
//
// With BENCH_WEB_BEFORE=<git revision>, that revision's web app (bench/web-baseline.ts) serves the
// same pages from the same database, Temporal server and session, sample for sample alternating with
// the current one, and the table gives before, after and the ratio for p50 and p95: a before/after
// from ONE run, which the machine's changing load cannot skew.
//
//   npm run bench -- web
//   BENCH_WEB_BEFORE=main npm run bench -- web
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { sql } from 'drizzle-orm';
import { createActivities } from '../activities';
import { createWebApp } from '../client/web/app';
import type { WebDeps } from '../client/web/context';
import { sha256, webKeys } from '../client/web/keys';
import { managerActions } from '../client/web/manager-actions';
import { loadSettings } from '../config/settings';
import { createMailer } from '../adapters/mail-transport';
import { requireTemporalCli } from '../launcher/temporal-binaries';
import { startDevServer } from '../launcher/temporal-dev-server';
import { workflowsPath } from '../worker/workflow-bundle';
import { DEFAULT_POLICY, userStatusQuery, userWorkflowId } from '../workflows/contract';
import { userOffboarding } from '../workflows/user-offboarding';
import { startBenchDatabase } from './bench-database';
import { type Cleanups, exitWhenDone, runCleanups } from './cleanups';
import { type BenchApp, loadBaselineApp } from './web-baseline';
import { freePort } from '../test/helpers/free-port';

const OFFBOARDINGS = 1_000;
const ITEMS = 200;
const SAMPLES = 200;
const WARMUP = 20;
/** Items handed over one per request before the rest go in one "hand everything over". */
const HANDED_ONE_BY_ONE = 20;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

type Timing = { p50: number; p95: number; max: number };

const summary = (xs: number[]): Timing => ({ p50: pct(xs, 50), p95: pct(xs, 95), max: Math.max(...xs) });

/** Each function SAMPLES times after WARMUP, taking turns sample by sample so both see the same load. */
async function timeTogether(fns: (() => Promise<unknown>)[]): Promise<Timing[]> {
  for (let i = 0; i < WARMUP; i++) for (const fn of fns) await fn();
  const xs: number[][] = fns.map(() => []);
  for (let i = 0; i < SAMPLES; i++) {
    for (const [k, fn] of fns.entries()) {
      const t0 = performance.now();
      await fn();
      xs[k]?.push(performance.now() - t0);
    }
  }
  return xs.map(summary);
}

async function main(): Promise<void> {
  const cleanups: Cleanups = [];
  try {
    const { db, dir: dataDir } = await startBenchDatabase('web', cleanups);

    // The directory: an admin, a manager with 1,000 leaving reports (each with 2 open items and an
    // outbox history), and one leaving person with 200 open items on 4 projects of 60 members.
    await db.execute(sql`insert into users (id, name, email, company, directory_permission) values
      (1, 'Ada Admin', 'ada@bench.example', 'Bench', 'admin'), (2, 'Mia Manager', 'mia@bench.example', 'Bench', 'standard')`);
    await db.execute(sql`insert into users (id, name, email, company, manager_id, job_title)
      select g, 'Person ' || g, 'p' || g || '@bench.example', 'Bench', case when g <= ${OFFBOARDINGS + 2} then 2 else null end, 'Engineer'
        from generate_series(3, ${OFFBOARDINGS + 2 + 300}::int) g`);
    await db.execute(sql`select setval('users_id_seq', (select max(id) from users))`);
    await db.execute(sql`insert into projects (id, number, name) select g, 'P-' || g, 'Project ' || g from generate_series(1, 4) g`);
    await db.execute(sql`select setval('projects_id_seq', 4)`);
    const leaver = OFFBOARDINGS + 3; // the first non-report person: managed by Mia too
    await db.execute(sql`update users set manager_id = 2, is_employee = false where id = ${leaver}`);
    await db.execute(sql`insert into project_members (project_id, user_id)
      select p, u from generate_series(1, 4) p, generate_series(${leaver}::int, ${leaver + 59}::int) u`);
    await db.execute(sql`insert into observations (project_id, number, title, status, assignee_id)
      select 1 + (g % 4), 'OBS-' || g, 'Observation ' || g, 'initiated', ${leaver} from generate_series(1, ${ITEMS}::int) g`);
    await db.execute(sql`insert into offboardings (user_id, workflow_id, requested_by, started_at)
      select g, 'offboarding-user-' || g, 1, now() - (g || ' minutes')::interval from generate_series(3, ${OFFBOARDINGS + 2}::int) g`);
    await db.execute(sql`insert into defect_items (project_id, number, title, status, assigned_to_id)
      select 1, 'PL-' || g || '-' || k, 'Defect', 'work_required', g from generate_series(3, ${OFFBOARDINGS + 2}::int) g, generate_series(1, 2) k`);
    for (const [kind, share] of [
      ['items-assigned', 1],
      ['reminder', 1],
      ['reminder', 0.5],
      ['escalation', 0.2],
    ] as const) {
      await db.execute(sql`insert into notification_outbox (idempotency_key, kind, recipients, subject, text_body, html_body, workflow_id, status, created_at)
        select 'offboarding-user-' || g || ':' || ${kind} || ':' || random(), ${kind}, '["mia@bench.example"]'::jsonb, 's', 't', 'h',
               'offboarding-user-' || g, 'sent', now()
          from generate_series(3, ${OFFBOARDINGS + 2}::int) g where random() < ${share}`);
    }
    await db.execute(sql`analyze`);

    // Temporal: a dev server, a worker, and the leaver's offboarding waiting on its 200 items.
    const settings = loadSettings();
    const server = await startDevServer({ cliPath: await requireTemporalCli(settings), port: await freePort(), uiPort: await freePort(), headless: true });
    cleanups.unshift(() => server.stop());
    const connection = await Connection.connect({ address: server.address });
    cleanups.unshift(() => connection.close());
    const client = new Client({ connection, namespace: server.namespace });
    const native = await NativeConnection.connect({ address: server.address });
    cleanups.unshift(() => native.close());
    const mailer = createMailer({ smtpUrl: undefined, outboxDir: path.join(dataDir, 'outbox'), mailFrom: 'Bench <b@bench.example>', log: () => undefined });
    const worker = await Worker.create({
      connection: native,
      taskQueue: 'web-bench',
      workflowsPath,
      activities: createActivities({ db, mailer, clock: () => new Date() }),
    });
    const running = worker.run();
    cleanups.unshift(async () => {
      worker.shutdown();
      await running;
    });
    const wf = await client.workflow.start(userOffboarding, {
      taskQueue: 'web-bench',
      workflowId: userWorkflowId(leaver),
      args: [{ userId: leaver, requestedBy: 1, batchId: null, reason: 'bench', effectiveAt: null, successorId: null, policy: DEFAULT_POLICY }],
    });
    cleanups.unshift(() => wf.terminate('bench done').then(() => undefined));
    for (let i = 0; ; i++) {
      const s = await wf.query(userStatusQuery).catch(() => undefined);
      if (s?.stage === 'awaiting-reassignment' && s.pendingItems.length === ITEMS) break;
      if (i > 600) throw new Error('the leaver never waited with 200 items');
      await sleep(100);
    }

    // The app in process, and a session of the manager.
    const secret = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
    const deps: WebDeps = {
      settings: { port: 0, host: '127.0.0.1', publicUrl: 'http://localhost:3000', linkSecret: secret, auth: 'email-link', trustedHeader: 'X', trustedProxies: [] },
      db,
      temporal: client,
      operations: { db: async () => db, temporal: async () => client, taskQueue: 'web-bench' },
      mailer,
      actions: managerActions({ db: async () => db, temporal: async () => client, taskQueue: 'web-bench' }),
      keys: webKeys(secret),
      log: () => undefined,
    };
    const sessionId = 'B'.repeat(43);
    await db.execute(sql`insert into web_sessions (id_hash, user_id, via, expires_at) values (${sha256(sessionId)}, 2, 'email-link', now() + interval '1 day')`);
    const getter = (app: BenchApp) => async (p: string) => {
      const r = await app.request(p, { headers: { cookie: `offboarding_session=${sessionId}` } });
      const body = await r.text();
      if (r.status !== 200) throw new Error(`${p}: ${r.status} ${body.slice(0, 200)}`);
      return body;
    };
    const get = getter(createWebApp(deps));
    const beforeRevision = process.env.BENCH_WEB_BEFORE?.trim();
    const baseline = beforeRevision ? await loadBaselineApp(beforeRevision) : null;
    if (baseline) cleanups.unshift(baseline.remove);
    const getBefore = baseline ? getter(baseline.createWebApp(deps)) : null;

    const firstPage = await get('/people');
    const total = Number(/([\d,]+) offboardings in progress/.exec(firstPage)?.[1]?.replaceAll(',', '') ?? 0);
    if (total < OFFBOARDINGS) throw new Error(`the list says ${total} offboardings in progress, expected at least ${OFFBOARDINGS}`);
    const userPage = await get(`/people/${leaver}`);
    for (const [which, page] of [['current', userPage], ...(getBefore ? [['before', await getBefore(`/people/${leaver}`)]] : [])]) {
      // The items' own selects, without "Hand everything over to one person" (its own count below).
      const perItem = (page ?? '').replace(/<select id="to-all"[\s\S]*?<\/select>/, '');
      const forms = (perItem.match(/name="toUserId"/g) ?? []).length;
      const options = (perItem.match(/<option value="\d+">/g) ?? []).length;
      if (forms !== ITEMS) throw new Error(`${which} user page shows ${forms} hand-over forms, expected ${ITEMS}`);
      // The leaver's 60 co-members minus the leaver: 59 people in every select.
      if (options !== ITEMS * 59) throw new Error(`${which} user page offers ${options} people in all, expected ${ITEMS * 59}`);
    }

    const pages = [
      { what: `list, page 1 of ${OFFBOARDINGS / 50} (${total} offboardings)`, path: '/people' },
      { what: 'list, last page', path: `/people?page=${Math.ceil(total / 50)}` },
      { what: `user page, ${ITEMS} open items (${(userPage.length / 1024).toFixed(0)} KiB)`, path: `/people/${leaver}` },
    ];
    const rows: { what: string; before: Timing | null; after: Timing }[] = [];
    for (const page of pages) {
      const [after, before] = await timeTogether([() => get(page.path), ...(getBefore ? [() => getBefore(page.path)] : [])]);
      if (!after) throw new Error('no timing');
      rows.push({ what: page.what, after, before: before ?? null });
    }
    const [query] = await timeTogether([() => wf.query(userStatusQuery)]);
    if (query) rows.push({ what: 'one status query to Temporal (alone)', before: null, after: query });

    // Handing the items over, once (it changes them): HANDED_ONE_BY_ONE one item per request as the
    // item forms do, then the rest in one "Hand everything over to one person"; per item, side by side.
    const [taker] = await db.execute<{ id: number }>(sql`select u.id from users u join project_members pm on pm.user_id = u.id
      where pm.project_id = 1 and u.id <> ${leaver} order by u.id limit 1`);
    if (!taker) throw new Error('nobody to hand the items to');
    const keys = (await wf.query(userStatusQuery)).pendingItems.map((i) => i.key);
    const oneByOneT0 = performance.now();
    for (const key of keys.slice(0, HANDED_ONE_BY_ONE)) {
      const r = await deps.actions.reassign(2, leaver, key, taker.id, randomUUID());
      if (!r.ok) throw new Error(`reassign ${key}: ${r.message}`);
    }
    const oneByOneMs = (performance.now() - oneByOneT0) / HANDED_ONE_BY_ONE;
    const allT0 = performance.now();
    const all = await deps.actions.handOverAll(2, leaver, taker.id, randomUUID());
    const allMs = performance.now() - allT0;
    if (!all.ok || all.value.itemsLeft.length !== 0) throw new Error(`hand everything over: ${all.ok ? `${all.value.itemsLeft.length} left` : all.message}`);
    const n = all.value.handedOver.length;

    const ms = (t: number | undefined) => (t === undefined ? '' : `${t.toFixed(1)} ms`);
    console.log(`\nweb bench: ${SAMPLES} samples each after ${WARMUP} warm-up, load average ${os.loadavg()[0]?.toFixed(1)}`);
    if (baseline) {
      console.log(`before = ${baseline.revision} (${baseline.commit}), after = this checkout; samples alternate between the two\n`);
      console.log('| what | p50 before | p50 after | p50 after/before | p95 before | p95 after | p95 after/before |');
      console.log('|---|---:|---:|---:|---:|---:|---:|');
      for (const r of rows) {
        const ratio = (a: number, b: number | undefined) => (b === undefined ? '' : `${(a / b).toFixed(2)}×`);
        console.log(`| ${r.what} | ${ms(r.before?.p50)} | ${ms(r.after.p50)} | ${ratio(r.after.p50, r.before?.p50)} | ${ms(r.before?.p95)} | ${ms(r.after.p95)} | ${ratio(r.after.p95, r.before?.p95)} |`);
      }
    } else {
      console.log('| what | p50 | p95 | max |');
      console.log('|---|---:|---:|---:|');
      for (const r of rows) console.log(`| ${r.what} | ${ms(r.after.p50)} | ${ms(r.after.p95)} | ${ms(r.after.max)} |`);
    }
    console.log(
      `\nhanding over: ${HANDED_ONE_BY_ONE} items one per request, ${ms(oneByOneMs)} per item; then ${n} items in one "hand everything over", ` +
        `${(allMs / 1000).toFixed(2)} s in all, ${ms(allMs / n)} per item (${(allMs / n / oneByOneMs).toFixed(2)}× the one-by-one time per item)`,
    );
  } finally {
    await runCleanups(cleanups);
  }
}

exitWhenDone(main());
