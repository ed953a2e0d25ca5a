// The JSON API at /api/v1, for other systems (an HR system, ticketing): bearer tokens of a connection
// with scopes (caller.ts), acting in the name of the connection's admin, whom every operation checks
// again — the operations are the CLI's and the web's (client/operations), through the workflows. The
// routes are declared with their zod schemas (schemas.ts), which validate the requests and generate
// the OpenAPI 3.1 document at /api/v1/openapi.json. Errors are problem+json (problem.ts). Mounted
// before the web app's Origin, session and CSRF checks: a token, not a browser, so cookies count for
// nothing here.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { inArray } from 'drizzle-orm';
import { users } from '../../../db/schema';
import { assignmentReportPage } from '../../../domain/assignment-report';
import { listBatches } from '../../../domain/batches';
import type { TokenScope } from '../../../domain/connections';
import { resolveUserRef } from '../../../domain/directory';
import { scanOpenItems } from '../../../domain/open-items';
import { type BatchStatus, BATCH_STATUS_PAGE } from '../../../workflows/contract';
import { refuse } from '../../../domain/refusal';
import { checkReason, checkSuccessors, parseEffectiveAt, policyOf } from '../../batch-options';
import { type BatchDraft, batchStatusPage, batchWithId, cancelBatch, generateBatchId, previewBatch, reactivateUser, removeFromBatch, startBatch } from '../../operations';
import type { AppEnv, WebDeps } from '../context';
import { apiCaller, DEFAULT_API_REQUESTS_PER_MINUTE } from './caller';
import { decodeCursor, encodeCursor, pageOf } from './cursor';
import { claimKey, keepResponse, requestHash } from './idempotency';
import { ApiProblem, payloadTooLarge, problemOf, problemResponse } from './problem';
import { type ApiEnv, json, jsonBody, problems, security } from './route-parts';
import { webhookRoutes } from './webhook-routes';
import * as s from './schemas';
import { MAX_BULK_ITEMS_BODY_BYTES } from './work-schemas';
import { workRoutes } from './work-routes';

export const API_BASE_PATH = '/api/v1';
/** A start of 1,000 people with successors is well under this. */
export const MAX_API_BODY_BYTES = 1024 * 1024;
/** Routes whose valid bodies need more than MAX_API_BODY_BYTES (method and path under API_BASE_PATH). */
const LARGER_BODIES: readonly { method: string; path: string; maxBytes: number }[] = [{ method: 'POST', path: '/items/bulk', maxBytes: MAX_BULK_ITEMS_BODY_BYTES }];

/** The body limit of a request: its route's, or the API's 1 MiB. */
export function bodyLimitOf(method: string, path: string): number {
  return LARGER_BODIES.find((r) => r.method === method && `${API_BASE_PATH}${r.path}` === path.replace(/\/+$/, ''))?.maxBytes ?? MAX_API_BODY_BYTES;
}


/** A batch's status as the API shows it: one page of users at most, the counts of all. */
const batchOf = (b: BatchStatus) => ({ batchId: b.batchId, requestedBy: b.requestedBy, phase: b.phase, total: b.total, counts: b.counts, users: b.users, rejected: b.rejected });

export function apiRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const perMinute = deps.settings.api?.requestsPerMinute ?? DEFAULT_API_REQUESTS_PER_MINUTE;
  const api = new OpenAPIHono<ApiEnv>({
    // A request that fails its schema: 422 with the first issue's path and message; nothing ran.
    defaultHook: (result) => {
      if (result.success) return undefined;
      const issue = result.error.issues[0];
      const where = [result.target === 'json' ? 'body' : result.target, ...(issue?.path ?? []).map(String)].join('.');
      throw new ApiProblem(422, 'INVALID_INPUT', `${where}: ${issue?.message ?? 'is invalid'}. Nothing was changed.`);
    },
  });
  const scope =
    (needed: TokenScope): MiddlewareHandler<ApiEnv> =>
    async (c, next) => {
      c.set('caller', await apiCaller(c, deps, needed, perMinute));
      await next();
    };
  const actor = (c: Context<ApiEnv>) => c.get('caller').connection.adminUserId;

  // Before the body is read (and before the token is checked): a declared Content-Length over the
  // limit is refused at once, a streamed body as soon as it passes it.
  api.use((c, next) => {
    const maxSize = bodyLimitOf(c.req.method, c.req.path);
    return bodyLimit({
      maxSize,
      onError: () => {
        throw payloadTooLarge(maxSize);
      },
    })(c, next);
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'A connection’s token (`offboard connections token <id> --scope …`).' });

  // ---- Batches -------------------------------------------------------------------------------
  const startRoute = createRoute({
    method: 'post',
    path: '/batches',
    summary: 'Start an offboarding batch (or review it with dryRun)',
    description: 'The same options and checks as HR’s review and `offboard start`. Scope offboardings:write.',
    security,
    middleware: [scope('offboardings:write')] as const,
    request: { headers: s.IdempotencyHeader, body: jsonBody(s.StartBatchBody) },
    responses: {
      200: json(z.union([s.StartedBatch, s.BatchReview]), 'The review (dryRun), or the batch this request already started'),
      201: json(s.StartedBatch, 'Started'),
      ...problems(401, 403, 404, 409, 413, 415, 422, 429),
    },
  });
  api.openapi(startRoute, async (c) => {
    const body = c.req.valid('json');
    const key = c.req.valid('header')['idempotency-key'];
    const connectionId = c.get('caller').connection.id;
    let batchId = body.batchId ?? generateBatchId();
    if (key !== undefined) {
      const claim = await claimKey(deps.db, connectionId, key, requestHash(body), batchId);
      if (claim.kind === 'other-body') throw new ApiProblem(422, 'IDEMPOTENCY_KEY_REUSED', `The Idempotency-Key "${key.slice(0, 80)}" came with another body first; nothing was started.`);
      if (claim.kind === 'answered') {
        if (claim.status === 201) {
          const created = s.StartedBatch.safeParse(claim.response);
          if (created.success) return c.json(created.data, 201);
        } else {
          const first = z.union([s.StartedBatch, s.BatchReview]).safeParse(claim.response);
          if (first.success) return c.json(first.data, 200);
        }
        throw new Error(`the kept response of Idempotency-Key ${key.slice(0, 80)} is unreadable`);
      }
      batchId = claim.batchId;
    }
    const keep = async <T>(status: 200 | 201, response: T): Promise<T> => {
      if (key !== undefined) await keepResponse(deps.db, connectionId, key, status, response);
      return response;
    };
    // A refusal is not kept: the same body again is checked again (with the same batch ID), another body
    // with this key stays refused.
    const draft = await draftOf(deps, body, batchId);
    if (body.dryRun === true) {
      const review = await previewBatch(deps.operations, actor(c), draft);
      const existing = body.batchId === undefined ? undefined : await batchWithId(deps.operations, batchId, draft.userIds);
      const users = review.accepted.map((u) => ({ userId: u.userId, name: u.name, email: u.email, managerId: u.managerId, items: u.items }));
      return c.json(await keep(200, { dryRun: true as const, batchId, existing: existing !== undefined, users, skipped: review.rejected }), 200);
    }
    const started = await startBatch(deps.operations, actor(c), draft);
    const answer = { created: started.created, batch: batchOf(started.status) };
    if (started.created) return c.json(await keep(201, answer), 201);
    return c.json(await keep(200, answer), 200);
  });

  api.openapi(
    createRoute({
      method: 'get',
      path: '/batches',
      summary: 'List batches, newest first',
      description: 'Cursor-paged: pass nextCursor as cursor for the next page. Scope offboardings:read.',
      security,
      middleware: [scope('offboardings:read')] as const,
      request: { query: s.BatchListQuery },
      responses: { 200: json(s.BatchPage, 'A page of batches'), ...problems(401, 403, 422, 429) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const size = q.limit ?? 50;
      const after = decodeCursor(q.cursor, z.object({ startedAtKey: z.string().max(64), batchId: z.string().max(64) }).strict());
      const rows = await listBatches(deps.db, { limit: size + 1, running: q.running === 'true', ...(after ? { after } : {}) });
      const { page, nextCursor } = pageOf(rows, size, (last) => ({ startedAtKey: last.startedAtKey, batchId: last.batchId }));
      return c.json({ items: page.map(({ startedAtKey: _, ...b }) => b), nextCursor }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/batches/{batchId}',
      summary: 'A batch: counts by stage, a page of its people, who was skipped and why',
      description: `People in the batch's order, ${BATCH_STATUS_PAGE.toLocaleString('en-US')} a page unless limit says fewer; pass nextCursor as cursor for the next page. Scope offboardings:read.`,
      security,
      middleware: [scope('offboardings:read')] as const,
      request: { params: s.BatchIdParam, query: s.BatchQuery },
      responses: { 200: json(s.BatchWithPeople, 'The batch'), ...problems(401, 403, 404, 422, 429) },
    }),
    async (c) => {
      const { batchId } = c.req.valid('param');
      const q = c.req.valid('query');
      const size = q.limit ?? BATCH_STATUS_PAGE;
      // The cursor names its batch: one from another batch's pages is refused, not read at a stray offset.
      const at = decodeCursor(q.cursor, z.object({ batchId: z.literal(batchId), offset: z.number().int().min(1).max(10_000_000) }).strict());
      const offset = at?.offset ?? q.offset ?? 0;
      const status = await batchStatusPage(deps.operations, batchId, offset, size);
      const next = offset + status.users.length;
      return c.json({ ...batchOf(status), nextCursor: status.users.length > 0 && next < status.total ? encodeCursor({ batchId, offset: next }) : null }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/batches/{batchId}/removals',
      summary: 'Take a person out of a batch before they are inactivated',
      description: 'Scope offboardings:write.',
      security,
      middleware: [scope('offboardings:write')] as const,
      request: { params: s.BatchIdParam, body: jsonBody(s.RemoveBody) },
      responses: { 200: json(s.Composition, 'The batch’s people now'), ...problems(401, 403, 404, 409, 415, 422, 429) },
    }),
    async (c) => {
      const user = await resolveUserRef(deps.db, String(c.req.valid('json').user));
      return c.json(await removeFromBatch(deps.operations, actor(c), c.req.valid('param').batchId, { id: user.id, name: user.name }), 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/batches/{batchId}/cancel',
      summary: 'Cancel the rest of a batch (people not yet inactivated stay active)',
      description: 'Scope offboardings:write.',
      security,
      middleware: [scope('offboardings:write')] as const,
      request: { params: s.BatchIdParam },
      responses: { 200: json(s.Composition, 'The batch’s people now'), ...problems(401, 403, 404, 409, 422, 429) },
    }),
    async (c) => c.json(await cancelBatch(deps.operations, actor(c), c.req.valid('param').batchId), 200),
  );

  // ---- People ---------------------------------------------------------------------------------
  api.openapi(
    createRoute({
      method: 'get',
      path: '/users/{userId}/open-items',
      summary: 'A user’s open items in the seven tools',
      description: 'Scope offboardings:read.',
      security,
      middleware: [scope('offboardings:read')] as const,
      request: { params: s.UserIdParam },
      responses: { 200: json(s.OpenItems, 'The open items'), ...problems(401, 403, 404, 422, 429) },
    }),
    async (c) => {
      const { userId } = c.req.valid('param');
      const [found] = await deps.db.select({ id: users.id }).from(users).where(inArray(users.id, [userId]));
      if (!found) refuse('USER_NOT_FOUND', `No user has the ID ${userId}.`);
      return c.json({ userId, items: await scanOpenItems(deps.db, [userId]) }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/users/{userId}/reactivate',
      summary: 'Reactivate an inactive user',
      description: 'Scope offboardings:write.',
      security,
      middleware: [scope('offboardings:write')] as const,
      request: { params: s.UserIdParam, body: jsonBody(s.ReactivateBody) },
      responses: { 200: json(s.Reactivated, 'Reactivated'), ...problems(401, 403, 404, 409, 415, 422, 429) },
    }),
    async (c) => {
      const user = await resolveUserRef(deps.db, String(c.req.valid('param').userId));
      const reason = checkReason(c.req.valid('json').reason, { required: false, label: 'reason' });
      return c.json(await reactivateUser(deps.operations, actor(c), { id: user.id, name: user.name, status: user.status }, reason), 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/assignment-report',
      summary: 'The Assignment Report: every open item with the person responsible',
      description: 'Filter by user, tool, project; cursor-paged in (user name, tool, project, item) order. Scope offboardings:read.',
      security,
      middleware: [scope('offboardings:read')] as const,
      request: { query: s.ReportQuery },
      responses: { 200: json(s.ReportPage, 'A page of the report'), ...problems(401, 403, 422, 429) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const size = q.limit ?? 200;
      const at = decodeCursor(q.cursor, z.object({ offset: z.number().int().min(0).max(10_000_000) }).strict());
      const offset = at?.offset ?? 0;
      const filter = {
        ...(q.userId !== undefined ? { userId: Number(q.userId) } : {}),
        ...(q.tool !== undefined ? { tool: q.tool } : {}),
        ...(q.projectId !== undefined ? { projectId: Number(q.projectId) } : {}),
      };
      const page = await assignmentReportPage(deps.db, filter, { offset, limit: size });
      const next = offset + page.rows.length;
      return c.json({ items: page.rows, total: page.total, nextCursor: next < page.total ? encodeCursor({ offset: next }) : null }, 200);
    },
  );

  workRoutes(api, deps, { scope, actor, problems });
  webhookRoutes(api, deps, scope);

  // The document is the same for every request: generated once, at the first (every route is
  // registered by then), not per request (14 ms each time).
  let document: string | undefined;
  api.get('/openapi.json', (c) => {
    document ??= JSON.stringify(
      api.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'Offboarding API',
          version: '1.0.0',
          description: 'Start and follow offboardings from another system. Tokens: `offboard connections token <id> --scope offboardings:read --scope offboardings:write`. Guide: docs/api.md.',
        },
        servers: [{ url: `${deps.settings.publicUrl.replace(/\/+$/, '')}${API_BASE_PATH}` }],
      }),
    );
    return c.body(document, 200, { 'content-type': 'application/json' });
  });

  api.notFound((c) => problemResponse(c, new ApiProblem(404, 'NOT_FOUND', `${c.req.method} ${c.req.path.slice(0, 100)} is not an operation of this API.`)));
  api.onError((e, c) => {
    if (e instanceof HTTPException) {
      const status = e.status === 415 ? 415 : e.status === 413 ? 413 : 400;
      const code = status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : status === 413 ? 'PAYLOAD_TOO_LARGE' : 'MALFORMED_REQUEST';
      return problemResponse(c, new ApiProblem(status, code, `${e.message}. Nothing was changed.`));
    }
    const p = problemOf(e);
    if (p.status === 500) deps.log('error', `API request failed: ${e.message}`, { path: c.req.path, stack: e.stack });
    return problemResponse(c, p);
  });
  app.route(API_BASE_PATH, api);
}

/** The batch draft from the body, checked as `offboard start` checks its flags (client/batch-options.ts). */
async function draftOf(deps: WebDeps, body: s.StartBatchBody, batchId: string): Promise<BatchDraft> {
  const reason = checkReason(body.reason, { required: false, label: 'reason' });
  const effectiveAt = parseEffectiveAt(body.effectiveAt, Date.now(), 'effectiveAt');
  const p = body.policy ?? {};
  const policy = policyOf({
    'remind-every': p.remindEveryDays,
    'escalate-after': p.escalateAfterDays,
    deadline: p.deadlineDays,
    'deadline-action': p.deadlineAction,
    force: p.force ?? false,
  });
  const userIds: number[] = [];
  for (const ref of body.users) userIds.push((await resolveUserRef(deps.db, String(ref))).id);
  const pairs: { from: number; to: number; label: string }[] = [];
  for (const [i, pair] of (body.successors ?? []).entries()) {
    const from = (await resolveUserRef(deps.db, String(pair.user))).id;
    const to = (await resolveUserRef(deps.db, String(pair.successor))).id;
    pairs.push({ from, to, label: `successors[${i}]` });
  }
  const successors = checkSuccessors(userIds, pairs, 'successors');
  return { batchId, userIds, reason, effectiveAt, successors, policy };
}
