// SCIM 2.0 at /scim/v2 (RFC 7643, RFC 7644), mounted before the web app's Origin, session and CSRF
// checks (a provider is not a browser: its bearer token is all that counts, cookies count for
// nothing). Every request: its ID (X-Request-Id), the connection's token (caller.ts), the rate limit,
// then the route; bodies are read only after that, within MAX_BODY_BYTES. Discovery, then Users:
// list with filter and paging, create, get, replace, patch, delete. What `active` means is here:
// false (PATCH, PUT or DELETE) marks the person deprovisioned — signed out everywhere at once — and
// queues their offboarding; true again rescinds it. The status becomes inactive only when the
// offboarding completes.
import { randomUUID } from 'node:crypto';
import { type Context, Hono } from 'hono';
import type { AppEnv, WebDeps } from '../context';
import { projectAttributes } from './attributes';
import { readJsonObject } from './body';
import { type ScimCaller, scimCaller } from './caller';
import { badRequest, ScimError, scimErrorResponse, scimJson } from './errors';
import { filterCondition } from './filter';
import { type ScimLifecycle, scimLifecycle } from './lifecycle';
import { applyPatch, parsePatch } from './patch';
import { LIST_RESPONSE, MAX_RESULTS, resourceTypes, schemaResources, SEARCH_REQUEST, serviceProviderConfig } from './schemas';
import { type Deprovisioning, findUser, listUsers, type WriteContext, writeUser, auditLifecycle } from './user-store';
import { isScimActive, parseUserInput, type ScimUserInput, toScimUser, type UserRow, userLocation } from './user-resource';

export const SCIM_BASE_PATH = '/scim/v2';

type Request = { c: Context<AppEnv>; caller: ScimCaller; requestId: string };

function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^-?[0-9]{1,9}$/.test(raw.trim())) throw badRequest('invalidValue', `${name} must be an integer.`);
  return Number(raw.trim());
}

export function scimRoutes(app: Hono<AppEnv>, deps: WebDeps, lifecycle: ScimLifecycle = scimLifecycle(deps.operations, (m) => deps.log('warn', m))): void {
  const base = `${deps.settings.publicUrl.replace(/\/+$/, '')}${SCIM_BASE_PATH}`;
  const scim = new Hono<AppEnv>();
  const docs = `${deps.settings.publicUrl.replace(/\/+$/, '')}/docs/scim`;

  /** Runs a handler for an authenticated connection; every ScimError becomes SCIM's error message. */
  const handle =
    (fn: (r: Request) => Promise<Response> | Response) =>
    async (c: Context<AppEnv>): Promise<Response> => {
      const requestId = `scim-${randomUUID()}`;
      c.header('X-Request-Id', requestId);
      c.header('Cache-Control', 'no-store');
      try {
        const caller = await scimCaller(c, deps);
        return await fn({ c, caller, requestId });
      } catch (e) {
        if (e instanceof ScimError) {
          if (e.status >= 400 && e.status !== 404) deps.log('warn', `SCIM request refused (${e.status}${e.scimType ? ` ${e.scimType}` : ''}): ${e.detail}`, { path: c.req.path, requestId });
          return scimErrorResponse(c, e);
        }
        deps.log('error', `SCIM request failed: ${e instanceof Error ? e.message : String(e)}`, { path: c.req.path, requestId, stack: e instanceof Error ? e.stack : undefined });
        return scimErrorResponse(c, new ScimError(500, `The request could not be completed; retry it. Request ID: ${requestId}.`));
      }
    };
  const notAllowed = handle(({ c }) => {
    c.header('Allow', 'GET');
    throw new ScimError(405, `${c.req.method} is not supported here; only GET is.`);
  });

  // Discovery (RFC 7644 §4).
  scim.get('/ServiceProviderConfig', handle(({ c }) => scimJson(c, serviceProviderConfig(base, docs))));
  scim.get('/ResourceTypes', handle(({ c }) => scimJson(c, listOf(resourceTypes(base)))));
  scim.get(
    '/ResourceTypes/:id',
    handle(({ c }) => {
      const found = resourceTypes(base).find((r) => r.id === c.req.param('id'));
      if (!found) throw new ScimError(404, `No resource type ${(c.req.param('id') ?? '').slice(0, 100)}; there is User.`);
      return scimJson(c, found);
    }),
  );
  scim.get('/Schemas', handle(({ c }) => scimJson(c, listOf(schemaResources(base)))));
  scim.get(
    '/Schemas/:id',
    handle(({ c }) => {
      const found = schemaResources(base).find((s) => s.id === c.req.param('id'));
      if (!found) throw new ScimError(404, `No schema ${(c.req.param('id') ?? '').slice(0, 200)}; GET /Schemas lists them.`);
      return scimJson(c, found);
    }),
  );
  for (const path of ['/ServiceProviderConfig', '/ResourceTypes', '/ResourceTypes/:id', '/Schemas', '/Schemas/:id']) {
    scim.on(['POST', 'PUT', 'PATCH', 'DELETE'], path, notAllowed);
  }

  const present = async (rows: UserRow[]) => {
    const states = await lifecycle.states(rows.map((r) => r.id));
    return rows.map((r) => toScimUser(r, base, states.get(r.id)));
  };
  const one = async (row: UserRow) => (await present([row]))[0]!;

  const list = async (r: Request, q: { filter?: string | undefined; startIndex?: string | undefined; count?: string | undefined; attributes?: string | undefined; excludedAttributes?: string | undefined }) => {
    const condition = q.filter !== undefined && q.filter.trim() !== '' ? filterCondition(q.filter) : undefined;
    const startIndex = Math.max(1, positiveInteger('startIndex', q.startIndex, 1));
    // RFC 7644 §3.4.2.4: a negative count is 0; above maxResults the answer is clamped, and
    // itemsPerPage says how many came.
    const count = Math.min(MAX_RESULTS, Math.max(0, positiveInteger('count', q.count, MAX_RESULTS)));
    const { total, rows } = await listUsers(deps.db, r.caller.connection, condition, { startIndex, count });
    const resources = (await present(rows)).map((u) => projectAttributes(u, q.attributes, q.excludedAttributes));
    return scimJson(r.c, { schemas: [LIST_RESPONSE], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources });
  };

  scim.get('/Users', handle((r) => list(r, r.c.req.query())));
  scim.post(
    '/Users/.search',
    handle(async (r) => {
      const body = await readJsonObject(r.c.req.raw);
      const schemas = body.schemas;
      if (!Array.isArray(schemas) || !schemas.includes(SEARCH_REQUEST)) throw badRequest('invalidSyntax', `A search is a SearchRequest: schemas must be ["${SEARCH_REQUEST}"].`);
      const text = (k: string) => {
        const v = body[k];
        if (v === undefined || v === null) return undefined;
        if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',');
        if (typeof v === 'string' || typeof v === 'number') return String(v);
        throw badRequest('invalidValue', `${k} has the wrong type.`);
      };
      if (body.sortBy !== undefined) throw badRequest('invalidValue', 'Sorting is not supported (ServiceProviderConfig says so).');
      return list(r, { filter: text('filter'), startIndex: text('startIndex'), count: text('count'), attributes: text('attributes'), excludedAttributes: text('excludedAttributes') });
    }),
  );
  // Searching several resource types at once (RFC 7644 §3.4.3) is not offered.
  scim.post('/.search', handle(() => Promise.reject(new ScimError(501, 'Search at the root is not supported; POST /Users/.search or GET /Users?filter=…'))));

  const context = (r: Request): WriteContext => ({ connection: r.caller.connection, tokenId: r.caller.tokenId, requestId: r.requestId });

  /**
   * Keeps what the provider sent and does what `active` says. `said` is the active the request set
   * (undefined: it said nothing about it). A rescinded termination is carried out before the marker is
   * cleared, and a deprovisioning's offboarding is requested after the marker is set, so a request
   * retried after a failure half-way finishes the job.
   */
  async function save(r: Request, existing: UserRow | null, input: ScimUserInput, said: boolean | undefined, action: 'created' | 'replaced' | 'patched' | 'deleted'): Promise<UserRow> {
    const ctx = context(r);
    const connection = r.caller.connection;
    let deprovisioning: Deprovisioning = 'keep';
    if (said === false) deprovisioning = 'set';
    if (said === true && existing !== null && !isScimActive(existing)) {
      const outcome = await lifecycle.rescind(connection, { userId: existing.id, requestId: `scim-rescind-${existing.id}-${existing.deprovisionedAt?.getTime() ?? r.requestId}` });
      await auditLifecycle(deps.db, ctx, existing.id, outcome === 'none' ? 'rescinded' : outcome);
      deprovisioning = 'clear';
    }
    const row = await writeUser(deps.db, ctx, { existing, input, action, deprovisioning, deleted: action === 'deleted' });
    if (said === false && row.status === 'active' && row.deprovisionedAt !== null) {
      await lifecycle.request(connection, { userId: row.id, requestId: `scim-deprovision-${row.id}-${row.deprovisionedAt.getTime()}` });
      await auditLifecycle(deps.db, ctx, row.id, 'requested');
    }
    return row;
  }

  const existingOr404 = async (r: Request): Promise<UserRow> => {
    const row = await findUser(deps.db, r.caller.connection, r.c.req.param('id') ?? '');
    if (!row) throw new ScimError(404, `No user ${String(r.c.req.param('id')).slice(0, 40)} here.`);
    return row;
  };

  scim.post(
    '/Users',
    handle(async (r) => {
      const input = parseUserInput(await readJsonObject(r.c.req.raw));
      const row = await save(r, null, input, input.active === false ? false : undefined, 'created');
      r.c.header('Location', userLocation(base, row.id));
      return scimJson(r.c, await one(row), 201);
    }),
  );
  scim.get(
    '/Users/:id',
    handle(async (r) => {
      const row = await existingOr404(r);
      return scimJson(r.c, projectAttributes(await one(row), r.c.req.query('attributes'), r.c.req.query('excludedAttributes')));
    }),
  );
  scim.put(
    '/Users/:id',
    handle(async (r) => {
      const existing = await existingOr404(r);
      const input = parseUserInput(await readJsonObject(r.c.req.raw));
      return scimJson(r.c, await one(await save(r, existing, input, input.active, 'replaced')));
    }),
  );
  scim.patch(
    '/Users/:id',
    handle(async (r) => {
      const existing = await existingOr404(r);
      const operations = parsePatch(await readJsonObject(r.c.req.raw));
      const patched = applyPatch(toScimUser(existing, base, undefined), operations);
      const input = parseUserInput(patched);
      // Only an operation that names active says something about it (not the unchanged value carried along).
      const named = operations.some((o) => o.path?.toLowerCase() === 'active' || (o.path === undefined && typeof o.value === 'object' && o.value !== null && 'active' in o.value));
      return scimJson(r.c, await one(await save(r, existing, input, named ? input.active : undefined, 'patched')));
    }),
  );
  scim.delete(
    '/Users/:id',
    handle(async (r) => {
      const existing = await existingOr404(r);
      // We never delete: the person answers 404 to SCIM from now on, stays in the directory, and is offboarded.
      const input = parseUserInput(toScimUser(existing, base, undefined));
      await save(r, existing, input, false, 'deleted');
      return r.c.body(null, 204);
    }),
  );
  scim.on(['DELETE', 'PUT', 'PATCH'], '/Users', handle(() => Promise.reject(new ScimError(405, 'Name a user: /Users/{id}.'))));
  scim.all('*', handle(({ c }) => Promise.reject(new ScimError(404, `${c.req.path.slice(0, 100)} is not a SCIM endpoint here; GET ${SCIM_BASE_PATH}/ResourceTypes lists them.`))));

  app.route(SCIM_BASE_PATH, scim);
}

const listOf = (resources: readonly unknown[]) => ({ schemas: [LIST_RESPONSE], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources });
