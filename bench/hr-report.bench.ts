// Assignment Report CSV benchmark (issue 14): "Download CSV" of 10,000 and of 100,000 open items over
// HTTP from the running web app — its own process (`client/web/main.ts`, as `npm start` runs it), on
// an embedded PostgreSQL and a Temporal dev server (the web app connects to one at start-up).
//   - total time: the request sent until the last byte read (and the first byte), 3 runs each;
//   - memory: the web process's RSS just before the download and its peak during it (VmHWM, reset
//     before each run through /proc/<pid>/clear_refs, so the kernel keeps the true peak). The stream
//     holds one cursor chunk at a time, so the peak should not grow with the number of items:
//     peak(100,000) / peak(10,000) is printed as a ratio.
// Each size gets a database of its own (test/helpers/bulk-directory.ts: users × 5 open items) and a
// fresh web process, so neither run inherits the other's heap. Target: 100,000 items in < 2 s.
// Also timed in the bench's own process: the query through the cursor alone, and with the CSV text,
// to show where the time goes.
//
//   npm run bench -- hr-report
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { assignmentReportCsv } from '../client/report-csv';
import { sha256 } from '../client/web/keys';
import { loadSettings } from '../config/settings';
import { connectDatabase } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { assignmentReportRows } from '../domain/assignment-report';
import { createBulkDirectory } from '../test/helpers/bulk-directory';
import { freePort } from '../test/helpers/free-port';
import { createAppProcess } from '../launcher/app-process';
import { ensureDatabase, startEmbeddedPostgres } from '../launcher/embedded-postgres';
import { requireTemporalCli } from '../launcher/temporal-binaries';
import { startDevServer } from '../launcher/temporal-dev-server';
import { type Cleanups, exitWhenDone, runCleanups } from './cleanups';
import { currentRss, mib, peakRss, resetPeakRss } from './process-memory';

const SIZES = [10_000, 100_000] as const;
const ITEMS_PER_USER = 5;
const RUNS = 3;
const TARGET_MS = 2_000;
const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const SESSION = 'H'.repeat(43);

type Download = { ms: number; firstByteMs: number; bytes: number; lines: number };

/** Downloads as a browser would, reading the body as it arrives and keeping only counts. */
async function download(url: string): Promise<Download> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { cookie: `offboarding_session=${SESSION}` } });
  if (res.status !== 200 || !res.body) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  if (res.headers.get('content-type') !== 'text/csv; charset=utf-8') throw new Error(`${url}: content-type ${res.headers.get('content-type')}`);
  let firstByteMs = NaN;
  let bytes = 0;
  let lines = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - t0;
    bytes += value.length;
    for (const b of value) if (b === 10) lines++;
  }
  return { ms: performance.now() - t0, firstByteMs, bytes, lines };
}

/**
 * How the web process runs: as `npm start` runs it (V8's default heap, which grows lazily: garbage
 * from earlier chunks is collected when V8 decides, not when a chunk is done), and with the heap
 * capped (`--max-old-space-size`), which a report that held its rows would not survive.
 */
const MODES = [
  { name: 'default heap', nodeOptions: '' },
  { name: 'heap capped at 96 MiB', nodeOptions: '--max-old-space-size=96' },
] as const;

type Result = { items: number; mode: string; runs: Download[]; rssBefore: number | undefined; peaks: (number | undefined)[]; peakReset: boolean };

async function main(): Promise<void> {
  const cleanups: Cleanups = [];
  const results: Result[] = [];
  const phases: { items: number; rowsMs: number[]; csvMs: number[] }[] = [];
  try {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-hr-report-bench-'));
    fs.chmodSync(dataDir, 0o755);
    cleanups.unshift(() => Promise.resolve(fs.rmSync(dataDir, { recursive: true, force: true })));
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port: await freePort(), durable: false });
    cleanups.unshift(() => pg.stop());
    const server = await startDevServer({ cliPath: await requireTemporalCli(loadSettings()), port: await freePort(), uiPort: await freePort(), headless: true });
    cleanups.unshift(() => server.stop());

    for (const items of SIZES) {
      const name = `report_${items}`;
      await ensureDatabase(pg.url('postgres'), name);
      const url = pg.url(name);
      await migrateDatabase(url);
      const handle = connectDatabase(url, { max: 2 });
      const t0 = performance.now();
      const dir = await createBulkDirectory(handle.db, { users: items / ITEMS_PER_USER, itemsPerUser: ITEMS_PER_USER });
      console.log(`${items} open items in ${((performance.now() - t0) / 1000).toFixed(1)} s of inserts`);
      await handle.db.execute(sql`insert into web_sessions (id_hash, user_id, via, expires_at) values (${sha256(SESSION)}, ${dir.admin}, 'email-link', now() + interval '1 day')`);
      const [project] = await handle.db.execute<{ id: number }>(sql`select id from projects order by id limit 1`);
      // Where the time goes, in this process: the query through the cursor alone, then with the CSV text.
      const inProcess = async (what: 'rows' | 'csv') => {
        const xs: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const t = performance.now();
          if (what === 'rows') for await (const rows of assignmentReportRows(handle.db)) void rows;
          else for await (const text of assignmentReportCsv(handle.db)) void text;
          xs.push(performance.now() - t);
        }
        return xs;
      };
      phases.push({ items, rowsMs: await inProcess('rows'), csvMs: await inProcess('csv') });
      await handle.close();

      for (const mode of MODES) {
        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const web = createAppProcess(
          { name: `web (${items} items, ${mode.name})`, script: 'client/web/main.ts', ready: { message: 'web-ready' } },
          {
            capture: true,
            env: {
              DATABASE_URL: url,
              TEMPORAL_ADDRESS: server.address,
              TEMPORAL_NAMESPACE: server.namespace,
              WEB_PORT: String(port),
              WEB_HOST: '127.0.0.1',
              WEB_PUBLIC_URL: base,
              WEB_LINK_SECRET: SECRET,
              OFFBOARDING_DATA_DIR: dataDir,
              SMTP_URL: '',
              LOG_LEVEL: 'warn',
              NODE_OPTIONS: mode.nodeOptions,
            },
          },
        );
        await web.start();
        try {
          const pid = web.pid();
          if (pid === undefined) throw new Error('the web process has no pid');
          // Warm-up: the code paths and the connections, on a small download and the page.
          await download(`${base}/hr/report.csv?project=${project?.id ?? 1}`);
          const page = await fetch(`${base}/hr/report`, { headers: { cookie: `offboarding_session=${SESSION}` } });
          if (page.status !== 200) throw new Error(`/hr/report: HTTP ${page.status}`);
          await page.text();
          await new Promise((r) => setTimeout(r, 500));
          const result: Result = { items, mode: mode.name, runs: [], rssBefore: currentRss(pid), peaks: [], peakReset: true };
          for (let i = 0; i < RUNS; i++) {
            result.peakReset = resetPeakRss(pid) && result.peakReset;
            const d = await download(`${base}/hr/report.csv`);
            if (d.lines !== items + 1) throw new Error(`${items} items: the CSV has ${d.lines} lines, expected ${items + 1}`);
            result.runs.push(d);
            result.peaks.push(peakRss(pid));
          }
          results.push(result);
        } finally {
          await web.stop();
        }
      }
    }

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const maxOf = (xs: (number | undefined)[]) => Math.max(...xs.map((x) => x ?? NaN));
    console.log(`\nhr-report bench: ${RUNS} downloads each, load average ${os.loadavg()[0]?.toFixed(1)}, ${os.cpus().length} cores`);
    if (results.some((r) => !r.peakReset)) console.log('(clear_refs was refused: the peaks include start-up)');
    console.log('| open items | web process | CSV size | total time (median; min–max) | first byte (median) | RSS before | peak RSS during | growth |');
    console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
    for (const r of results) {
      const ms = r.runs.map((d) => d.ms);
      const peak = maxOf(r.peaks);
      console.log(
        `| ${r.items.toLocaleString('en')} | ${r.mode} | ${mib(r.runs[0]?.bytes)} | ${median(ms).toFixed(0)} ms (${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)}) | ${median(r.runs.map((d) => d.firstByteMs)).toFixed(0)} ms | ${mib(r.rssBefore)} | ${mib(peak)} | ${mib(peak - (r.rssBefore ?? NaN))} |`,
      );
    }
    console.log('\n| open items | query + cursor only (in process) | + CSV text (in process) | over HTTP (web process, default heap) |');
    console.log('|---:|---:|---:|---:|');
    for (const p of phases) {
      const http = results.find((r) => r.items === p.items && r.mode === MODES[0].name);
      console.log(`| ${p.items.toLocaleString('en')} | ${median(p.rowsMs).toFixed(0)} ms | ${median(p.csvMs).toFixed(0)} ms | ${http ? median(http.runs.map((d) => d.ms)).toFixed(0) : '—'} ms |`);
    }
    for (const mode of MODES) {
      const small = results.find((r) => r.mode === mode.name && r.items === SIZES[0]);
      const big = results.find((r) => r.mode === mode.name && r.items === SIZES[1]);
      if (!small || !big) continue;
      const bigMs = median(big.runs.map((d) => d.ms));
      console.log(
        `${mode.name}: peak RSS 100,000 / 10,000 items ${(maxOf(big.peaks) / maxOf(small.peaks)).toFixed(2)}× (flat ≈ 1); 100,000 items in ${bigMs.toFixed(0)} ms, target < ${TARGET_MS} ms ${bigMs < TARGET_MS ? 'met' : 'MISSED'}`,
      );
    }
  } finally {
    await runCleanups(cleanups);
  }
}

exitWhenDone(main());
