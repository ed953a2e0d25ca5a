// The API's reference page at /api/docs: Scalar's renderer (@scalar/hono-api-reference) reading
// /api/v1/openapi.json. It is the one page whose Content-Security-Policy is relaxed (security-headers.ts
// asks apiDocsPolicy): Scalar's script comes from its CDN and is started by an inline script, and it
// styles itself inline. Only the inline scripts this response carries are allowed, by their hashes
// (never 'unsafe-inline' for scripts); the page shows no person's data, takes no input, and sends no
// request except for the document, on this origin.
import { createHash } from 'node:crypto';
import { Scalar } from '@scalar/hono-api-reference';
import { Hono } from 'hono';
import type { AppEnv } from '../context';

export const API_DOCS_PATH = '/api/docs';
const SCALAR_CDN = 'https://cdn.jsdelivr.net';

/** The docs page's policy: the site's own, plus Scalar's CDN and the hashes of this page's inline scripts. */
export function apiDocsPolicy(html: string): string {
  const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1] ?? '').digest('base64')}'`,
  );
  return [
    "default-src 'self'",
    `script-src 'self' ${SCALAR_CDN} ${hashes.join(' ')}`.trim(),
    `style-src 'self' 'unsafe-inline' ${SCALAR_CDN}`,
    `font-src 'self' ${SCALAR_CDN} https://fonts.scalar.com`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** The page, drawn once by Scalar's own handler, with the policy for exactly its inline scripts. */
async function drawPage(documentUrl: string): Promise<{ html: string; policy: string }> {
  const renderer = new Hono().get('/', Scalar({ url: documentUrl, pageTitle: 'Offboarding API', cdn: `${SCALAR_CDN}/npm/@scalar/api-reference` }));
  const html = await (await renderer.request('/')).text();
  return { html, policy: apiDocsPolicy(html) };
}

export function apiDocsRoutes(app: Hono<AppEnv>, documentUrl: string): void {
  let page: Promise<{ html: string; policy: string }> | undefined;
  app.get(API_DOCS_PATH, async (c) => {
    page ??= drawPage(documentUrl);
    const { html, policy } = await page;
    // security-headers.ts keeps this page's own policy (and only this page's).
    c.header('Content-Security-Policy', policy);
    return c.html(html);
  });
}
