// The JSON API's errors: RFC 9457 problem details (application/problem+json), each carrying a code a
// program can branch on — the product's refusal codes (workflows/contract/refusals.ts) where the
// domain refused, and the API's own few for what only HTTP knows (no token, no scope, too many
// requests, a reused Idempotency-Key, a body that is not JSON). Handlers throw an ApiProblem or let a
// refusal through; routes.ts turns either into the response.
import type { Context } from 'hono';
import type { RefusalCode } from '../../../workflows/contract';
import { refusalOf } from '../../refusals';
import { webHint } from '../refusal-hints';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const API_CODES = {
  UNAUTHORIZED: 'Send a connection’s token as Authorization: Bearer <token> (`offboard connections token <id>`).',
  MISSING_SCOPE: 'Create a token with the scope this operation names (`offboard connections token <id> --scope …`).',
  RATE_LIMITED: 'Wait for the seconds in Retry-After, then send the request again.',
  IDEMPOTENCY_KEY_REUSED: 'Use a new Idempotency-Key for a different request; the key names the first body it came with.',
  MALFORMED_REQUEST: 'Send a JSON body (Content-Type: application/json) that matches the schema in /api/v1/openapi.json.',
  NOT_FOUND: 'Check the path against /api/v1/openapi.json.',
  METHOD_NOT_ALLOWED: 'Check the method against /api/v1/openapi.json.',
  UNSUPPORTED_MEDIA_TYPE: 'Send the body as Content-Type: application/json.',
  TOO_MANY_ITEMS: 'Send at most 1,000 items a request; split the rest over further requests.',
  PAYLOAD_TOO_LARGE: 'Send a smaller body; split a large request into several.',
  INTERNAL: 'The request may not have been carried out; retry it (with the same Idempotency-Key for a start).',
} as const;
export type ApiCode = keyof typeof API_CODES;

export type ProblemStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

export class ApiProblem extends Error {
  override name = 'ApiProblem';
  constructor(
    readonly status: ProblemStatus,
    readonly code: ApiCode | RefusalCode,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    /** What to do, when the code's own hint is not specific enough (a limit that differs per route). */
    readonly hint?: string,
  ) {
    super(detail);
  }
}

/** "1 MiB", "84 MiB", or bytes when not a whole MiB. */
const sizeOf = (bytes: number): string => (bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes.toLocaleString('en-US')} bytes`);

/** 413 for a body over this route's limit, saying the limit (it is not the same on every route). */
export function payloadTooLarge(maxBytes: number): ApiProblem {
  return new ApiProblem(413, 'PAYLOAD_TOO_LARGE', `The body is larger than ${sizeOf(maxBytes)} (${maxBytes} bytes), this operation's limit. Nothing was changed.`, { maxBytes }, `Send a smaller body (at most ${sizeOf(maxBytes)} here); split a large request into several.`);
}

/** The HTTP status of a domain refusal: not found, a conflict with the state of things, not allowed, or bad input. */
export function statusOfRefusal(code: RefusalCode): ProblemStatus {
  switch (code) {
    case 'USER_NOT_FOUND':
    case 'BATCH_NOT_FOUND':
    case 'OFFBOARDING_NOT_FOUND':
    case 'ITEM_NOT_FOUND':
    case 'PROJECT_NOT_FOUND':
      return 404;
    case 'PERMISSION_DENIED':
    case 'REQUESTER_INACTIVE':
    case 'REQUESTER_IN_BATCH':
      return 403;
    case 'BATCH_ID_TAKEN':
    case 'BATCH_FINISHED':
    case 'ALREADY_IN_OFFBOARDING':
    case 'USER_ALREADY_ACTIVE':
    case 'USER_ALREADY_INACTIVE':
    case 'USER_ALREADY_INACTIVATED':
    case 'OFFBOARDING_NOT_WAITING':
    case 'ITEM_NOT_PENDING':
    case 'ITEM_NOT_OPEN':
    case 'ITEM_NOT_HELD_BY_USER':
    case 'OPEN_ITEMS_REMAIN':
      return 409;
    default:
      return 422;
  }
}

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The problem for any error: an ApiProblem as it is, a refusal by its code, anything else a 500 that says nothing inside. */
export function problemOf(e: unknown): ApiProblem {
  if (e instanceof ApiProblem) return e;
  const r = refusalOf(e);
  if (r) return new ApiProblem(statusOfRefusal(r.code), r.code, r.message, r.details.length > 0 ? { details: r.details[0] } : {});
  return new ApiProblem(500, 'INTERNAL', 'The request could not be completed.');
}

export function problemResponse(c: Context, p: ApiProblem): Response {
  const hint = p.hint ?? (p.code in API_CODES ? API_CODES[p.code as ApiCode] : webHint(p.code as RefusalCode));
  const body = {
    type: `about:blank`,
    title: TITLES[p.status] ?? 'Error',
    status: p.status,
    detail: p.detail,
    instance: c.req.path,
    code: p.code,
    hint,
    ...p.extra,
  };
  if (p.status === 401) c.header('WWW-Authenticate', 'Bearer realm="api"');
  // The rest of a body over the limit is never read: the connection cannot carry another request, and
  // a client that pooled it would send its next one into a closed socket.
  if (p.status === 413) c.header('Connection', 'close');
  return c.body(JSON.stringify(body), p.status, { 'Content-Type': PROBLEM_CONTENT_TYPE });
}
