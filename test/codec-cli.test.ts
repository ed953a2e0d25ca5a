// Issue 26: the `temporal` CLI reads an encrypted history through the web app's codec server
// (`temporal workflow show --codec-endpoint … --codec-auth "Bearer <token>"`): decoded for a codec
// token with the `codec` scope; not without one, nor with a token lacking the scope.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchWorkflow } from '../client/start-batch';
import { startWebServer, type WebServer } from '../client/web/server';
import { loadSettings } from '../config/settings';
import { codecTokens } from '../db/schema';
import { createCodecToken } from '../domain/codec-tokens';
import { createMailer } from '../adapters/mail-transport';
import { dataConverterOf } from '../temporal/data-converter';
import { requireTemporalCli } from '../launcher/temporal-binaries';
import { batchWorkflowId } from '../workflows/contract';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { directoryFixtures } from './helpers/directory-fixtures';
import { InMemoryDirectory, inMemoryActivities } from './helpers/in-memory-activities';
import { type DevServerEnvironment, sharedDevServerEnvironment, workflowBundle } from './helpers/temporal';
import { WEB_TEST_SECRET } from './helpers/web-stack';
import { waitForUserStatus } from './helpers/workflow-harness';
import { budget } from './helpers/time-budget';

const run = promisify(execFile);
const key = randomBytes(32).toString('base64');
const REASON = 'reason-only-the-codec-can-read';

let env: DevServerEnvironment;
let t: TestDatabase;
let web: WebServer;
let cli: string;
let helen: number;
const mailer = createMailer({ smtpUrl: undefined, outboxDir: '/tmp/offboarding-test-outbox', mailFrom: 'Offboarding <o@example.com>', log: () => undefined });

beforeAll(async () => {
  [env, t, cli] = await Promise.all([sharedDevServerEnvironment(), createTestDatabase(), requireTemporalCli(loadSettings())]);
  helen = await directoryFixtures(t.db).admin({ name: 'Helen Park', email: 'helen.park@example.com' });
  web = await startWebServer({
    settings: {
      port: 0,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:3999',
      linkSecret: WEB_TEST_SECRET,
      auth: 'email-link',
      trustedHeader: 'X-Auth-Request-Email',
      trustedProxies: [],
      codec: { payloadKey: key, previousPayloadKeys: [], operators: [], requestsPerMinute: 100_000 },
    },
    db: t.db,
    temporal: env.client,
    taskQueue: 'unused',
    mailer,
    log: () => undefined,
  });
}, budget(180_000));
afterAll(async () => {
  await web?.close();
  await env?.stop();
  await mailer.close();
  await t?.drop();
});

/** The output with every payload's base64 `data` decoded beside it: what a person reading it would see. */
function readable(output: string): string {
  const decoded = [...output.matchAll(/"(?:data|encoding)":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1] ?? '', 'base64').toString('utf8'));
  return [output, ...decoded].join('\n');
}

/** `temporal workflow show` of the workflow, as JSON, with these codec flags; stdout and stderr together, readable. */
async function show(workflowId: string, codecFlags: string[]): Promise<string> {
  const args = ['workflow', 'show', '-w', workflowId, '--address', env.address, '--namespace', env.namespace, '-o', 'json', ...codecFlags];
  try {
    const r = await run(cli, args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    return readable(r.stdout + r.stderr);
  } catch (e) {
    const failed = e as { stdout?: string; stderr?: string };
    return readable(`${failed.stdout ?? ''}${failed.stderr ?? ''}`);
  }
}

describe('temporal workflow show --codec-endpoint --codec-auth', () => {
  it('decodes a history for a codec token with the scope, not without one', async () => {
    const dir = new InMemoryDirectory({ firstUserId: 100 });
    const admin = dir.addUser({ name: 'Ada Admin', admin: true });
    const manager = dir.addUser({ name: 'Max Manager', projectIds: [1] });
    const leaver = dir.addUser({ name: 'Lee Leaver', managerId: manager, projectIds: [1] });
    dir.addItem({ tool: 'rfi', role: 'manager', holderId: leaver, projectId: 1, title: 'Slab pour sequence' });
    const dataConverter = dataConverterOf({ payloadKey: key })!;
    const client = new Client({ connection: env.connection, namespace: env.namespace, dataConverter });
    const taskQueue = `codec-cli-${process.pid}`;
    const worker = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace, taskQueue, workflowBundle: workflowBundle(), activities: inMemoryActivities(dir), dataConverter });
    const batchId = `codec-cli-${process.pid}`;
    await worker.runUntil(async () => {
      await startBatchWorkflow(client, taskQueue, { batchId, userIds: [leaver], requestedBy: admin, reason: REASON, effectiveAt: null, successors: {}, policy: {} });
      await waitForUserStatus(client, leaver, (s) => s.stage === 'awaiting-reassignment');
    });
    const endpoint = `${web.url}/codec`;
    const { token } = await createCodecToken(t.db, { name: 'ops cli', actsForUserId: helen, createdBy: 'test' });

    const decoded = await show(batchWorkflowId(batchId), ['--codec-endpoint', endpoint, '--codec-auth', `Bearer ${token}`]);
    expect(decoded).toContain(REASON);

    const withoutCodec = await show(batchWorkflowId(batchId), []);
    expect(withoutCodec).toContain('binary/encrypted'); // the metadata's encoding, decoded by readable()
    expect(withoutCodec).not.toContain(REASON);
    const withoutAuth = await show(batchWorkflowId(batchId), ['--codec-endpoint', endpoint]);
    expect(withoutAuth).not.toContain(REASON);
    const { token: unscoped } = await createCodecToken(t.db, { name: 'no scope', actsForUserId: helen, createdBy: 'test' });
    await t.db.update(codecTokens).set({ scopes: [] });
    const withoutScope = await show(batchWorkflowId(batchId), ['--codec-endpoint', endpoint, '--codec-auth', `Bearer ${unscoped}`]);
    expect(withoutScope).not.toContain(REASON);
  }, budget(300_000));
});
