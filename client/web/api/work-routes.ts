// The work comes in over the JSON API (issue 24): a project with its members, and the seven tools'
// items in bulk, for a company's tools to push what they hold. Both are the import operation of
// `offboard import` (client/operations/work-import.ts) — one code path: the same checks, the same
// answer per record, the same re-check of offboardings whose leaver is named on an item. Scope
// directory:write; the call acts as the connection's admin, whom the import checks again now.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { TokenScope } from '../../../domain/connections';
import { describePerson } from '../../../domain/import-people';
import type { RecordResult } from '../../../domain/work-import';
import { type ImportRecord, MAX_IMPORT_RECORDS } from '../../../domain/work-import-records';
import { importWork } from '../../operations';
import type { WebDeps } from '../context';
import type { ApiCaller } from './caller';
import { ApiProblem } from './problem';
import { json, security } from './route-parts';
import type * as s from './schemas';
import * as w from './work-schemas';

type WorkEnv = { Variables: { caller: ApiCaller } };

export type WorkRouteTools<E extends WorkEnv> = {
  /** Checks the token, its scope and its rate limit, and sets the caller. */
  scope: (needed: TokenScope) => MiddlewareHandler<E>;
  /** Who the call acts as: the connection's admin. */
  actor: (c: Context<E>) => number;
  /** What any operation may answer as a problem, besides these statuses. */
  problems: (...statuses: number[]) => Record<string, { description: string; content: Record<string, { schema: typeof s.Problem }> }>;
};


/** A refused record's code and message, when it has them. */
const refusalOf = (r: RecordResult | undefined) => (r?.outcome === 'refused' ? { ...(r.code ? { code: r.code } : {}), ...(r.message ? { message: r.message } : {}) } : {});

export function workRoutes<E extends WorkEnv>(api: OpenAPIHono<E>, deps: WebDeps, t: WorkRouteTools<E>): void {
  api.openapi(
    createRoute({
      method: 'put',
      path: '/projects/{number}',
      summary: 'Create or update a project (by its number) and add or update its members',
      description: `Idempotent: the same request again answers unchanged. Members are people by email or SCIM externalId; one that names nobody is refused with USER_NOT_FOUND and the rest go in. Scope directory:write.`,
      security,
      middleware: [t.scope('directory:write')] as const,
      request: { params: w.ProjectNumberParam, body: { required: true, content: { 'application/json': { schema: w.PutProjectBody } } } },
      responses: {
        200: json(w.PutProjectAnswer, 'The project existed; each member’s outcome'),
        201: json(w.PutProjectAnswer, 'The project was created; each member’s outcome'),
        ...t.problems(401, 403, 404, 413, 415, 422, 429),
      },
    }),
    async (c) => {
      const { number } = c.req.valid('param');
      const body = c.req.valid('json');
      const records: ImportRecord[] = [
        { kind: 'project', number, name: body.name, status: body.status },
        ...(body.members ?? []).map((m): ImportRecord => ({ kind: 'member', project: number, person: m.person, permission: m.permission })),
      ];
      const result = await importWork(deps.operations, t.actor(c), records);
      const [project, ...members] = result.results;
      const answer = {
        project: { number, outcome: project?.outcome ?? 'unchanged', ...refusalOf(project) },
        members: members.map((m) => ({ index: m.index - 1, member: describePerson(body.members?.[m.index - 1]?.person ?? { email: '' }), outcome: m.outcome, ...refusalOf(m) })),
      };
      return project?.outcome === 'created' ? c.json(answer, 201) : c.json(answer, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/items/bulk',
      summary: `Create or update up to ${MAX_IMPORT_RECORDS.toLocaleString('en-US')} of the tools’ items`,
      description: `Idempotent by (tool, externalId). The answer says per item created, updated, unchanged or refused (with the refusal code and a message naming the field); a refused item changes nothing and the others go in. More than ${MAX_IMPORT_RECORDS} items: 422 TOO_MANY_ITEMS and nothing is written. The body may be up to ${w.MAX_BULK_ITEMS_BODY_BYTES / (1024 * 1024)} MiB (${MAX_IMPORT_RECORDS} items with every field at its maximum fit); beyond it 413 PAYLOAD_TOO_LARGE. An item held by someone being offboarded becomes part of that offboarding. Scope directory:write.`,
      security,
      middleware: [t.scope('directory:write')] as const,
      request: { body: { required: true, content: { 'application/json': { schema: w.BulkItemsBody } } } },
      responses: { 200: json(w.BulkItemsAnswer, 'Each item’s outcome, in the order sent'), ...t.problems(401, 403, 404, 413, 415, 422, 429) },
    }),
    async (c) => {
      const { items } = c.req.valid('json');
      const result = await importWork(
        deps.operations,
        t.actor(c),
        items.map((i): ImportRecord => ({ kind: 'item', ...i })),
      );
      return c.json(
        {
          counts: result.counts,
          items: result.results.map((r) => {
            const item = items[r.index];
            return { index: r.index, tool: item?.tool ?? 'rfi', externalId: item?.externalId ?? '', outcome: r.outcome, ...refusalOf(r) };
          }),
          heldByInactiveUser: result.heldByInactiveUser,
          rechecks: result.rechecks.map((r) => ({ userId: r.userId, rechecked: r.rechecked, ...(r.note ? { note: r.note } : {}) })),
        },
        200,
      );
    },
    (result, c) => {
      // Too many items is its own code (a client splits, it does not fix a field); nothing was written.
      if (!result.success && result.target === 'json' && result.error.issues.some((i) => i.code === 'too_big' && i.path.length === 1 && i.path[0] === 'items')) {
        throw new ApiProblem(422, 'TOO_MANY_ITEMS', `A request upserts at most ${MAX_IMPORT_RECORDS} items; split them over several requests. Nothing was changed.`, { maxItems: MAX_IMPORT_RECORDS });
      }
      // Anything else as every route: routes.ts's hook throws 422 INVALID_INPUT naming the field.
      void api.defaultHook?.(result, c);
      return undefined;
    },
  );
}
