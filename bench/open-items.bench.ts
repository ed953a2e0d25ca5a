// Open-item scan benchmark (issue 3): 50,000 users, ~1,000,000 items across the seven tools (10–20%
// open). Measures, side by side: the scan for one user (p50/p99), the scan for a batch of 1,000
// users, and that batch scanned the naive way (one query per user per tool: 7,000 round trips).
//
//   npm run bench -- open-items          (starts a throwaway embedded PostgreSQL)
//   DATABASE_URL=postgres://… npm run bench -- open-items   (creates and drops a scratch database there)
//   npx tsx bench/open-items.bench.ts --reuse /tmp/dir   (keeps the cluster and data in /tmp/dir between runs)
//   npm run bench -- open-items --baseline <git-ref>:<path of the scan module>
//       also times the scan query of another revision, interleaved with today's on the same data, and
//       prints the ratio (e.g. --baseline a277104:activities/open-items.ts before a refactor).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { type SQL, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { loadSettings } from '../config/settings';
import { PgDialect } from 'drizzle-orm/pg-core';
import { connectDatabase, type Database } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { openItemsQuery, scanOpenItems } from '../domain/open-items';
import { ensureDatabase, quoteIdent, startEmbeddedPostgres } from '../launcher/embedded-postgres';
import { type Cleanups, runCleanups } from './cleanups';

const USERS = 50_000;
const PROJECTS = 500;
const SINGLE_SAMPLES = 300;
const BATCH = 1_000;
const BATCH_RUNS = 5;
const dialect = new PgDialect();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      server.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

const rnd = (n: number) => sql.raw(`(1 + floor(random() * ${n})::int)`);
const openStatus = (open: string, closed: string, share = 0.15) => sql.raw(`(case when random() < ${share} then '${open}' else '${closed}' end)`);

async function generate(db: Database): Promise<Record<string, number>> {
  const steps: [string, SQL][] = [
    ['seed', sql`select setseed(0.42)`],
    [
      'users',
      sql`insert into users (name, email, company, is_employee, directory_permission)
          select 'User ' || g, 'user' || g || '@bench.example', 'Company ' || (g % 50), g % 3 = 0,
                 (case when g <= 20 then 'admin' else 'standard' end)::directory_permission
            from generate_series(1, ${USERS}) g`,
    ],
    ['projects', sql`insert into projects (number, name) select 'P-' || g, 'Project ' || lpad(g::text, 4, '0') from generate_series(1, ${PROJECTS}) g`],
    [
      'project_members',
      sql`insert into project_members (project_id, user_id)
          select 1 + (g * k) % ${PROJECTS}, g from generate_series(1, ${USERS}) g, (values (1), (7)) v(k)
          on conflict do nothing`,
    ],
    [
      'rfis',
      sql`insert into rfis (project_id, number, subject, status, manager_id)
          select ${rnd(PROJECTS)}, 'RFI-' || g, 'Question ' || g,
                 (case when random() < 0.05 then 'draft' when random() < 0.1 then 'open' else 'closed' end)::rfi_status, ${rnd(USERS)}
            from generate_series(1, 180000) g`,
    ],
    ['rfi_assignees', sql`insert into rfi_assignees (rfi_id, user_id) select id, ${rnd(USERS)} from rfis`],
    [
      'submittals',
      sql`insert into submittals (project_id, number, title, status, manager_id)
          select ${rnd(PROJECTS)}, 'S-' || g, 'Submittal ' || g,
                 (case when random() < 0.05 then 'draft' when random() < 0.1 then 'open' else 'closed' end)::submittal_status, ${rnd(USERS)}
            from generate_series(1, 140000) g`,
    ],
    [
      'submittal_approvers',
      sql`insert into submittal_approvers (submittal_id, user_id, response)
          select id, ${rnd(USERS)}, (case when status <> 'closed' and random() < 0.7 then 'pending' else 'approved' end)::approver_response
            from submittals`,
    ],
    [
      'observations',
      sql`insert into observations (project_id, number, title, status, assignee_id)
          select ${rnd(PROJECTS)}, 'O-' || g, 'Observation ' || g, ${openStatus('initiated', 'closed')}::observation_status, ${rnd(USERS)}
            from generate_series(1, 160000) g`,
    ],
    [
      'meetings',
      sql`insert into meetings (project_id, title, meeting_date)
          select ${rnd(PROJECTS)}, 'Meeting ' || g, date '2026-01-01' + (g % 300) from generate_series(1, 16000) g`,
    ],
    [
      'meeting_items',
      sql`insert into meeting_items (meeting_id, number, title, status)
          select 1 + (g % 16000), 'M-' || g, 'Item ' || g, ${openStatus('open', 'closed')}::meeting_item_status
            from generate_series(1, 160000) g`,
    ],
    ['meeting_item_assignees', sql`insert into meeting_item_assignees (meeting_item_id, user_id) select id, ${rnd(USERS)} from meeting_items`],
    [
      'inspections',
      sql`insert into inspections (project_id, number, title, status, responsible_contractor, point_of_contact_id)
          select ${rnd(PROJECTS)}, 'I-' || g, 'Inspection ' || g, ${openStatus('in_progress', 'closed')}::inspection_status, 'Contractor', ${rnd(USERS)}
            from generate_series(1, 120000) g`,
    ],
    [
      'defect_items',
      sql`insert into defect_items (project_id, number, title, status, assigned_to_id)
          select ${rnd(PROJECTS)}, 'D-' || g, 'Defect ' || g, ${openStatus('work_required', 'closed')}::defect_status, ${rnd(USERS)}
            from generate_series(1, 160000) g`,
    ],
    [
      'timecard_entries',
      sql`insert into timecard_entries (project_id, user_id, work_date, hours)
          select ${rnd(PROJECTS)}, 3 * (1 + floor(random() * ${Math.floor(USERS / 3)})::int), date '2026-01-01' + (g % 300), 8
            from generate_series(1, 67000) g`,
    ],
    [
      'final timecard entries',
      sql`insert into timecard_entries (project_id, user_id, work_date, hours, is_final)
          select ${rnd(PROJECTS)}, id, date '2026-12-01', 0, true from users where is_employee and random() < 0.9`,
    ],
    ['analyze', sql`analyze`],
  ];
  for (const [name, query] of steps) {
    const t0 = performance.now();
    await db.execute(query);
    console.log(`  generated ${name.padEnd(24)} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const [counts] = await db.execute<Record<string, number>>(sql`
    select (select count(*) from users)::int as users,
           ((select count(*) from rfis) + (select count(*) from submittals) + (select count(*) from observations)
            + (select count(*) from meeting_items) + (select count(*) from inspections) + (select count(*) from defect_items)
            + (select count(*) from timecard_entries))::int as items`);
  return counts ?? {};
}

/** The naive way: one query per user per tool, each as index-friendly as the batch query's branches (and prepared). */
const NAIVE: ((id: number) => SQL)[] = [
  (id) => sql`select r.id from rfis r join projects p on p.id = r.project_id where r.manager_id = ${id} and r.status in ('draft', 'open')
              union all
              select r.id from rfi_assignees a join rfis r on r.id = a.rfi_id join projects p on p.id = r.project_id
               where a.user_id = ${id} and r.status in ('draft', 'open')`,
  (id) => sql`select s.id from submittals s join projects p on p.id = s.project_id where s.manager_id = ${id} and s.status <> 'closed'
              union all
              select s.id from submittal_approvers sa join submittals s on s.id = sa.submittal_id join projects p on p.id = s.project_id
               where sa.user_id = ${id} and sa.response = 'pending' and s.status <> 'closed'`,
  (id) => sql`select o.id from observations o join projects p on p.id = o.project_id where o.assignee_id = ${id} and o.status <> 'closed'`,
  (id) => sql`select mi.id from meeting_item_assignees mia join meeting_items mi on mi.id = mia.meeting_item_id
              join meetings m on m.id = mi.meeting_id join projects p on p.id = m.project_id where mia.user_id = ${id} and mi.status = 'open'`,
  (id) => sql`select i.id from inspections i join projects p on p.id = i.project_id where i.point_of_contact_id = ${id} and i.status <> 'closed'`,
  (id) => sql`select d.id from defect_items d join projects p on p.id = d.project_id where d.assigned_to_id = ${id} and d.status <> 'closed'`,
  (id) => sql`select u.id from users u where u.id = ${id} and u.status = 'active' and u.is_employee
              and not exists (select 1 from timecard_entries f where f.user_id = u.id and f.is_final)`,
];

type ScanQuery = (userIds: readonly number[]) => SQL;

/**
 * The scan query of another revision: its module is checked out into a throwaway worktree inside the
 * project (so its imports resolve to this node_modules) and imported as it is.
 */
async function baselineQuery(spec: string, cleanups: Cleanups): Promise<ScanQuery> {
  const [ref, file] = spec.split(':');
  if (!ref || !file) throw new Error('--baseline wants <git-ref>:<path>, e.g. a277104:activities/open-items.ts');
  const dir = path.join(process.cwd(), `.bench-baseline-${process.pid}`);
  const git = (args: string[]) => {
    const r = spawnSync('git', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  };
  git(['worktree', 'add', '--detach', dir, ref]);
  cleanups.push(async () => git(['worktree', 'remove', '--force', dir]));
  const module = (await import(pathToFileURL(path.join(dir, file)).href)) as { openItemsQuery: ScanQuery };
  return module.openItemsQuery;
}

function pickUsers(n: number, seed: number): number[] {
  let s = seed;
  const set = new Set<number>();
  while (set.size < n) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    set.add(1 + (s % USERS));
  }
  return [...set];
}

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
const ms = (x: number) => `${x.toFixed(2)} ms`;

/** Runs a query as a named prepared statement, as the scan itself does (fair to both sides). */
async function prepared(client: postgres.Sql, query: SQL): Promise<number> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true })).length;
}

async function measure(db: Database, client: postgres.Sql) {
  // Warm-up: caches and prepared statements, as in a running worker.
  for (const id of pickUsers(50, 7)) await scanOpenItems(db, [id]);
  await scanOpenItems(db, pickUsers(BATCH, 99));
  for (const id of pickUsers(20, 11)) for (const q of NAIVE) await prepared(client, q(id));

  const single: number[] = [];
  let singleItems = 0;
  for (const id of pickUsers(SINGLE_SAMPLES, 1)) {
    const t0 = performance.now();
    singleItems += (await scanOpenItems(db, [id])).length;
    single.push(performance.now() - t0);
  }
  single.sort((a, b) => a - b);

  const batchUsers = pickUsers(BATCH, 2);
  const batchTimes: number[] = [];
  let batchItems = 0;
  for (let run = 0; run < BATCH_RUNS; run++) {
    const t0 = performance.now();
    batchItems = (await scanOpenItems(db, batchUsers)).length;
    batchTimes.push(performance.now() - t0);
  }
  batchTimes.sort((a, b) => a - b);

  const t0 = performance.now();
  let naiveRows = 0;
  for (const id of batchUsers) for (const q of NAIVE) naiveRows += await prepared(client, q(id));
  const naive = performance.now() - t0;

  // The floor: one round trip that does nothing.
  const trips: number[] = [];
  for (let i = 0; i < SINGLE_SAMPLES; i++) {
    const t1 = performance.now();
    await client.unsafe('select 1', [], { prepare: true });
    trips.push(performance.now() - t1);
  }
  trips.sort((a, b) => a - b);

  const batch = pct(batchTimes, 0.5);
  return { single, singleItems, batch, batchTimes, batchItems, naive, naiveRows, roundTrip: pct(trips, 0.5) };
}

/** Today's scan query against another revision's, interleaved sample by sample on the same data. */
async function compare(client: postgres.Sql, today: ScanQuery, baseline: ScanQuery) {
  const run = async (q: ScanQuery, ids: number[]) => {
    const t0 = performance.now();
    const rows = await prepared(client, q(ids));
    return { ms: performance.now() - t0, rows };
  };
  for (const id of pickUsers(50, 7)) for (const q of [today, baseline]) await run(q, [id]);
  const single = { today: [] as number[], baseline: [] as number[] };
  let turn = 0;
  // Alternate which goes first, so neither always finds the other's pages in cache.
  const both = async (ids: number[]) => {
    turn += 1;
    if (turn % 2 === 0) return { a: await run(today, ids), b: await run(baseline, ids) };
    const b = await run(baseline, ids);
    return { a: await run(today, ids), b };
  };
  for (const id of pickUsers(SINGLE_SAMPLES, 1)) {
    const { a, b } = await both([id]);
    if (a.rows !== b.rows) throw new Error(`user ${id}: today's scan returns ${a.rows} rows, the baseline's ${b.rows}`);
    single.today.push(a.ms);
    single.baseline.push(b.ms);
  }
  const batch = { today: [] as number[], baseline: [] as number[] };
  const users = pickUsers(BATCH, 2);
  for (let i = 0; i < BATCH_RUNS; i++) {
    const { a, b } = await both(users);
    batch.today.push(a.ms);
    batch.baseline.push(b.ms);
  }
  for (const list of [single.today, single.baseline, batch.today, batch.baseline]) list.sort((a, b) => a - b);
  return single.today.length === 0 ? undefined : { single, batch };
}

async function main(): Promise<void> {
  const settings = loadSettings();
  const reuseAt = process.argv.indexOf('--reuse');
  const reuseDir = reuseAt >= 0 ? process.argv[reuseAt + 1] : undefined;
  const cleanups: Cleanups = [];
  try {
    let adminUrl = settings.databaseUrl;
    if (!adminUrl) {
      const dataDir = reuseDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-bench-pg-'));
      fs.mkdirSync(dataDir, { recursive: true });
      fs.chmodSync(dataDir, 0o755);
      if (!reuseDir) cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
      const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), durable: false });
      cleanups.unshift(() => server.stop());
      adminUrl = server.url('postgres');
      console.log(`embedded PostgreSQL on port ${server.port}`);
    }
    const name = reuseDir ? 'offboarding_bench' : `offboarding_bench_${process.pid}`;
    await ensureDatabase(adminUrl, name);
    if (!reuseDir) cleanups.unshift(async () => {
      const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      try {
        await admin.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    });
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    await migrateDatabase(url.toString());
    const handle = connectDatabase(url.toString(), { max: 1 });
    cleanups.unshift(() => handle.close());

    const g0 = performance.now();
    const [existing] = await handle.db.execute<{ n: number }>(sql`select count(*)::int as n from users`);
    const counts = reuseDir && existing?.n === USERS ? { users: USERS, items: Number.NaN } : await generate(handle.db);
    console.log(`generated ${counts.users} users and ${counts.items} items in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
    const [share] = await handle.db.execute<{ share: number }>(sql`
      select round(100.0 * (
        (select count(*) from rfis where status in ('draft','open')) + (select count(*) from submittals where status <> 'closed')
        + (select count(*) from observations where status <> 'closed') + (select count(*) from meeting_items where status = 'open')
        + (select count(*) from inspections where status <> 'closed') + (select count(*) from defect_items where status <> 'closed')
      ) / ((select count(*) from rfis) + (select count(*) from submittals) + (select count(*) from observations)
           + (select count(*) from meeting_items) + (select count(*) from inspections) + (select count(*) from defect_items)), 1)::float8 as share`);
    console.log(`open share of tool items: ${String(share?.share)} %`);

    const rpcAt = process.argv.indexOf('--random-page-cost');
    if (rpcAt >= 0) await handle.sql.unsafe(`set random_page_cost = ${Number(process.argv[rpcAt + 1])}`);
    const baselineAt = process.argv.indexOf('--baseline');
    const baseline = baselineAt >= 0 ? await baselineQuery(process.argv[baselineAt + 1] ?? '', cleanups) : undefined;
    if (process.argv.includes('--explain')) {
      // Buffers touched are the load-independent figure: on a shared machine the times wander, the
      // pages a plan reads do not. With --baseline, the other revision's plan is read beside today's.
      const queries: [string, ScanQuery][] = [['today', openItemsQuery], ...(baseline ? [['baseline', baseline] as [string, ScanQuery]] : [])];
      for (const ids of [pickUsers(1, 5), pickUsers(BATCH, 2)]) {
        for (const [name, query] of queries) {
          const plan = await handle.db.execute<{ 'QUERY PLAN': string }>(sql`explain (analyze, buffers) ${query(ids)}`);
          const lines = plan.map((row) => row['QUERY PLAN']);
          const buffers = (line: string | undefined) => Number(/shared hit=(\d+)/.exec(line ?? '')?.[1] ?? 0) + Number(/read=(\d+)/.exec(line ?? '')?.[1] ?? 0);
          const total = buffers(lines.find((l) => /Buffers:/.test(l)));
          // The timecard branch is the last of the UNION ALL: its buffers are on the line after its head.
          const timecardAt = lines.reduce((last, l, i) => (/Subquery Scan on "\*SELECT\* \d+"/.test(l) ? i : last), 0);
          const timecard = buffers(lines.slice(timecardAt).find((l) => /Buffers:/.test(l)));
          console.log(
            `${ids.length} user(s), ${name}: ${total} buffers (timecard branch ${timecard}); ` +
              lines.filter((l) => /Planning Time|Execution Time/.test(l)).join(', '),
          );
          if (process.argv.includes('--verbose')) console.log(lines.filter((l) => !/Index Cond|Recheck Cond|Buffers/.test(l)).join('\n'));
        }
      }
    }
    const r = await measure(handle.db, handle.sql);
    const c = baseline ? await compare(handle.sql, openItemsQuery, baseline) : undefined;
    const p50 = pct(r.single, 0.5);
    const p99 = pct(r.single, 0.99);
    console.log('');
    console.log('| measurement | time | target |');
    console.log('|---|---|---|');
    console.log(`| scan, one user (p50 / p99 over ${SINGLE_SAMPLES} users) | ${ms(p50)} / ${ms(p99)} | p50 < 5 ms |`);
    console.log(`| scan, batch of ${BATCH} users, one query (median of ${BATCH_RUNS}) | ${ms(r.batch)} | < 1 s |`);
    console.log(`| naive, same batch: ${BATCH} × 7 queries | ${ms(r.naive)} | — |`);
    console.log(`| ratio naive / batch | ${(r.naive / r.batch).toFixed(1)}× | ≥ 20× |`);
    console.log('');
    console.log(`items: ${r.singleItems} over the single-user samples (${(r.singleItems / SINGLE_SAMPLES).toFixed(1)} per user); batch ${r.batchItems}; naive rows ${r.naiveRows}`);
    console.log(`batch runs: ${r.batchTimes.map(ms).join(', ')}; empty round trip (select 1) p50 ${ms(r.roundTrip)}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    if (c) {
      const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
      console.log('');
      console.log(`| today vs ${process.argv[baselineAt + 1]} (interleaved, same rows) | today | baseline | today / baseline |`);
      console.log('|---|---|---|---|');
      for (const [what, list, q] of [
        ['one user, p50', c.single, 0.5],
        ['one user, p99', c.single, 0.99],
        [`batch of ${BATCH}, median of ${BATCH_RUNS}`, c.batch, 0.5],
      ] as const) {
        console.log(`| ${what} | ${ms(pct(list.today, q))} | ${ms(pct(list.baseline, q))} | ${ratio(pct(list.today, q), pct(list.baseline, q))} |`);
      }
    }
    const ok = p50 < 5 && r.batch < 1000 && r.naive / r.batch >= 20;
    console.log(ok ? 'all targets met' : 'TARGET MISSED');
    if (!ok) process.exitCode = 1;
  } finally {
    await runCleanups(cleanups);
  }
}

await main();
// embedded-postgres leaves an exit hook behind; leave with the verdict (1 when a target was missed).
process.exit(process.exitCode ?? 0);
