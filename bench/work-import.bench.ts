// Importing the tools' work (issue 24): N items through the import function in 1,000-record calls,
// through the JSON API (`POST /api/v1/items/bulk`, 1,000 a request, over HTTP to the web app in this
// process) and through `offboard import <file>` (its own process, reading a JSON Lines file), next to
// a plain multi-row INSERT … ON CONFLICT of the same rows (what the database alone costs: no parsing,
// no lookups, no per-record answers, no audit rows).
//   - items per second for each; the import function a second time over the same items (all unchanged);
//   - peak memory: the CLI process's peak RSS (VmHWM, kept by the kernel) for two file sizes, to show
//     it stays flat as the file grows; the bench process's RSS peak for the in-process paths.
// Each path gets a database of its own on one embedded PostgreSQL (so none inherits another's rows).
// The issue's figure is 1,000,000 items; the default here is 100,000, what fits a shared 2-core
// machine in a few minutes (`--items 1000000` for the full run).
//
// `--cli-items a,b` sets the two file sizes of the CLI's runs (default N/5 and N); `--paths` picks some
// of plain,function,api,cli (default all: the plain INSERT always runs first, as the yardstick).
//
//   npm run bench -- work-import [--items 100000] [--cli-items 100000,300000] [--paths plain,api]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { once } from 'node:events';
import { Client } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { API_BASE_PATH } from '../client/web/api/routes';
import { projectRoot } from '../config/settings';
import { createConnection } from '../domain/connections';
import { connectDatabase, type Database } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { importWork } from '../domain/work-import';
import { type ImportRecord, importRecordSchema, MAX_IMPORT_RECORDS } from '../domain/work-import-records';
import { ensureDatabase } from '../launcher/embedded-postgres';
import { startBenchDatabase } from './bench-database';
import { type Cleanups, exitWhenDone, runCleanups } from './cleanups';
import { currentRss, mib, peakRss, resetPeakRss } from './process-memory';
import { startBenchWebServer } from './web-server';
import { tsEntryArgs } from '../launcher/ts-entry';

const argItems = process.argv.indexOf('--items');
const ITEMS = argItems === -1 ? 100_000 : Number(process.argv[argItems + 1]);
if (!Number.isSafeInteger(ITEMS) || ITEMS < 1000) throw new Error('--items must be a whole number of at least 1000');
const argCli = process.argv.indexOf('--cli-items');
const CLI_SIZES = argCli === -1 ? [Math.max(1000, Math.round(ITEMS / 5)), ITEMS] : (process.argv[argCli + 1] ?? '').split(',').map(Number);
if (CLI_SIZES.length === 0 || CLI_SIZES.some((n) => !Number.isSafeInteger(n) || n < 1000)) throw new Error('--cli-items must be sizes of at least 1000, separated by commas');
const PATHS = ['plain', 'function', 'api', 'cli'] as const;
const argPaths = process.argv.indexOf('--paths');
const chosen = argPaths === -1 ? [...PATHS] : (process.argv[argPaths + 1] ?? '').split(',');
if (chosen.length === 0 || chosen.some((p) => !(PATHS as readonly string[]).includes(p))) throw new Error(`--paths must be some of ${PATHS.join(',')}, separated by commas`);
const runs = (p: (typeof PATHS)[number]): boolean => chosen.includes(p);
const USERS = 1000;
const PROJECTS = 10;
const ADMIN = 'bench-admin@bench.example';
const TOOLS = ['rfi', 'submittal', 'observation', 'inspection', 'defect'] as const;
const HOLDER_ROLE = { rfi: 'manager', submittal: 'manager', observation: 'assignee', inspection: 'point-of-contact', defect: 'assigned-to' } as const;
const STATUS = { rfi: 'open', submittal: 'open', observation: 'initiated', inspection: 'in_progress', defect: 'work_required' } as const;

/** Item i as a record: a tool with its person in a column role (the plain INSERT can write it too). */
function itemRecord(i: number): Record<string, unknown> {
  const tool = TOOLS[i % TOOLS.length] ?? 'defect';
  return {
    kind: 'item',
    tool,
    externalId: `${tool}-${i}`,
    project: `BP-${i % PROJECTS}`,
    number: `N-${i}`,
    title: `Bench item ${i}, a title of a usual length for a punch list`,
    status: STATUS[tool],
    people: [{ role: HOLDER_ROLE[tool], email: `bench-user-${i % USERS}@bench.example` }],
  };
}

async function prepare(db: Database): Promise<void> {
  await db.execute(sql`
    insert into users (name, email, company, directory_permission)
    select 'Bench User ' || g, 'bench-user-' || g || '@bench.example', 'Bench', 'standard' from generate_series(0, ${USERS - 1}) g`);
  await db.execute(sql`insert into users (name, email, company, directory_permission) values ('Bench Admin', ${ADMIN}, 'Bench', 'admin')`);
  await db.execute(sql`insert into projects (number, name) select 'BP-' || g, 'Bench project ' || g from generate_series(0, ${PROJECTS - 1}) g`);
}

async function newDatabase(firstUrl: string, name: string, cleanups: Cleanups): Promise<{ db: Database; url: string }> {
  const url = new URL(firstUrl);
  url.pathname = '/postgres';
  await ensureDatabase(url.toString(), name);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  const handle = connectDatabase(url.toString());
  cleanups.unshift(() => handle.close());
  await prepare(handle.db);
  return { db: handle.db, url: url.toString() };
}

type Figure = { path: string; items: number; seconds: number; peak: string; note: string };
const figures: Figure[] = [];
const rate = (f: Figure) => Math.round(f.items / f.seconds).toLocaleString('en-US');

/** The bench process's RSS peak while `fn` runs (sampled every 100 ms, and the kernel's VmHWM when it can be reset). */
async function inProcess(fn: () => Promise<void>): Promise<{ seconds: number; peak: number }> {
  const reset = resetPeakRss(process.pid);
  let sampled = currentRss(process.pid) ?? 0;
  const timer = setInterval(() => (sampled = Math.max(sampled, currentRss(process.pid) ?? 0)), 100);
  const t0 = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, peak: reset ? (peakRss(process.pid) ?? sampled) : sampled };
}

async function importThroughFunction(db: Database, items: number): Promise<void> {
  const [admin] = await db.execute<{ id: number }>(sql`select id from users where email = ${ADMIN}`);
  for (let start = 0; start < items; start += MAX_IMPORT_RECORDS) {
    const records: ImportRecord[] = [];
    for (let i = start; i < Math.min(items, start + MAX_IMPORT_RECORDS); i++) records.push(importRecordSchema.parse(itemRecord(i)));
    const r = await importWork(db, records, { actorId: admin?.id ?? 0 });
    if (r.counts.refused > 0) throw new Error(`refused: ${JSON.stringify(r.results.find((x) => x.outcome === 'refused'))}`);
  }
}

/** The same rows, resolved up front, as one multi-row INSERT … ON CONFLICT per tool and 1,000 rows. */
async function plainInsert(db: Database, items: number): Promise<void> {
  const users = new Map((await db.execute<{ id: number; email: string }>(sql`select id, email from users`)).map((u) => [u.email, u.id]));
  const projects = new Map((await db.execute<{ id: number; number: string }>(sql`select id, number from projects`)).map((p) => [p.number, p.id]));
  const table = { rfi: ['rfis', 'subject', 'manager_id', 'rfi_status'], submittal: ['submittals', 'title', 'manager_id', 'submittal_status'], observation: ['observations', 'title', 'assignee_id', 'observation_status'], inspection: ['inspections', 'title', 'point_of_contact_id', 'inspection_status'], defect: ['defect_items', 'title', 'assigned_to_id', 'defect_status'] } as const;
  for (let start = 0; start < items; start += MAX_IMPORT_RECORDS) {
    const byTool = new Map<string, ReturnType<typeof sql>[]>();
    for (let i = start; i < Math.min(items, start + MAX_IMPORT_RECORDS); i++) {
      const r = itemRecord(i) as { tool: keyof typeof table; externalId: string; project: string; number: string; title: string; status: string; people: { email: string }[] };
      const [, , , enumType] = table[r.tool];
      const row = sql`(${r.externalId}, ${projects.get(r.project) ?? 0}, ${r.number}, ${r.title}, ${r.status}::${sql.raw(enumType)}, ${users.get(r.people[0]?.email ?? '') ?? null})`;
      byTool.set(r.tool, [...(byTool.get(r.tool) ?? []), row]);
    }
    for (const [tool, rows] of byTool) {
      const [name, title, holder] = table[tool as keyof typeof table];
      const t = sql.raw(name);
      const c = sql.raw(`external_id, project_id, number, ${title}, status, ${holder}`);
      await db.execute(sql`
        insert into ${t} (${c}) values ${sql.join(rows, sql`, `)}
        on conflict (external_id) do update set project_id = excluded.project_id, number = excluded.number, ${sql.raw(`${title} = excluded.${title}`)},
          status = excluded.status, ${sql.raw(`${holder} = excluded.${holder}`)}, updated_at = now()`);
    }
  }
}

/** `POST /api/v1/items/bulk` with 1,000 items a request (the items without the file's `kind`), one request at a time. */
async function importThroughApi(db: Database, dir: string, items: number, cleanups: Cleanups): Promise<void> {
  const [admin] = await db.execute<{ id: number }>(sql`select id from users where email = ${ADMIN}`);
  const { token } = await createConnection(db, { name: 'Bench tools', company: 'Bench', policy: { reason: 'Left', successor: 'none' }, adminUserId: admin?.id ?? 0, createdBy: 'bench', scopes: ['directory:write'] });
  // No re-check reaches Temporal (nobody is being offboarded): a lazy client that never connects.
  const temporal = new Client();
  const web = await startBenchWebServer({ db, temporal, taskQueue: 'bench-work-import', cleanups, limits: { api: { requestsPerMinute: 1_000_000 } }, mail: { outboxDir: path.join(dir, 'outbox') } });
  for (let start = 0; start < items; start += MAX_IMPORT_RECORDS) {
    const batch: Record<string, unknown>[] = [];
    for (let i = start; i < Math.min(items, start + MAX_IMPORT_RECORDS); i++) {
      const { kind: _, ...item } = itemRecord(i);
      batch.push(item);
    }
    const r = await fetch(`${web.url}${API_BASE_PATH}/items/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: batch }),
    });
    const body = (await r.json()) as { counts?: { refused: number } };
    if (r.status !== 200 || (body.counts?.refused ?? 1) > 0) throw new Error(`HTTP ${r.status}: ${JSON.stringify(body).slice(0, 500)}`);
  }
}

async function writeFile(file: string, items: number): Promise<number> {
  const out = fs.createWriteStream(file);
  for (let p = 0; p < PROJECTS; p++) out.write(`${JSON.stringify({ kind: 'project', number: `BP-${p}`, name: `Bench project ${p}` })}\n`);
  for (let i = 0; i < items; i++) {
    if (!out.write(`${JSON.stringify(itemRecord(i))}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return fs.statSync(file).size;
}

/** `offboard import <file>` in its own process; its peak RSS from /proc (VmHWM), read until it exits. */
async function importThroughCli(url: string, file: string): Promise<{ seconds: number; peak: number; summary: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, tsEntryArgs('client/cli/offboard.ts', 'import', file, '--by', ADMIN), {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: url, TEMPORAL_ADDRESS: '127.0.0.1:1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, peakRss(child.pid ?? 0) ?? 0)), 50);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(timer);
  if (code !== 0) throw new Error(`offboard import exited ${String(code)}: ${stderr.slice(-2000)}`);
  return { seconds: (performance.now() - t0) / 1000, peak, summary: stdout.split('\n')[0] ?? '' };
}

async function main(): Promise<void> {
  const cleanups: Cleanups = [];
  try {
    const first = await startBenchDatabase('work-import', cleanups, 'bench_plain');
    await prepare(first.db);
    console.log(`${ITEMS.toLocaleString('en-US')} items (5 tools, one person each, ${PROJECTS} projects, ${USERS} people); the issue's figure is 1,000,000`);

    const plain = await inProcess(() => plainInsert(first.db, ITEMS));
    figures.push({ path: 'plain INSERT … ON CONFLICT (1,000 rows a statement)', items: ITEMS, seconds: plain.seconds, peak: mib(plain.peak), note: 'bench process' });

    if (runs('function')) {
      const fn = await newDatabase(first.url, 'bench_function', cleanups);
      const created = await inProcess(() => importThroughFunction(fn.db, ITEMS));
      figures.push({ path: 'import function, 1,000 a call: created', items: ITEMS, seconds: created.seconds, peak: mib(created.peak), note: 'bench process' });
      const again = await inProcess(() => importThroughFunction(fn.db, ITEMS));
      figures.push({ path: 'import function, again: all unchanged', items: ITEMS, seconds: again.seconds, peak: mib(again.peak), note: 'bench process' });
    }

    if (runs('api')) {
      const viaApi = await newDatabase(first.url, 'bench_api', cleanups);
      const api = await inProcess(() => importThroughApi(viaApi.db, first.dir, ITEMS, cleanups));
      figures.push({ path: 'JSON API, POST /items/bulk, 1,000 a request: created', items: ITEMS, seconds: api.seconds, peak: mib(api.peak), note: 'bench process (web app and client)' });
    }

    for (const size of runs('cli') ? CLI_SIZES : []) {
      const file = path.join(first.dir, `items-${size}.jsonl`);
      const bytes = await writeFile(file, size);
      const db = await newDatabase(first.url, `bench_cli_${size}`, cleanups);
      const r = await importThroughCli(db.url, file);
      // The CLI's own time (from its summary) without the process's start-up (Node, tsx, connections).
      const own = Number(/in ([\d.]+) s/.exec(r.summary)?.[1] ?? r.seconds);
      figures.push({
        path: `offboard import, ${(bytes / 2 ** 20).toFixed(0)} MiB file`,
        items: size,
        seconds: own,
        peak: mib(r.peak),
        note: `CLI process (${r.seconds.toFixed(1)} s with its start-up); ${r.summary.replace(/^Imported \S+: [^—]*— /, '')}`,
      });
    }

    console.log('\n| path | items | seconds | items/s | peak RSS | |');
    console.log('|---|---:|---:|---:|---:|---|');
    for (const f of figures) console.log(`| ${f.path} | ${f.items.toLocaleString('en-US')} | ${f.seconds.toFixed(1)} | ${rate(f)} | ${f.peak} | ${f.note} |`);
  } finally {
    await runCleanups(cleanups);
  }
}

exitWhenDone(main());
