// A SCIM client for tests: what an identity provider sends to /scim/v2 with a connection's bearer
// token, and the answer parsed (status, content type, JSON).
export type ScimAnswer = { status: number; type: string; headers: Headers; body: Record<string, unknown> };

export function scimClient(webUrl: string, token: string | undefined) {
  const base = `${webUrl}/scim/v2`;
  return async function scim(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimAnswer> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      parsed = { unparsed: text };
    }
    return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, body: parsed };
  };
}

export const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const OFFBOARDING_EXT = 'urn:offboarding-worker:params:scim:schemas:extension:offboarding:2.0:User';
export const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
