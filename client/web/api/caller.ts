// Who calls /api/v1: the connection of a bearer token, as the database says at this request — a
// revoked token, a disabled connection or an admin who is no longer an active company directory admin
// is 401, a token without the operation's scope 403 — then the token's rate limit, counted in
// PostgreSQL per minute so it holds across web processes. Cookies count for nothing here.
import type { Context } from 'hono';
import type { IdentityConnection } from '../../../domain/connection-policy';
import { connectionTokenHolder, type TokenScope } from '../../../domain/connections';
import type { WebDeps } from '../context';
import { count } from '../rate-limit';
import { ApiProblem } from './problem';

export const DEFAULT_API_REQUESTS_PER_MINUTE = 600;

export type ApiCaller = { connection: IdentityConnection; tokenId: number };

export async function apiCaller(c: Context, deps: WebDeps, scope: TokenScope, requestsPerMinute: number): Promise<ApiCaller> {
  const authorization = c.req.header('authorization');
  if (authorization === undefined) throw new ApiProblem(401, 'UNAUTHORIZED', 'No Authorization header: send the connection’s token as Authorization: Bearer <token>. Nothing was changed.');
  const token = /^Bearer\s+(\S+)$/i.exec(authorization.trim())?.[1] ?? '';
  const holder = await connectionTokenHolder(deps.db, token, scope);
  if (holder.kind === 'unknown') throw new ApiProblem(401, 'UNAUTHORIZED', 'The bearer token is not a connection’s token, or it was revoked. Nothing was changed.');
  if (holder.kind === 'refused') {
    deps.log('warn', `API request refused: ${holder.why}`, { tokenId: holder.tokenId, path: c.req.path });
    if (holder.missingScope) throw new ApiProblem(403, 'MISSING_SCOPE', `This operation needs the ${scope} scope, and the token does not have it. Nothing was changed.`, { scope });
    throw new ApiProblem(401, 'UNAUTHORIZED', `The connection may not act now: ${holder.why}. Nothing was changed.`);
  }
  const used = await count(deps.db, `api:token:${holder.tokenId}`, 1);
  const reset = 60 - new Date().getUTCSeconds();
  const remaining = Math.max(0, requestsPerMinute - used);
  // draft-ietf-httpapi-ratelimit-headers: the policy, and what is left of it in this window.
  c.header('RateLimit-Policy', `"per-token";q=${requestsPerMinute};w=60`);
  c.header('RateLimit', `"per-token";r=${remaining};t=${reset}`);
  if (used > requestsPerMinute) {
    c.header('Retry-After', String(reset));
    throw new ApiProblem(429, 'RATE_LIMITED', `More than ${requestsPerMinute} requests with this token in a minute; retry after ${reset} s. Nothing was changed.`);
  }
  return { connection: holder.connection, tokenId: holder.tokenId };
}
