// The style sheet and script the pages load, served by the app itself (the CSP allows only this
// origin): Pico CSS from its npm package, and client/web/public/. Read once at start-up.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { AppEnv } from './context';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The package's main entry is its default style sheet, css/pico.min.css. */
const picoCss = (): string => fs.readFileSync(require.resolve('@picocss/pico'), 'utf8');

export function staticRoutes(app: Hono<AppEnv>): void {
  // A Map, not an object: /static/constructor or /static/__proto__ must find nothing, not Object's own.
  const files = new Map<string, { body: string; type: string }>([
    ['pico.min.css', { body: picoCss(), type: 'text/css; charset=utf-8' }],
    ['app.css', { body: fs.readFileSync(path.join(here, 'public', 'app.css'), 'utf8'), type: 'text/css; charset=utf-8' }],
    ['app.js', { body: fs.readFileSync(path.join(here, 'public', 'app.js'), 'utf8'), type: 'text/javascript; charset=utf-8' }],
  ]);
  app.get('/static/:file', (c) => {
    const file = files.get(c.req.param('file'));
    if (!file) return c.notFound();
    return c.body(file.body, 200, { 'Content-Type': file.type, 'Cache-Control': 'public, max-age=3600' });
  });
}
