// The codec server (Temporal's remote codec protocol): POST /codec/decode and /codec/encode take
// `{"payloads": [...]}` in JSON (the namespace in X-Namespace) and answer the same shape, through the
// worker's own AesGcmPayloadCodec and keys (older keys decode: rotation). The Temporal Web UI posts
// from its own origin with the session cookie and no form token, so this is mounted before the app's
// CSRF check, with checks of its own, in this order: CORS for exactly the Web UI's origin(s), who is
// asking (codec-caller.ts), a rate limit, a body limit, then the body. Every request that passes is
// written to the audit log. A payload the codec cannot read (another system's, another key's) goes
// back unchanged, as the protocol expects.
import type { Payload } from '@temporalio/common';
import type { Context, Hono } from 'hono';
import { recordCodecCall } from '../../../domain/codec-tokens';
import { AesGcmPayloadCodec, parsePayloadKey } from '../../../temporal/payload-codec';
import { type CodecCaller, codecCaller, isRefusal } from '../codec-caller';
import { codecRequestBody, fromWire, toWire, type WirePayload } from '../codec-wire';
import type { AppEnv, WebDeps } from '../context';
import { count } from '../rate-limit';
import { readLimited } from '../limited-body';

/** 4 MiB: a workflow page's batch is a few kilobytes; one of Temporal's own 2 MB payloads still fits. */
export const CODEC_MAX_BODY_BYTES = 4 * 1024 * 1024;
const NAMESPACE = /^[A-Za-z0-9._-]{1,255}$/;
const WORKFLOW_ID = /^[\x21-\x7e]{1,255}$/;

type Operation = 'decode' | 'encode';

/** The origins allowed to call from a browser: TEMPORAL_UI_URL's, nothing else (no wildcard). */
export function codecOrigins(uiUrl: string | undefined): string[] {
  try {
    return uiUrl ? [new URL(uiUrl).origin] : [];
  } catch {
    return [];
  }
}

export function codecRoutes(app: Hono<AppEnv>, deps: WebDeps, secure: boolean): void {
  const settings = deps.settings.codec;
  const codec = settings?.payloadKey
    ? new AesGcmPayloadCodec(parsePayloadKey(settings.payloadKey), ...settings.previousPayloadKeys.map(parsePayloadKey))
    : undefined;
  const origins = codecOrigins(deps.settings.temporalUi?.url);

  const json = (c: Context<AppEnv>, status: 200 | 204 | 400 | 401 | 403 | 404 | 413 | 415 | 429, body: unknown) =>
    status === 204 ? c.body(null, 204) : c.json(body as object, status);

  /** CORS headers for an allowed Origin; false when an Origin is sent and it is not one of them. */
  const corsAllowed = (c: Context<AppEnv>): boolean => {
    const origin = c.req.header('origin');
    c.header('Vary', 'Origin');
    if (origin === undefined) return true; // not a browser: the temporal CLI, curl
    if (!origins.includes(origin)) return false;
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Access-Control-Allow-Credentials', 'true');
    return true;
  };

  app.options('/codec/:op{decode|encode}', (c) => {
    if (!c.req.header('origin') || !corsAllowed(c)) {
      deps.log('warn', 'codec preflight refused: origin not allowed', { origin: c.req.header('origin') ?? null });
      return json(c, 403, { message: 'This origin may not call the codec server.' });
    }
    c.header('Access-Control-Allow-Methods', 'POST');
    c.header('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, X-Workflow-Id, Authorization');
    c.header('Access-Control-Max-Age', '600');
    if (c.req.header('access-control-request-private-network') === 'true') c.header('Access-Control-Allow-Private-Network', 'true');
    return json(c, 204, null);
  });

  const refuse = (c: Context<AppEnv>, status: 400 | 401 | 403 | 404 | 413 | 415 | 429, message: string) => {
    deps.log('warn', `codec request refused (${status}): ${message}`, { path: c.req.path, origin: c.req.header('origin') ?? null });
    return json(c, status, { message });
  };

  app.post('/codec/:op{decode|encode}', async (c) => {
    const op = c.req.param('op') as Operation;
    if (!corsAllowed(c)) return refuse(c, 403, `The origin ${c.req.header('origin')} may not call the codec server; only the Temporal Web UI (TEMPORAL_UI_URL) may.`);
    if (!codec) return refuse(c, 404, 'Payload encryption is off (OFFBOARDING_PAYLOAD_KEYS is not set): there is nothing to decode.');
    const caller = await codecCaller(c, deps, secure);
    if (isRefusal(caller)) return refuse(c, caller.status, caller.message);
    if ((await count(deps.db, caller.bucket, 1)) > (settings?.requestsPerMinute ?? 0)) {
      c.header('Retry-After', '60');
      return refuse(c, 429, `More than ${settings?.requestsPerMinute} codec requests in a minute; wait a minute.`);
    }
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) return refuse(c, 415, 'Send the payloads as application/json.');
    const namespace = c.req.header('x-namespace')?.trim() || (deps.settings.temporalUi?.namespace ?? 'default');
    if (!NAMESPACE.test(namespace)) return refuse(c, 400, 'X-Namespace is not a namespace name.');
    const workflowId = c.req.header('x-workflow-id')?.trim();
    if (workflowId !== undefined && !WORKFLOW_ID.test(workflowId)) return refuse(c, 400, 'X-Workflow-Id is not a workflow ID.');
    const text = await readLimited(c.req.raw, CODEC_MAX_BODY_BYTES);
    if (text === undefined) return refuse(c, 413, `The request is larger than ${CODEC_MAX_BODY_BYTES / 1024 / 1024} MiB; ask for fewer payloads at once.`);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return refuse(c, 400, 'The body is not JSON: send {"payloads": [...]}.');
    }
    const body = codecRequestBody.safeParse(raw);
    if (!body.success) {
      const issue = body.error.issues[0];
      return refuse(c, 400, `The body is not {"payloads": [...]}: ${issue?.path.join('.') || 'body'} ${issue?.message ?? 'is invalid'}.`);
    }
    const payloads = body.data.payloads;
    let untouched = 0;
    const answer: WirePayload[] =
      op === 'decode'
        ? await Promise.all(
            payloads.map(async (w) => {
              const given = fromWire(w);
              let decoded: Payload | undefined;
              try {
                [decoded] = await codec.decode([given]);
              } catch {
                decoded = undefined; // another key's, another system's, or tampered with: not ours to read
              }
              if (decoded === undefined || decoded === given) {
                untouched++;
                return w;
              }
              return toWire(decoded);
            }),
          )
        : (await codec.encode(payloads.map(fromWire))).map(toWire);
    await writeAudit(deps, caller, op, namespace, workflowId ?? null, payloads.length, untouched);
    return c.json({ payloads: answer }, 200);
  });
}

async function writeAudit(deps: WebDeps, caller: CodecCaller, op: Operation, namespace: string, workflowId: string | null, payloads: number, untouched: number) {
  await recordCodecCall(deps.db, { actorId: caller.userId, op, namespace, workflowId, payloads, passedThrough: untouched, via: caller.via, detail: caller.detail });
}
