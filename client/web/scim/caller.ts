// Who calls /scim/v2: the connection of a bearer token with the `scim` scope, as the database says at
// this request (a revoked token, a disabled connection, or an admin who is no longer an active company
// directory admin: 401). Cookies count for nothing here, and no Origin or CSRF check applies: SCIM is
// not a browser form. Then the connection's rate limit, counted in PostgreSQL per minute.
import type { Context } from 'hono';
import type { IdentityConnection } from '../../../domain/connection-policy';
import { connectionTokenHolder, SCIM_SCOPE } from '../../../domain/connections';
import type { AppEnv, WebDeps } from '../context';
import { count } from '../rate-limit';
import { ScimError } from './errors';

export const DEFAULT_SCIM_REQUESTS_PER_MINUTE = 6000;

export type ScimCaller = { connection: IdentityConnection; tokenId: number };

export async function scimCaller(c: Context<AppEnv>, deps: WebDeps): Promise<ScimCaller> {
  const authorization = c.req.header('authorization');
  if (authorization === undefined) throw new ScimError(401, 'Send the connection’s token as Authorization: Bearer <token>.');
  const token = /^Bearer\s+(\S+)$/i.exec(authorization.trim())?.[1] ?? '';
  const holder = await connectionTokenHolder(deps.db, token, SCIM_SCOPE);
  if (holder.kind === 'unknown') throw new ScimError(401, 'The bearer token is not a connection’s token, or it was revoked.');
  if (holder.kind === 'refused') {
    deps.log('warn', `SCIM request refused: ${holder.why}`, { tokenId: holder.tokenId });
    throw new ScimError(401, `The connection may not act now: ${holder.why}.`);
  }
  const limit = deps.settings.scim?.requestsPerMinute ?? DEFAULT_SCIM_REQUESTS_PER_MINUTE;
  if ((await count(deps.db, `scim:connection:${holder.connection.id}`, 1)) > limit) {
    c.header('Retry-After', String(60 - new Date().getUTCSeconds()));
    throw new ScimError(429, `More than ${limit} SCIM requests of this connection in a minute; retry after the time in Retry-After.`);
  }
  return { connection: holder.connection, tokenId: holder.tokenId };
}
