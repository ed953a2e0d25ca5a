// Security: payload encryption (AES-256-GCM codec, worker and client with the same key) — the history
// holds only ciphertext while the workflow runs end to end, the Web UI's summaries and current details
// included — and no personal data (names, emails) in search attributes or workflow IDs.
import { randomBytes } from 'node:crypto';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { DataConverter, Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WAIT_MS } from './helpers/time-budget';
import { startBatchWorkflow } from '../client/start-batch';
import { loadSettings } from '../config/settings';
import { dataConverterOf } from '../temporal/data-converter';
import { open as openSealed } from '../temporal/aes-gcm';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, parsePayloadKey, payloadKeyId } from '../temporal/payload-codec';
import { reassignItemUpdate, userStatusQuery, userWorkflowId } from '../workflows/contract';
import type { offboardingBatch, userOffboarding } from '../workflows';
import { type DevServerEnvironment, sharedDevServerEnvironment, workflowBundle } from './helpers/temporal';
import { waitUntil } from './helpers/wait-until';
import { type Harness, startHarness, waitForUserStatus } from './helpers/workflow-harness';

let env: DevServerEnvironment;
let h: Harness;
const key = randomBytes(32).toString('base64');

beforeAll(async () => {
  [env, h] = await Promise.all([sharedDevServerEnvironment(), startHarness()]);
});
afterAll(async () => {
  await env?.stop();
  await h?.close();
});

/** The SDK's built-in query the Web UI calls for a workflow's current details. */
const METADATA_QUERY = '__temporal_workflow_metadata';

const SECRET = { name: 'Zelda Quixotic-Secretname', email: 'zelda.quixotic@secret-example.com', project: 'Project Nightingale-Secret', title: 'Slab pour Quixotic-Title' };

/**
 * Where a history may hold plaintext payloads: search attributes, the SDK's patch markers and its
 * local-activity markers' bookkeeping (`details.data`: sequence, attempt, type, times; their
 * `details.result` is encrypted) (see below).
 */
const PLAINTEXT_ALLOWED =
  /\.searchAttributes\.indexedFields\.(Offboarding[A-Za-z]+|TemporalChangeVersion)$|\.markerRecordedEventAttributes\.details\.(patch-data|data)\./;

/** Every byte string and every text anywhere in a history (payload data, metadata, messages, IDs). */
type PayloadSeen = { encoding: string; keyId: string; path: string };

function collect(value: unknown, bytes: Buffer[], strings: string[], payloads: PayloadSeen[], depth = 0, path = ''): void {
  if (depth > 40 || value === null || value === undefined) return;
  if (value instanceof Uint8Array) {
    bytes.push(Buffer.from(value));
    return;
  }
  if (typeof value === 'string') {
    strings.push(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, bytes, strings, payloads, depth + 1, path);
    return;
  }
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.data instanceof Uint8Array && o.metadata && typeof o.metadata === 'object') {
      const { encoding: enc, 'encryption-key-id': keyId } = o.metadata as Record<string, unknown>;
      payloads.push({
        encoding: enc instanceof Uint8Array ? Buffer.from(enc).toString() : '',
        keyId: keyId instanceof Uint8Array ? Buffer.from(keyId).toString() : '',
        path,
      });
    }
    for (const [k, v] of Object.entries(o)) collect(v, bytes, strings, payloads, depth + 1, `${path}.${k}`);
  }
}

/** The SDK's own keys in a local-activity marker's bookkeeping: nothing of the workflow's data. */
const LOCAL_ACTIVITY_KEYS = new Set(['seq', 'attempt', 'activity_id', 'activity_type', 'complete_time', 'original_schedule_time', 'backoff']);

/** Each local-activity marker's bookkeeping keys and its result's encoding. */
async function localActivityMarkers(handle: WorkflowHandle): Promise<{ keys: string[]; resultEncoding: string }[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map((e) => e.markerRecordedEventAttributes)
    .filter((m) => m?.markerName === 'core_local_activity')
    .map((m) => {
      const data = m?.details?.data?.payloads?.[0]?.data;
      const encoding = m?.details?.result?.payloads?.[0]?.metadata?.encoding;
      return {
        keys: Object.keys(data ? (JSON.parse(Buffer.from(data).toString()) as Record<string, unknown>) : {}),
        resultEncoding: encoding ? Buffer.from(encoding).toString() : '',
      };
    });
}

async function historyOf(handle: WorkflowHandle) {
  const history = await handle.fetchHistory();
  const bytes: Buffer[] = [];
  const strings: string[] = [];
  const payloads: PayloadSeen[] = [];
  collect(history, bytes, strings, payloads);
  const haystack = Buffer.concat([...bytes, Buffer.from(strings.join('\n'))]).toString('latin1');
  return { haystack, payloads };
}

/** A user with one defect item whose names and title are SECRET, a manager, an admin and a colleague. */
async function leaverWithOneItem(tag: string) {
  const admin = await h.fx.admin({ name: 'Ada Admin' });
  const manager = await h.fx.user({ name: 'Max Manager' });
  const leaver = await h.fx.user({ name: `${SECRET.name} ${tag}`, email: `${tag}.${SECRET.email}`, managerId: manager });
  const colleague = await h.fx.user({ name: 'Col League' });
  const p = await h.fx.project(`${SECRET.project} ${tag}`);
  await h.fx.member(p, leaver);
  await h.fx.member(p, colleague);
  const defect = await h.fx.defect({ projectId: p, assignedToId: leaver });
  await h.t.sql`update defect_items set title = ${`${SECRET.title} ${tag}`} where id = ${defect}`;
  return { admin, manager, leaver, colleague, defect };
}

function clientAndWorker(dataConverter: DataConverter | undefined, taskQueue: string) {
  const client = new Client({ connection: env.connection, namespace: env.namespace, ...(dataConverter ? { dataConverter } : {}) });
  const worker = Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: h.activities,
    ...(dataConverter ? { dataConverter } : {}),
  });
  return { client, worker };
}

/** A user with one item, offboarded through a batch, the manager reassigning the item by update. */
async function runOffboarding(dataConverter: DataConverter | undefined, tag: string) {
  const taskQueue = `codec-${tag}-${process.pid}`;
  const { client, worker: creating } = clientAndWorker(dataConverter, taskQueue);
  const worker = await creating;
  const { admin, manager, leaver, colleague, defect } = await leaverWithOneItem(tag);

  const batchId = `codec-${tag}-${process.pid}`;
  return worker.runUntil(async () => {
    const batch = await startBatchWorkflow(client, taskQueue, { batchId, userIds: [leaver], requestedBy: admin, reason: 'codec test', effectiveAt: null, successors: {}, policy: {} });
    const user = client.workflow.getHandle<typeof userOffboarding>(userWorkflowId(leaver));
    await waitForUserStatus(client, leaver, (s) => s.stage === 'awaiting-reassignment');
    const status = await user.query(userStatusQuery);
    expect(status.pendingItems[0]?.title).toBe(`${SECRET.title} ${tag}`); // decoded for the key holder
    // The Web UI reads the current details through the SDK's metadata query: the key holder reads
    // them, and the raw answer (what the server relays to a browser) is what the codec made of it.
    const details = (await user.query<{ currentDetails?: string }>(METADATA_QUERY)).currentDetails ?? '';
    expect(details).toContain(`${SECRET.title} ${tag}`);
    const raw = await env.connection.workflowService.queryWorkflow({
      namespace: env.namespace,
      execution: { workflowId: userWorkflowId(leaver) },
      query: { queryType: METADATA_QUERY },
    });
    const rawDetails = raw.queryResult?.payloads?.[0];
    await user.executeUpdate(reassignItemUpdate, { args: [{ itemKey: `defect:${defect}:assigned-to`, toUserId: colleague, by: manager }] });
    const result = await user.result();
    expect(result.outcome).toBe('inactivated');
    expect(result.resolutions[0]?.title).toBe(`${SECRET.title} ${tag}`);
    const summary = await batch.result();
    expect(summary.inactivated).toEqual([leaver]);
    const descriptions = await Promise.all([batch.describe(), user.describe()]);
    return { batch, user, leaver, descriptions, rawDetails };
  });
}

describe('payload encryption', () => {
  it('round-trips payloads, refuses a wrong key and tampering', async () => {
    const codec = new AesGcmPayloadCodec(parsePayloadKey(key));
    const payload = { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode(JSON.stringify(SECRET)) };
    const [encrypted] = await codec.encode([payload]);
    expect(Buffer.from(encrypted!.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encrypted!.data!).toString('latin1')).not.toContain(SECRET.email);
    expect(await codec.decode([encrypted!])).toEqual([payload]);
    const other = new AesGcmPayloadCodec(randomBytes(32));
    await expect(other.decode([encrypted!])).rejects.toThrow(/key/);
    const tampered = { ...encrypted!, data: Buffer.from(encrypted!.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(codec.decode([tampered])).rejects.toThrow();
    expect(() => parsePayloadKey('dG9vIHNob3J0')).toThrow(/32 bytes/);
    expect(loadSettings({ OFFBOARDING_PAYLOAD_KEY: key }).payloadKey).toBe(key);
    expect(() => loadSettings({ OFFBOARDING_PAYLOAD_KEY: 'short' })).toThrow(/OFFBOARDING_PAYLOAD_KEY/);
  });

  it('with a key, worker and client run a batch end to end and the history holds only ciphertext', async () => {
    const dc = dataConverterOf({ payloadKey: key });
    expect(dc).toBeDefined();
    const { batch, user } = await runOffboarding(dc, 'enc');
    for (const handle of [batch, user]) {
      const { haystack, payloads } = await historyOf(handle);
      expect(payloads.length).toBeGreaterThan(3);
      // Search attributes must stay readable for the server to index them: they hold IDs, stages and
      // counts only (see the last test). So do the SDK's own patched() markers (the patch ID and its
      // TemporalChangeVersion search attribute): they name code versions, never data; and its
      // local-activity markers' bookkeeping (checked below: no more than the SDK's own keys). Every
      // other payload is ciphertext, a local activity's result included.
      const plain = payloads.filter((p) => p.encoding !== ENCRYPTED_ENCODING);
      expect(plain.filter((p) => !PLAINTEXT_ALLOWED.test(p.path)).map((p) => p.path)).toEqual([]);
      expect(payloads.length - plain.length).toBeGreaterThan(3);
      for (const secret of [SECRET.name, SECRET.email, SECRET.project, SECRET.title]) expect(haystack).not.toContain(secret);
    }
    // The person's local steps: the SDK's bookkeeping in plain text, their results encrypted.
    const markers = await localActivityMarkers(user);
    expect(markers.length).toBeGreaterThanOrEqual(2);
    for (const m of markers) {
      expect(m.keys.filter((k) => !LOCAL_ACTIVITY_KEYS.has(k))).toEqual([]);
      expect(m.resultEncoding).toBe(ENCRYPTED_ENCODING);
    }
  });

  it('with a key, the Web UI texts go through the codec: summaries in the history, details in the query answer', async () => {
    const { batch, user, leaver, rawDetails } = await runOffboarding(dataConverterOf({ payloadKey: key }), 'ui');
    // Every activity call and timer carries a summary, and each is a payload like any other:
    // encrypted, so the history shows neither the summaries nor what they are built from.
    const histories = await Promise.all([batch, user].map((h) => h.fetchHistory()));
    const summaries = histories.flatMap((history) => (history.events ?? []).flatMap((e) => (e.userMetadata?.summary ? [e.userMetadata.summary] : [])));
    expect(summaries.length).toBeGreaterThan(5);
    for (const s of summaries) expect(Buffer.from(s.metadata?.encoding ?? new Uint8Array()).toString()).toBe(ENCRYPTED_ENCODING);
    for (const handle of [batch, user]) {
      const { haystack } = await historyOf(handle);
      for (const text of [`scan the open items`, `claim user ${leaver}`, 'email: ', 'digests: ', `Offboarding user ${leaver}`]) {
        expect(haystack).not.toContain(text);
      }
    }
    // The current details are never in the history (only the query answers them); that answer is
    // encrypted too, item titles included.
    expect(Buffer.from(rawDetails?.metadata?.encoding ?? new Uint8Array()).toString()).toBe(ENCRYPTED_ENCODING);
    const rawText = Buffer.from(rawDetails?.data ?? new Uint8Array()).toString('latin1');
    for (const text of [SECRET.title, 'Awaiting reassignment', 'defect:']) expect(rawText).not.toContain(text);
  });

  it('control: without a key the same run puts the item title and the summaries in the history, and the title in the details (the checks above can fail)', async () => {
    const { batch, user, leaver, rawDetails } = await runOffboarding(undefined, 'plain');
    const { haystack, payloads } = await historyOf(user);
    // The batch's digest timer (it reminds for its people), named in plain text.
    const batchHistory = await vi.waitFor(
      async () => {
        const h = await historyOf(batch);
        if (!h.haystack.includes('digests: ')) throw new Error('no digest timer in the batch history yet');
        return h;
      },
      { timeout: WAIT_MS, interval: 250 },
    );
    expect(batchHistory.haystack).toContain('digests: ');
    expect(payloads.some((p) => p.encoding === 'json/plain')).toBe(true);
    expect(haystack).toContain(SECRET.title);
    expect(haystack).toContain(`claim user ${leaver} for batch`);
    expect(Buffer.from(rawDetails?.data ?? new Uint8Array()).toString()).toContain(SECRET.title);
  });

  it('no names or emails in workflow IDs or search attributes', async () => {
    const { descriptions, leaver } = await runOffboarding(dataConverterOf({ payloadKey: key }), 'ids');
    for (const d of descriptions) {
      expect(d.workflowId).toMatch(/^offboarding-(batch-[A-Za-z0-9._-]+|user-\d+)$/);
      const attributes = JSON.stringify([d.searchAttributes, d.typedSearchAttributes, d.workflowId, d.memo ?? null]);
      for (const secret of [SECRET.name, SECRET.email, 'ids.', 'Zelda', 'secret-example']) expect(attributes).not.toContain(secret);
    }
    expect(descriptions[1]?.workflowId).toBe(userWorkflowId(leaver));
  });
});

/**
 * A payload the codec wrote before its protobuf format (JSON inside the ciphertext; produced by
 * temporal/payload-codec.ts as of commit 1cf6402), with the key it was written with.
 */
const LEGACY = {
  key: 'ARp/8ELIOsg/S6XHasNRJLfMJ927ehchxP56LRLOSPY=',
  keyId: '336d5c1cc5f122c4',
  data: 'Av0tGSQ0ri2DBW+/too8KL6/OroQEqoOm7b0BeeHoyJ96Gcur7vuJsih3y9qbpmSZR9zhDLWk1Vj9FTJnNuTkQLHkv7MXpWgI4s0t7mGukwEqFtkA3wn0NIbRtYpxjFYuPTpITpDxnpWettMGyKd15WVTwzJ9QPNU3leUmwalVJbHIWatLp+f0zGUIXt2BQPZOS1r5OaGC992miJC+3PVK2ljNjdocCj',
  plain: { itemKey: 'rfi:42:assignee', note: 'written by the codec of 1cf6402' },
};

const utf8 = (s: string) => new TextEncoder().encode(s);
const metadataText = (p: Payload | undefined, key: string) => Buffer.from(p?.metadata?.[key] ?? new Uint8Array()).toString();
const jsonPayload = (value: unknown): Payload => ({ metadata: { encoding: utf8('json/plain') }, data: utf8(JSON.stringify(value)) });

describe('payload format', () => {
  it('reads payloads of the JSON format written before the protobuf one', async () => {
    const legacy: Payload = {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), 'encryption-key-id': utf8(LEGACY.keyId) },
      data: new Uint8Array(Buffer.from(LEGACY.data, 'base64')),
    };
    const legacyKey = parsePayloadKey(LEGACY.key);
    expect(payloadKeyId(legacyKey)).toBe(LEGACY.keyId);
    expect(await new AesGcmPayloadCodec(legacyKey).decode([legacy])).toEqual([jsonPayload(LEGACY.plain)]);
  });

  it('encrypts the whole Payload as a length-delimited protobuf message', async () => {
    const key = randomBytes(32);
    const payload = jsonPayload(SECRET);
    const [encrypted] = await new AesGcmPayloadCodec(key).encode([payload]);
    expect(metadataText(encrypted, 'encoding')).toBe(ENCRYPTED_ENCODING);
    expect(metadataText(encrypted, 'encryption-key-id')).toBe(payloadKeyId(key));
    expect(metadataText(encrypted, 'encryption-format')).toBe('temporal.api.common.v1.Payload');
    const inner = proto.temporal.api.common.v1.Payload.decodeDelimited(await openSealed(key, encrypted!.data!));
    expect(Buffer.from(inner.metadata.encoding!).toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(inner.data).toString())).toEqual(SECRET);
  });
});

describe('payload key rotation', () => {
  const [key1, key2] = [randomBytes(32), randomBytes(32)];
  const [id1, id2] = [payloadKeyId(key1), payloadKeyId(key2)];

  it('encrypts with the newest key; payloads of older keys, in either format, still decrypt', async () => {
    const payload = jsonPayload(SECRET);
    const [byKey1] = await new AesGcmPayloadCodec(key1).encode([payload]);
    const rotated = new AesGcmPayloadCodec(key2, key1);
    expect(rotated.keyId).toBe(id2);
    const [byKey2] = await rotated.encode([payload]);
    expect(metadataText(byKey2, 'encryption-key-id')).toBe(id2);
    expect(await rotated.decode([byKey1!, byKey2!])).toEqual([payload, payload]);
    const legacy: Payload = {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), 'encryption-key-id': utf8(LEGACY.keyId) },
      data: new Uint8Array(Buffer.from(LEGACY.data, 'base64')),
    };
    expect(await new AesGcmPayloadCodec(key2, parsePayloadKey(LEGACY.key)).decode([legacy])).toEqual([jsonPayload(LEGACY.plain)]);
  });

  it('refuses a payload encrypted with a key it does not have, naming that key and the setting', async () => {
    const [byKey1] = await new AesGcmPayloadCodec(key1).encode([jsonPayload(SECRET)]);
    await expect(new AesGcmPayloadCodec(key2).decode([byKey1!])).rejects.toThrow(
      `payload encrypted with key ${id1}, which is not one of the configured payload keys (${id2}): add it to OFFBOARDING_PAYLOAD_KEYS`,
    );
    const withoutId = { ...byKey1!, metadata: { encoding: utf8(ENCRYPTED_ENCODING) } };
    await expect(new AesGcmPayloadCodec(key1).decode([withoutId])).rejects.toThrow(/without an encryption-key-id/);
  });

  it('takes several keys from OFFBOARDING_PAYLOAD_KEYS, newest first; OFFBOARDING_PAYLOAD_KEY stays one key', () => {
    const [k1, k2] = [key1.toString('base64'), key2.toString('base64')];
    const settings = loadSettings({ OFFBOARDING_PAYLOAD_KEYS: ` ${k2}, ${k1} ` });
    expect(settings).toMatchObject({ payloadKey: k2, previousPayloadKeys: [k1] });
    const codec = dataConverterOf(settings)?.payloadCodecs?.[0];
    expect(codec instanceof AesGcmPayloadCodec && codec.keyId).toBe(id2);
    expect(loadSettings({ OFFBOARDING_PAYLOAD_KEYS: k1 })).toMatchObject({ payloadKey: k1, previousPayloadKeys: [] });
    expect(loadSettings({ OFFBOARDING_PAYLOAD_KEY: k1 })).toMatchObject({ payloadKey: k1, previousPayloadKeys: [] });
    expect(loadSettings({})).toMatchObject({ payloadKey: undefined, previousPayloadKeys: [] });
    expect(() => loadSettings({ OFFBOARDING_PAYLOAD_KEY: k1, OFFBOARDING_PAYLOAD_KEYS: k2 })).toThrow(/not both/);
    expect(() => loadSettings({ OFFBOARDING_PAYLOAD_KEYS: `${k2},short` })).toThrow(/^OFFBOARDING_PAYLOAD_KEYS: .*32 random bytes/);
  });

  it('a history written with key 1 is read after key 2 becomes current, and holds only ciphertext', async () => {
    const [k1, k2] = [key1.toString('base64'), key2.toString('base64')];
    const taskQueue = `codec-rotation-${process.pid}`;
    const { admin, manager, leaver, colleague, defect } = await leaverWithOneItem('rot');
    const title = `${SECRET.title} rot`;

    // Before the rotation: key 1 alone. The batch starts and the user waits for the manager.
    const before = clientAndWorker(dataConverterOf({ payloadKey: k1 }), taskQueue);
    const batchWorkflowId = await (await before.worker).runUntil(async () => {
      const batch = await startBatchWorkflow(before.client, taskQueue, { batchId: `codec-rot-${process.pid}`, userIds: [leaver], requestedBy: admin, reason: 'codec test', effectiveAt: null, successors: {}, policy: {} });
      await waitForUserStatus(before.client, leaver, (s) => s.stage === 'awaiting-reassignment');
      // Leave no activity running on this worker (the manager's email): one cut off by its shutdown
      // would be retried only after its timeout, a minute later, on the next worker.
      const idle = async (h: WorkflowHandle) => ((await h.describe()).raw.pendingActivities ?? []).length === 0;
      const userHandle = before.client.workflow.getHandle(userWorkflowId(leaver));
      await waitUntil('no activity running before the rotation', async () => (await idle(userHandle)) && (await idle(batch)), 30_000);
      return batch.workflowId;
    });

    // After: key 2 encrypts, key 1 only decrypts; a new worker, so nothing is cached.
    const after = clientAndWorker(dataConverterOf({ payloadKey: k2, previousPayloadKeys: [k1] }), taskQueue);
    const user = after.client.workflow.getHandle<typeof userOffboarding>(userWorkflowId(leaver));
    const batch = after.client.workflow.getHandle<typeof offboardingBatch>(batchWorkflowId);
    await (await after.worker).runUntil(async () => {
      // Answering replays the history written with key 1.
      expect((await user.query(userStatusQuery)).pendingItems[0]?.title).toBe(title);
      await user.executeUpdate(reassignItemUpdate, { args: [{ itemKey: `defect:${defect}:assigned-to`, toUserId: colleague, by: manager }] });
      const result = await user.result();
      expect(result.outcome).toBe('inactivated');
      expect(result.resolutions[0]?.title).toBe(title);
      expect((await batch.result()).inactivated).toEqual([leaver]);
    });

    for (const handle of [batch, user]) {
      const { haystack, payloads } = await historyOf(handle);
      const encrypted = payloads.filter((p) => p.encoding === ENCRYPTED_ENCODING);
      expect(payloads.filter((p) => p.encoding !== ENCRYPTED_ENCODING && !PLAINTEXT_ALLOWED.test(p.path)).map((p) => p.path)).toEqual([]);
      expect(new Set(encrypted.map((p) => p.keyId))).toEqual(new Set([id1, id2]));
      for (const secret of [SECRET.name, SECRET.email, SECRET.project, SECRET.title]) expect(haystack).not.toContain(secret);
    }

    // The user's input, as the server keeps it: written with key 1, unreadable with key 2 alone.
    const started = (await user.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    expect(started.map((p) => metadataText(p, 'encryption-key-id'))).toEqual([id1]);
    await expect(new AesGcmPayloadCodec(key2).decode(started)).rejects.toThrow(`payload encrypted with key ${id1}`);
    const [input] = await new AesGcmPayloadCodec(key2, key1).decode(started);
    expect(JSON.parse(Buffer.from(input!.data!).toString())).toMatchObject({ userId: leaver, requestedBy: admin });
  });
});
