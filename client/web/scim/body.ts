// A SCIM request's body: read only after the token and the rate limit passed, at most MAX_BODY_BYTES
// (a user is a few hundred bytes; Entra's largest PATCH a few kilobytes), JSON, and an object.
import { badRequest, ScimError } from './errors';
import { readLimited } from '../limited-body';

export const MAX_BODY_BYTES = 64 * 1024;

/** The body as a JSON object, or a ScimError (413, 415, 400 invalidSyntax). */
export async function readJsonObject(req: Request): Promise<Record<string, unknown>> {
  const type = req.headers.get('content-type') ?? '';
  // RFC 7644 §3.1: application/scim+json; plain application/json is what many clients send.
  if (!/^application\/(scim\+)?json\b/i.test(type)) throw new ScimError(415, 'Send the body as application/scim+json (or application/json).');
  const text = await readLimited(req, MAX_BODY_BYTES);
  if (text === undefined) throw new ScimError(413, `The body is larger than ${MAX_BODY_BYTES / 1024} KiB: send one resource or one PATCH at a time.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('invalidSyntax', 'The body is not JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('invalidSyntax', 'The body is not a JSON object.');
  return parsed as Record<string, unknown>;
}
