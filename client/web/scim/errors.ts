// SCIM's error message (RFC 7644 §3.12): every refusal of /scim/v2 is one of these, in
// application/scim+json, with the status and scimType the RFC gives for it and a detail a person can
// act on. Handlers throw a ScimError; routes.ts turns it into the response.
import type { Context } from 'hono';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_CONTENT_TYPE = 'application/scim+json';

export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export type ScimStatus = 400 | 401 | 403 | 404 | 405 | 409 | 412 | 413 | 415 | 429 | 500 | 501;

export class ScimError extends Error {
  override name = 'ScimError';
  constructor(
    readonly status: ScimStatus,
    readonly detail: string,
    readonly scimType?: ScimType,
  ) {
    super(detail);
  }
}

export const badRequest = (scimType: ScimType, detail: string) => new ScimError(400, detail, scimType);

/** A SCIM JSON body with the SCIM media type (RFC 7644 §3.1); `location` for a created resource. */
export function scimJson(c: Context, body: unknown, status: 200 | 201 = 200): Response {
  return c.body(JSON.stringify(body), status, { 'Content-Type': SCIM_CONTENT_TYPE });
}

export function scimErrorResponse(c: Context, e: ScimError): Response {
  const body = { schemas: [ERROR_SCHEMA], status: String(e.status), ...(e.scimType ? { scimType: e.scimType } : {}), detail: e.detail };
  if (e.status === 401) c.header('WWW-Authenticate', 'Bearer realm="scim"');
  return c.body(JSON.stringify(body), e.status, { 'Content-Type': SCIM_CONTENT_TYPE });
}
