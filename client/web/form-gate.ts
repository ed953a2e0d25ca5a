// What a POST must pass before its body is read, and how much of it is read. Parsing a form costs
// time in proportion to its size and number of fields, so anyone who may post at all could stall the
// app with big forms: the checks that need no body come first (Origin, then a session on the routes
// that need one), then a size limit for the route and the person (small where anyone may post, large
// only for admins choosing people on HR's directory and review), then a cap on the number of fields,
// counted before anything is decoded. Only then is the form parsed (once, natively) for the CSRF check.
import type { Context } from 'hono';
import { MAX_BATCH_SIZE } from '../../workflows/contract';
import type { AppEnv } from './context';
import { hrRefusal } from './hr-gate';

/** POSTs that need no session: the sign-in forms, an action or team link's "Continue as", sign-out. */
const ANONYMOUS_POSTS: ReadonlySet<string> = new Set(['/signin', '/signin/token', '/link', '/team-link', '/signout']);
/** HR's forms that carry the people chosen (up to a whole batch of IDs). */
const SELECTION_POSTS: ReadonlySet<string> = new Set(['/hr/directory', '/hr/review']);

export type FormLimit = { maxBytes: number; maxFields: number };

export const FORM_LIMITS = {
  /** An email address, a token, the CSRF token: a few hundred bytes. */
  anonymous: { maxBytes: 4 * 1024, maxFields: 20 },
  /** A note of 2,000 characters, percent-encoded, and the form's few fields. */
  signedIn: { maxBytes: 64 * 1024, maxFields: 50 },
  /** A batch of 10,000 IDs, the review's fields, the filters. */
  selection: { maxBytes: 512 * 1024, maxFields: MAX_BATCH_SIZE + 100 },
} as const satisfies Record<string, FormLimit>;

export const isAnonymousPost = (path: string) => ANONYMOUS_POSTS.has(path);

/** The limit for this POST, from the route and who is signed in (identity has run). */
export function formLimitFor(c: Context<AppEnv>): FormLimit {
  const viewer = c.get('viewer');
  if (!viewer) return FORM_LIMITS.anonymous;
  if (SELECTION_POSTS.has(c.req.path) && hrRefusal(viewer, c.get('session')) === null) return FORM_LIMITS.selection;
  return FORM_LIMITS.signedIn;
}

export type FormRead = { ok: true; form: URLSearchParams; raw: Uint8Array<ArrayBuffer> } | { ok: false; status: 413 | 415; why: string; bodyRead: boolean };

const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * The body as a form, read only as far as the limit allows: a Content-Length over it is refused
 * without reading a byte; a body without one is read until it passes the limit. Fields are counted
 * on the raw bytes (one per `&`), before any decoding.
 */
export async function readForm(c: Context<AppEnv>, limit: FormLimit): Promise<FormRead> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== FORM_TYPE) return { ok: false, status: 415, why: 'Forms here are sent as application/x-www-form-urlencoded.', bodyRead: false };
  const tooLarge = { ok: false, status: 413, why: `The form is too large (at most ${Math.round(limit.maxBytes / 1024)} KB here).` } as const;
  const declared = c.req.header('content-length');
  if (declared !== undefined && !c.req.header('transfer-encoding') && Number(declared) > limit.maxBytes) return { ...tooLarge, bodyRead: false };
  const raw = await readAtMost(c.req.raw.body, limit.maxBytes);
  if (!raw) return { ...tooLarge, bodyRead: false };
  let fields = raw.length === 0 ? 0 : 1;
  for (const byte of raw) if (byte === 0x26 /* & */ && ++fields > limit.maxFields) break;
  if (fields > limit.maxFields) return { ok: false, status: 413, why: `The form has too many fields (at most ${limit.maxFields} here).`, bodyRead: true };
  return { ok: true, form: new URLSearchParams(new TextDecoder().decode(raw)), raw };
}

/** The whole body, or undefined as soon as it passes maxBytes (the rest is not read). */
async function readAtMost(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}
