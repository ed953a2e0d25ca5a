// Issue 24's one end-to-end run, with real parts only: the web app (its /api/v1 and the manager's
// pages), the worker as a separate OS process (worker/main.ts, with its webhook relay), the run's
// Temporal dev server, PostgreSQL, an SMTP sink, the `offboard` CLI as a child process, Chromium, and
// a webhook receiver written here as a company's would be: a plain node http server that verifies
// every signature with the `standardwebhooks` package and drops a redelivered webhook-id as a
// duplicate. In one scenario:
//   1. `offboard import <file>` loads a company's projects, members and 200 items (JSON Lines, docs/import.md);
//   2. a webhook subscription is created over the API (a `webhooks` token);
//   3. a batch is started over the API twice with one Idempotency-Key and body → one batch;
//   4. the receiver gets offboarding.started and offboarding.waiting for each person;
//   5. an item pushed over the API for someone already being offboarded shows on their manager's page;
//   6. the managers hand the items over in the browser, so the people are inactivated;
//   7. user.inactivated (once a person) and batch.completed (once) arrive each exactly once although
//      the worker is SIGKILLed while the receiver holds two of them open, and a new worker takes over.
// The database is checked at the end too: who is inactive, who holds the items now, the outboxes.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_BASE_PATH } from '../client/web/api/routes';
import { startWebServer, type WebServer } from '../client/web/server';
import { projectRoot } from '../config/settings';
import { auditLog, notificationOutbox, offboardings, users, webhookDeliveries, webhookEvents } from '../db/schema';
import { createConnection, createConnectionToken } from '../domain/connections';
import { scanOpenItems } from '../domain/open-items';
import { batchWorkflowId, userStatusQuery, userWorkflowId } from '../workflows/contract';
import { childOutput, type ChildOutput } from './helpers/child-output';
import { launchBrowser, signedInContext } from './helpers/browser';
import { startWorkerProcess, type WorkerProcess } from './helpers/fault-tools';
import { freePort } from './helpers/free-port';
import { processWatch } from './helpers/processes';
import { type DevServerEnvironment, sharedDevServerEnvironment } from './helpers/temporal';
import { budget } from './helpers/time-budget';
import { waitForValue, waitUntil } from './helpers/wait-until';
import { WEB_TEST_SECRET } from './helpers/web-stack';
import { type Harness, startHarness } from './helpers/workflow-harness';
import { tsEntryArgs } from '../launcher/ts-entry';

const COMPANY = 'Northwind Builders';
const ITEMS = 200;
/** Items each leaving person holds in the file; the other items are held by people who stay. */
const ITEMS_PER_LEAVER = 5;

// ---- The webhook receiver --------------------------------------------------------------------

type Request = { webhookId: string; type: string; body: string; verified: boolean; duplicate: boolean; answered: number | null };

/**
 * A company's receiver: verifies the signature (400 otherwise), processes each webhook-id once and
 * answers a redelivery 200 without processing it again (Standard Webhooks' deduplication). When told
 * to, it holds the first request of the given event types open without answering, as a slow
 * receiver would, until release().
 */
async function startReceiver() {
  let secret = '';
  const requests: Request[] = [];
  const processed = new Map<string, { type: string; body: string }>();
  const holdTypes = new Set<string>();
  const held: { request: Request; res: http.ServerResponse; senderGone: boolean }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const webhookId = String(req.headers['webhook-id'] ?? '');
      let type = '?';
      let verified: boolean;
      try {
        const payload = new Webhook(secret).verify(body, {
          'webhook-id': webhookId,
          'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
          'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
        }) as { type?: string };
        type = payload.type ?? '?';
        verified = true;
      } catch {
        verified = false;
      }
      const request: Request = { webhookId, type, body, verified, duplicate: processed.has(webhookId), answered: null };
      requests.push(request);
      if (!verified) {
        request.answered = 400;
        res.writeHead(400).end('bad signature');
        return;
      }
      if (holdTypes.delete(type)) {
        const entry = { request, res, senderGone: false };
        res.on('close', () => {
          if (request.answered === null) entry.senderGone = true;
        });
        res.on('error', () => undefined);
        held.push(entry);
        return;
      }
      accept(request);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  const accept = (r: Request) => {
    r.answered = 200;
    if (!processed.has(r.webhookId)) processed.set(r.webhookId, { type: r.type, body: r.body });
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/offboarding`,
    requests,
    processed,
    held,
    setSecret: (s: string) => (secret = s),
    /** Holds the next request of each type open (the first one only). */
    holdNext: (...types: string[]) => types.forEach((t) => holdTypes.add(t)),
    /** Answers 200 to what it held: it processed them (a real receiver acts before it answers), whether or not the sender still listens. */
    release: () => {
      for (const h of held.splice(0)) {
        accept(h.request);
        if (!h.res.destroyed) h.res.writeHead(200).end('ok');
      }
    },
    /** Distinct webhook-ids processed, of one event type. */
    processedOf: (type: string) => [...processed].filter(([, p]) => p.type === type).map(([id]) => id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- The stack -------------------------------------------------------------------------------

let env: DevServerEnvironment;
let h: Harness;
let web: WebServer;
let webUrl: string;
let browser: Browser;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let dir: string;
const workers: WorkerProcess[] = [];
const children: ChildProcess[] = [];
const watch = processWatch();
const taskQueue = `e2e-${process.pid}`;
const id: Record<string, number> = {};
const tokens = { hr: '', tools: '', hooks: '' };

const db = () => h.t.db;

/** The real worker process, with WEBHOOK_ALLOW_PRIVATE_TARGETS because the receiver is on 127.0.0.1. */
async function startWorker(): Promise<WorkerProcess> {
  const w = await startWorkerProcess({
    DATABASE_URL: h.t.url,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    SMTP_URL: h.sink.url,
    WEB_PUBLIC_URL: webUrl,
    WEB_LINK_SECRET: WEB_TEST_SECRET,
    // The receiver listens on loopback, which production refuses (SSRF guard); this run allows it.
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    // Long enough that a held request is still open when the worker is killed.
    WEBHOOK_TIMEOUT_SECONDS: '30',
    WEBHOOK_RETRY_FIRST_SECONDS: '1',
    WEBHOOK_RETRY_MAX_SECONDS: '2',
    WEBHOOK_RELAY_INTERVAL_MS: '200',
  });
  workers.push(w);
  watch.look();
  return w;
}

/** `offboard <args>` as a child process, as an operator runs it. */
function offboardCli(args: string[]): Promise<ChildOutput> {
  const child = spawn(process.execPath, tsEntryArgs('client/cli/offboard.ts', ...args), {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: h.t.url, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, TEMPORAL_TASK_QUEUE: taskQueue },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  watch.look();
  return childOutput(child);
}

type Answer = { status: number; body: Record<string, unknown> };

async function api(method: string, route: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${webUrl}${API_BASE_PATH}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const count = async (query: ReturnType<typeof sql>): Promise<number> => Number((await db().execute<{ n: number }>(query))[0]?.n ?? 0);

beforeAll(async () => {
  [env, h, browser, receiver] = await Promise.all([sharedDevServerEnvironment(), startHarness(), launchBrowser(), startReceiver()]);
  watch.look();
  dir = await mkdtemp(path.join(os.tmpdir(), 'offboard-e2e-'));
  const port = await freePort();
  webUrl = `http://127.0.0.1:${port}`;
  web = await startWebServer({
    settings: {
      port,
      host: '127.0.0.1',
      publicUrl: webUrl,
      linkSecret: WEB_TEST_SECRET,
      auth: 'email-link',
      trustedHeader: 'X-Auth-Request-Email',
      trustedProxies: [],
      api: { requestsPerMinute: 100_000 },
      // The receiver is on 127.0.0.1: subscribing to it needs WEBHOOK_ALLOW_PRIVATE_TARGETS=true.
      webhooks: { allowPrivateTargets: true },
    },
    db: db(),
    temporal: env.client,
    taskQueue,
    mailer: h.mailer,
    log: () => undefined,
  });

  // The company's people come from its identity provider (here: fixtures); its tools' work comes from the file.
  const fx = h.fx;
  const person = (name: string, o: { managerId?: number; admin?: boolean } = {}) => {
    const email = `${name.toLowerCase().replace(' ', '.')}@northwind.example`;
    const values = { name, email, company: COMPANY, ...(o.managerId ? { managerId: o.managerId } : {}) };
    return o.admin ? fx.admin(values) : fx.user(values);
  };
  id.helen = await person('Helen Park', { admin: true });
  id.mo = await person('Mo Reed');
  id.kim = await person('Kim Ode');
  id.ann = await person('Ann Lee', { managerId: id.mo });
  id.bo = await person('Bo Chan', { managerId: id.mo });
  id.cy = await person('Cy Ward', { managerId: id.kim });
  id.di = await person('Di Moss', { managerId: id.kim });
  id.tia = await person('Tia Taker');
  id.sam = await person('Sam Stay');
  id.uma = await person('Uma Stay');

  const created = await createConnection(db(), {
    name: 'Workday',
    company: COMPANY,
    policy: { reason: 'Left the company', successor: 'none' },
    adminUserId: id.helen,
    createdBy: 'test',
    scopes: ['offboardings:write', 'offboardings:read'],
  });
  tokens.hr = created.token;
  tokens.tools = (await createConnectionToken(db(), created.connection.id, 'test', ['directory:write'])).token;
  tokens.hooks = (await createConnectionToken(db(), created.connection.id, 'test', ['webhooks'])).token;
  await startWorker();
}, budget(240_000));

afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.stop()));
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await browser?.close();
  await web?.close();
  await receiver?.close();
  await env?.stop();
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  // Nothing this file started may outlive it, even when a test failed.
  watch.look();
  watch.killLeftovers();
});

const email = (key: string) => `${{ helen: 'helen.park', mo: 'mo.reed', kim: 'kim.ode', ann: 'ann.lee', bo: 'bo.chan', cy: 'cy.ward', di: 'di.moss', tia: 'tia.taker', sam: 'sam.stay', uma: 'uma.stay' }[key]}@northwind.example`;
const LEAVERS = ['ann', 'bo', 'cy', 'di'] as const;
const leaverIds = () => LEAVERS.map((k) => id[k]!);

/** The import file: 2 projects, everyone a member of both, 200 items of six tools. */
function importFile(): string {
  const everyone = ['helen', 'mo', 'kim', 'ann', 'bo', 'cy', 'di', 'tia', 'sam', 'uma'];
  const lines: unknown[] = [
    { kind: 'project', number: 'NW-1', name: 'Harbor Tower', status: 'active' },
    { kind: 'project', number: 'NW-2', name: 'Mill Street Lofts', status: 'active' },
  ];
  for (const project of ['NW-1', 'NW-2']) for (const p of everyone) lines.push({ kind: 'member', project, person: { email: email(p) }, permission: 'standard' });
  for (let i = 0; i < ITEMS; i++) {
    // The first 20 belong to the four leaving people, five each; the rest to people who stay.
    const holder = i < LEAVERS.length * ITEMS_PER_LEAVER ? LEAVERS[i % LEAVERS.length]! : (['sam', 'uma', 'mo', 'kim'] as const)[i % 4]!;
    const who = { email: email(holder) };
    const base = { externalId: `nw-${i}`, project: i % 2 === 0 ? 'NW-1' : 'NW-2', number: `N-${i}`, title: `Work item ${i}` };
    const byTool = [
      { kind: 'item', tool: 'rfi', ...base, status: 'open', people: [{ role: 'manager', ...who }] },
      { kind: 'item', tool: 'submittal', ...base, status: 'open', people: [{ role: 'manager', ...who }] },
      { kind: 'item', tool: 'observation', ...base, status: 'initiated', people: [{ role: 'assignee', ...who }] },
      { kind: 'item', tool: 'meeting-item', ...base, status: 'open', people: [{ role: 'assignee', ...who }], meeting: { externalId: `meet-${i % 2}`, title: 'Weekly OAC', date: '2026-11-02' } },
      { kind: 'item', tool: 'inspection', ...base, status: 'not_started', people: [{ role: 'point-of-contact', ...who }] },
      { kind: 'item', tool: 'defect', ...base, status: 'work_required', people: [{ role: 'assigned-to', ...who }] },
    ];
    lines.push(byTool[i % byTool.length]);
  }
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
}

/** The banner the manager's page shows after a form. */
const banner = async (page: Page) => ((await page.locator('#banner').textContent()) ?? '').trim();

describe('issue 24 end to end: import, API, webhooks, the browser, and a worker killed mid-delivery', () => {
  it('runs the whole scenario', async () => {
    const startedAt = Date.now();
    const lap = (what: string) => console.warn(`[e2e ${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${what}`);

    // 1. `offboard import <file>`, the real CLI in a process of its own.
    const file = path.join(dir, 'northwind-tools.jsonl');
    await writeFile(file, importFile());
    const imported = await offboardCli(['import', file, '--by', email('helen'), '--json']);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const summary = JSON.parse(imported.stdout) as { counts: Record<string, number>; refused: unknown[]; rechecks: unknown[] };
    expect(summary.counts).toEqual({ created: 2 + 20 + ITEMS, updated: 0, unchanged: 0, refused: 0 });
    expect(summary.rechecks).toEqual([]);
    expect(await count(sql`select count(*)::int as n from projects where number in ('NW-1', 'NW-2')`)).toBe(2);
    expect(await count(sql`select count(*)::int as n from audit_log where action = 'item.imported'`)).toBe(ITEMS);
    for (const k of LEAVERS) expect((await scanOpenItems(db(), [id[k]!])).length, k).toBe(ITEMS_PER_LEAVER);
    lap('imported');

    // 2. A subscription over the API, with the `webhooks` token; its secret is shown once.
    const sub = await api('POST', '/webhooks', tokens.hooks, {
      url: receiver.url,
      events: ['offboarding.started', 'offboarding.waiting', 'user.inactivated', 'batch.completed'],
    });
    expect(sub.status).toBe(201);
    const subscriptionId = Number(sub.body.id);
    receiver.setSecret(String(sub.body.secret));

    // 3. The HR system starts the batch, and retries it: one Idempotency-Key, the same body.
    const body = { users: LEAVERS.map(email), reason: 'Left the company' };
    const key = { 'idempotency-key': 'workday-termination-e2e-1' };
    const first = await api('POST', '/batches', tokens.hr, body, key);
    const again = await api('POST', '/batches', tokens.hr, body, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    const batchId = String((first.body.batch as { batchId: string }).batchId);
    expect(await count(sql`select count(distinct batch_id)::int as n from offboardings`)).toBe(1);
    expect(await count(sql`select count(*)::int as n from offboardings where batch_id = ${batchId}`)).toBe(LEAVERS.length);
    expect(await count(sql`select count(*)::int as n from api_idempotency_keys`)).toBe(1);
    const batchWorkflows = async () => {
      const ids: string[] = [];
      for await (const w of env.client.workflow.list({ query: `WorkflowType = 'offboardingBatch'` })) ids.push(w.workflowId);
      return ids;
    };
    await waitForValue('the batch workflow in the visibility store', batchWorkflows, (ids) => ids.length > 0, 30_000);
    expect(await batchWorkflows()).toEqual([batchWorkflowId(batchId)]);
    lap('batch started');

    // 4. offboarding.started and offboarding.waiting for each person, signed.
    await waitUntil('offboarding.started and .waiting for everyone', () => receiver.processedOf('offboarding.started').length === 4 && receiver.processedOf('offboarding.waiting').length === 4, 60_000);
    const dataOf = (type: string) => [...receiver.processed.values()].filter((p) => p.type === type).map((p) => (JSON.parse(p.body) as { data: { user: { id: number }; batchId: string; openItems?: number } }).data);
    expect(dataOf('offboarding.started').map((d) => d.user.id).sort()).toEqual([...leaverIds()].sort());
    expect(dataOf('offboarding.started').every((d) => d.batchId === batchId)).toBe(true);
    expect(dataOf('offboarding.waiting').map((d) => [d.user.id, d.openItems]).sort()).toEqual(leaverIds().map((u) => [u, ITEMS_PER_LEAVER]).sort());
    lap('started and waiting received');

    // 5. A tool pushes a new item held by Ann, who is being offboarded: it joins her offboarding.
    const pushed = await api('POST', '/items/bulk', tokens.tools, {
      items: [{ tool: 'defect', externalId: 'nw-pushed-1', project: 'NW-1', number: 'D-PUSHED', title: 'Cracked curtain wall panel', status: 'work_required', people: [{ role: 'assigned-to', email: email('ann') }] }],
    });
    expect(pushed.status).toBe(200);
    expect(pushed.body).toMatchObject({ counts: { created: 1, refused: 0 }, rechecks: [{ userId: id.ann, rechecked: true }] });
    await waitForValue(
      'the pushed item among Ann’s pending items',
      () => env.client.workflow.getHandle(userWorkflowId(id.ann!)).query(userStatusQuery),
      (st) => st.pendingItems.some((i) => i.number === 'D-PUSHED'),
      30_000,
    );
    const mo = await signedInContext(browser, { db: db(), url: webUrl }, id.mo!);
    const kim = await signedInContext(browser, { db: db(), url: webUrl }, id.kim!);
    const annPage = async () => {
      await mo.page.goto(`${webUrl}/people/${id.ann}`);
      return (await mo.page.locator('main').textContent()) ?? '';
    };
    await expect.poll(annPage, { timeout: budget(30_000) }).toContain('D-PUSHED');
    expect(await mo.page.locator('main').textContent()).toContain('Cracked curtain wall panel');
    const leaverKeys = (await scanOpenItems(db(), leaverIds())).map((i) => i.key).sort();
    expect(leaverKeys).toHaveLength(LEAVERS.length * ITEMS_PER_LEAVER + 1);
    lap('pushed item on the manager’s page');

    // 6. The managers hand everything over to Tia in the browser: Kim's two, then Bo, then Ann.
    const handOver = async (page: Page, who: (typeof LEAVERS)[number]) => {
      await page.goto(`${webUrl}/people/${id[who]}`);
      await page.locator('#to-all').selectOption(String(id.tia));
      await page.getByRole('button', { name: 'Reassign all they can take' }).click();
      await expect.poll(() => banner(page), { timeout: budget(60_000) }).toContain('reassigned to Tia Taker');
      expect(await banner(page)).toContain('Nothing is left.');
    };
    await handOver(kim.page, 'cy');
    await handOver(kim.page, 'di');
    await handOver(mo.page, 'bo');
    await waitUntil('user.inactivated of Cy, Di and Bo', () => receiver.processedOf('user.inactivated').length === 3, 60_000);
    lap('three inactivated');

    // 7. The receiver holds Ann's user.inactivated and the batch's batch.completed open; meanwhile the
    // worker is SIGKILLed. Then it answers everything, and a new worker takes over the deliveries.
    receiver.holdNext('user.inactivated', 'batch.completed');
    await handOver(mo.page, 'ann');
    await waitUntil('both deliveries held open', () => receiver.held.length === 2, 60_000);
    const heldIds = receiver.held.map((x) => x.request.webhookId);
    const killed = workers.at(-1)!;
    killed.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');
    lap('worker killed with two deliveries open');
    await waitUntil('the dead worker’s connections closed', () => receiver.held.every((x) => x.senderGone), 30_000);
    receiver.release();
    await startWorker();
    const restartedAt = Date.now();
    lap('new worker started');
    // The deliveries the dead worker had open are tried again by the new one, with the same
    // webhook-ids, as soon as Temporal notices the old attempts died (not a minute later).
    await waitUntil(
      'the open deliveries sent again after the restart',
      () => heldIds.every((hid) => receiver.requests.filter((r) => r.webhookId === hid).length >= 2),
      30_000,
    );
    console.warn(`[e2e] redelivered ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the new worker was ready`);
    await waitUntil('user.inactivated ×4 and batch.completed', () => receiver.processedOf('user.inactivated').length === 4 && receiver.processedOf('batch.completed').length === 1, 60_000);
    await waitUntil(
      'every delivery delivered',
      async () => (await count(sql`select count(*)::int as n from webhook_deliveries where status <> 'delivered'`)) === 0,
      30_000,
    );
    // Nothing more comes.
    await new Promise((r) => setTimeout(r, 2000));
    lap('everything delivered');

    // Per event type: the webhook-ids received are the events, each processed once; a redelivery
    // carries the same webhook-id and the same signed body; the delivery log says the same.
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
    const events = await db().select({ messageId: webhookEvents.messageId, type: webhookEvents.type, body: webhookEvents.body }).from(webhookEvents);
    const expected: Record<string, number> = { 'offboarding.started': 4, 'offboarding.waiting': 4, 'user.inactivated': 4, 'batch.completed': 1 };
    expect(Object.fromEntries(Object.keys(expected).map((t) => [t, events.filter((e) => e.type === t).length]))).toEqual(expected);
    expect(events).toHaveLength(13);
    const deliveries = await db().select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, subscriptionId));
    expect(deliveries).toHaveLength(13);
    expect(deliveries.every((d) => d.status === 'delivered' && d.dispatchedAt !== null)).toBe(true);
    for (const [type, n] of Object.entries(expected)) {
      const ofType = events.filter((e) => e.type === type);
      const received = receiver.requests.filter((r) => r.type === type);
      expect(new Set(received.map((r) => r.webhookId)), type).toEqual(new Set(ofType.map((e) => e.messageId)));
      expect(receiver.processedOf(type), type).toHaveLength(n);
      for (const dup of received.filter((r) => r.duplicate)) {
        expect(ofType.find((e) => e.messageId === dup.webhookId)?.body, type).toBe(dup.body);
      }
    }
    // Only the two held open at the kill came twice; the delivery log has one successful attempt each.
    const repeated = [...new Set(receiver.requests.filter((r) => r.duplicate).map((r) => r.webhookId))].sort();
    expect(repeated).toEqual([...heldIds].sort());
    const okAttempts = await db().execute<{ delivery_id: number; n: number }>(
      sql`select delivery_id, count(*)::int as n from webhook_attempts where ok and subscription_id = ${subscriptionId} group by delivery_id`,
    );
    expect(okAttempts).toHaveLength(13);
    expect(okAttempts.every((r) => r.n === 1)).toBe(true);
    const inactivatedIds = [...receiver.processed.values()].filter((p) => p.type === 'user.inactivated').map((p) => (JSON.parse(p.body) as { data: { user: { id: number } } }).data.user.id);
    expect(inactivatedIds.sort()).toEqual([...leaverIds()].sort());
    const completed = [...receiver.processed.values()].find((p) => p.type === 'batch.completed');
    expect((JSON.parse(completed!.body) as { data: unknown }).data).toMatchObject({ batchId, counts: { inactivated: 4, removed: 0, failed: 0 } });

    // The database: the four inactive, everyone else active; every item they held (the pushed one
    // too) is Tia's now, changed once each; one inactivation each; the emails sent once each.
    const statuses = await db().select({ id: users.id, status: users.status }).from(users);
    expect(statuses.filter((u) => u.status === 'inactive').map((u) => u.id).sort()).toEqual([...leaverIds()].sort());
    expect(await scanOpenItems(db(), leaverIds())).toEqual([]);
    const tias = new Set((await scanOpenItems(db(), [id.tia!])).map((i) => i.key));
    expect(leaverKeys.filter((k) => !tias.has(k))).toEqual([]);
    const reassigned = await db().select({ entityId: auditLog.entityId, entityType: auditLog.entityType }).from(auditLog).where(eq(auditLog.action, 'item.reassigned'));
    expect(reassigned).toHaveLength(leaverKeys.length);
    expect(new Set(reassigned.map((r) => `${r.entityType}:${r.entityId}`)).size).toBe(leaverKeys.length);
    const inactivations = await db().select({ subject: auditLog.subjectUserId }).from(auditLog).where(eq(auditLog.action, 'user.inactivated'));
    expect(inactivations.map((r) => r.subject).sort()).toEqual([...leaverIds()].sort());
    const ended = await db().select({ outcome: offboardings.outcome }).from(offboardings).where(inArray(offboardings.userId, leaverIds()));
    expect(ended.map((o) => o.outcome)).toEqual(['inactivated', 'inactivated', 'inactivated', 'inactivated']);
    // A digest round the kill interrupted is retried once its 1-minute heartbeat timeout passes
    // (workflows/activity-proxies.ts): wait for that, and a margin.
    await waitUntil(
      'every email sent',
      async () => (await count(sql`select count(*)::int as n from notification_outbox where status <> 'sent'`)) === 0,
      90_000,
    );
    const outbox = await db().select({ kind: notificationOutbox.kind, messageId: notificationOutbox.smtpMessageId }).from(notificationOutbox);
    expect(outbox.filter((m) => m.kind === 'batch-summary')).toHaveLength(1);
    const sunk = new Set(h.sink.messages.map((m) => m.parsed.messageId));
    expect(outbox.filter((m) => m.messageId === null || !sunk.has(m.messageId))).toEqual([]);
    expect(await batchWorkflows()).toEqual([batchWorkflowId(batchId)]);
    lap('checked');

    await mo.context.close();
    await kim.context.close();
  }, budget(600_000));

  it('leaves no process behind', async () => {
    await Promise.all(workers.map((w) => w.stop()));
    watch.look();
    expect(watch.leftovers().filter((p) => !/chrom/i.test(p.cmd))).toEqual([]);
  });
});
