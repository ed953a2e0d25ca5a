// Codec server benchmark (issue 26): POST /codec/decode of a workflow page's typical batch — the
// user workflow's current details (Markdown with three items), its input, and two summaries,
// encrypted with the worker's codec — from an admin's session, over HTTP to the web app on an embedded
// PostgreSQL (each request reads the session, counts the rate limit and writes an audit row). Beside
// it, in the same process and run: the codec's own decode of the same payloads. Printed: requests
// per second and p50/p95, sequentially and with 8 in flight, and the ratios HTTP / in-process.
//
//   npm run bench -- codec
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { sql } from 'drizzle-orm';
import { sha256 } from '../client/web/keys';
import { connectDatabase } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { users, webSessions } from '../db/schema';
import { AesGcmPayloadCodec } from '../temporal/payload-codec';
import { freePort } from '../test/helpers/free-port';
import { ensureDatabase, startEmbeddedPostgres } from '../launcher/embedded-postgres';
import { type Cleanups, runCleanups } from './cleanups';
import { startBenchWebServer } from './web-server';

const REQUESTS = 400;
const CONCURRENCY = 8;
const SESSION = 'C'.repeat(43);

const DETAILS = [
  '## Awaiting reassignment: 3 open items',
  'Waiting for the manager or a directory admin to reassign or close them.',
  '**Next:** reminder 1 on 2026-12-09 00:23 UTC · escalation after 7 d on 2026-12-14 00:23 UTC',
  '| key | tool | project | number | title |',
  '|---|---|---|---|---|',
  '| rfi:1:manager | RFIs | Harbor View Medical Center | RFI-001 | Slab pour sequence for level 3 east |',
  '| observation:3:assignee | Observations | Harbor View Medical Center | OBS-001 | Missing guardrail at level 3 east stair |',
  '| defect:2:assigned-to | Defect (punch) list items | Riverside Elementary Expansion | PL-002 | Corridor B: ceiling tile stained |',
  '**Resolved:** nothing yet.',
].join('\n');

const wire = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

const percentile = (ms: number[], p: number) => [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))] ?? NaN;

async function timed(n: number, concurrency: number, once: () => Promise<void>): Promise<{ perSecond: number; p50: number; p95: number }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const s = performance.now();
        await once();
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: n / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

async function main(): Promise<void> {
  const cleanups: Cleanups = [];
  try {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-codec-bench-'));
    fs.chmodSync(dataDir, 0o755);
    cleanups.unshift(() => Promise.resolve(fs.rmSync(dataDir, { recursive: true, force: true })));
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port: await freePort(), durable: false });
    cleanups.unshift(() => pg.stop());
    await ensureDatabase(pg.url('postgres'), 'codec');
    await migrateDatabase(pg.url('codec'));
    const handle = connectDatabase(pg.url('codec'));
    cleanups.unshift(() => handle.close());
    const [admin] = await handle.db.insert(users).values({ name: 'Helen Park', email: 'helen@example.com', company: 'Acme', directoryPermission: 'admin' }).returning({ id: users.id });
    await handle.db.insert(webSessions).values({ idHash: sha256(SESSION), userId: admin!.id, via: 'email-link', expiresAt: sql`now() + interval '1 day'` });

    const key = randomBytes(32);
    const codec = new AesGcmPayloadCodec(key);
    const plain = [DETAILS, { userId: 102, requestedBy: 100, batchId: 'b-1', reason: 'restructuring', effectiveAt: null }, 'reminder 1', 'scan open items of user 102'].map((v) =>
      defaultPayloadConverter.toPayload(v),
    );
    const encrypted = await codec.encode(plain);
    const body = JSON.stringify({ payloads: encrypted.map(wire) });

    const web = await startBenchWebServer({
      db: handle.db,
      temporal: new Client(),
      taskQueue: 'unused',
      cleanups,
      limits: { codec: { payloadKey: key.toString('base64'), previousPayloadKeys: [], operators: [], requestsPerMinute: 1_000_000 } },
      mail: { outboxDir: path.join(dataDir, 'outbox') },
    });

    const overHttp = async () => {
      const r = await fetch(`${web.url}/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-namespace': 'default', cookie: `offboarding_session=${SESSION}` },
        body,
      });
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${await r.text()}`);
      await r.arrayBuffer();
    };
    const inProcess = async () => {
      await codec.decode(encrypted);
    };
    // Warm both paths (JIT, connection pool) before measuring.
    await timed(50, 4, overHttp);
    await timed(200, 4, inProcess);

    console.log(`batch: ${plain.length} payloads, ${body.length} bytes of JSON; ${REQUESTS} requests each`);
    for (const concurrency of [1, CONCURRENCY]) {
      const http = await timed(REQUESTS, concurrency, overHttp);
      const local = await timed(REQUESTS, concurrency, inProcess);
      console.log(
        `  ${concurrency} in flight: HTTP ${http.perSecond.toFixed(0)}/s p50 ${http.p50.toFixed(2)} ms p95 ${http.p95.toFixed(2)} ms · ` +
          `in-process ${local.perSecond.toFixed(0)}/s p50 ${local.p50.toFixed(3)} ms p95 ${local.p95.toFixed(3)} ms · ` +
          `ratio in-process/HTTP ${(local.perSecond / http.perSecond).toFixed(1)}× throughput, HTTP/in-process p95 ${(http.p95 / local.p95).toFixed(1)}×`,
      );
    }
    const [audits] = await handle.db.execute<{ n: number }>(sql`select count(*)::int as n from audit_log where action = 'codec.decode'`);
    console.log(`  audit rows written: ${audits?.n}`);
  } finally {
    await runCleanups(cleanups);
  }
}

await main();
