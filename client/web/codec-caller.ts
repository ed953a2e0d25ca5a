// Who is asking the codec server, and whether they may: a bearer token with the `codec` scope (the
// temporal CLI's --codec-auth), the session of a company directory admin or of a listed operator
// (the Web UI's browser sends the session cookie), or, with WEB_AUTH=trusted-header, a listed
// operator's or an admin's email in the SSO proxy's header (there the proxy alone says who is there,
// as for the pages). Checked against the database at each request.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { codecTokenHolder } from '../../domain/codec-tokens';
import { activeUserByEmail } from '../../domain/directory';
import { fromTrustedProxy } from './client-address';
import type { AppEnv, WebDeps } from './context';
import { sha256 } from './keys';
import { loadSession, sessionCookie } from './sessions';

export type CodecCaller = {
  /** The directory user the request acts as; null for an operator known only by email. */
  userId: number | null;
  via: 'token' | 'session' | 'trusted-header';
  /** What the audit log records beside the user: the token's ID, the operator's email. */
  detail: { tokenId?: number; operator?: string };
  /** The rate limit's bucket: one per person or token. */
  bucket: string;
};

export type CodecRefusal = { status: 401 | 403; message: string };

const NOT_ALLOWED = 'Only company directory admins and the operators listed in CODEC_OPERATORS may decode payloads.';

export async function codecCaller(c: Context<AppEnv>, deps: WebDeps, secure: boolean): Promise<CodecCaller | CodecRefusal> {
  const { db, settings } = deps;
  const operators = settings.codec?.operators ?? [];
  const authorization = c.req.header('authorization');
  if (authorization !== undefined) {
    // A token that is wrong is an answer in itself: no falling back to a cookie sent beside it.
    const token = /^Bearer\s+(\S+)$/i.exec(authorization.trim())?.[1] ?? '';
    const holder = await codecTokenHolder(db, token);
    if (holder.kind === 'unknown') return { status: 401, message: 'The bearer token is not a codec token, or it was revoked.' };
    if (holder.kind === 'forbidden') return { status: 403, message: `The codec token may not decode: ${holder.why}.` };
    return { userId: holder.userId, via: 'token', detail: { tokenId: holder.tokenId }, bucket: `codec:token:${holder.tokenId}` };
  }
  if (settings.auth === 'trusted-header') {
    let peer: string | undefined;
    try {
      peer = getConnInfo(c).remote.address;
    } catch {
      peer = undefined;
    }
    const email = fromTrustedProxy(peer, settings.trustedProxies) ? c.req.header(settings.trustedHeader)?.trim().toLowerCase() : undefined;
    if (email) {
      const user = await activeUserByEmail(db, email);
      if (operators.includes(email)) return { userId: user?.id ?? null, via: 'trusted-header', detail: { operator: email }, bucket: `codec:operator:${sha256(email)}` };
      if (user?.isAdmin) return { userId: user.id, via: 'trusted-header', detail: {}, bucket: `codec:user:${user.id}` };
      return { status: 403, message: NOT_ALLOWED };
    }
    // The proxy decides who is there (as identity.ts does for pages): a session cookie alone counts for nothing.
    return { status: 401, message: `No ${settings.trustedHeader} from a trusted proxy: open the Web UI through the SSO proxy.` };
  }
  const loaded = await loadSession(db, sessionCookie(c, secure));
  if (loaded.kind === 'active') {
    const { viewer, session } = loaded;
    const operator = viewer.email !== null && operators.includes(viewer.email.toLowerCase());
    // A session from a link in an email is about one leaving person or one batch: never a key to everything.
    if (session.scopeUserId !== null || session.batchId !== null) return { status: 403, message: `${NOT_ALLOWED} Sign in with your email, not from a link in an email.` };
    if (!viewer.isAdmin && !operator) return { status: 403, message: NOT_ALLOWED };
    return {
      userId: viewer.id,
      via: 'session',
      detail: operator && !viewer.isAdmin && viewer.email ? { operator: viewer.email.toLowerCase() } : {},
      bucket: `codec:user:${viewer.id}`,
    };
  }
  return { status: 401, message: 'Sign in to the offboarding web app (the Web UI then sends your session), or pass a codec token with --codec-auth "Bearer <token>".' };
}

export const isRefusal = (x: CodecCaller | CodecRefusal): x is CodecRefusal => 'status' in x;
