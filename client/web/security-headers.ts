// Headers on every response: a Content-Security-Policy that allows only this origin's own files (no
// inline script or style, no framing), no referrer beyond this origin, no MIME sniffing, and no
// caching of pages (they show people's names and are per person).
import type { MiddlewareHandler } from 'hono';
import { API_DOCS_PATH } from './api/docs';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // Pico draws its select arrows and checkmarks as data: SVG images.
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

export function securityHeaders(https: boolean): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    // The API's reference page alone sets its own, to load its renderer from a CDN (api/docs.ts says why that is safe).
    if (c.req.path !== API_DOCS_PATH || !h.has('Content-Security-Policy')) h.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    h.set('X-Frame-Options', 'DENY');
    h.set('Referrer-Policy', 'same-origin');
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    if (https) h.set('Strict-Transport-Security', 'max-age=31536000');
    if (!c.req.path.startsWith('/static/')) h.set('Cache-Control', 'no-store');
  };
}
