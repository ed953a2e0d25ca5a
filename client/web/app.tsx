// The web app: security headers on everything, who is there (identity.ts), a CSRF and Origin check
// before any POST handler runs, then the pages. Server-rendered: every page and action works with
// JavaScript off.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv, WebDeps } from './context';
import { csrfTokenValid, CSRF_FIELD, sameOrigin } from './csrf';
import { hrGate } from './hr-gate';
import { identity } from './identity';
import { actionLinkRoutes } from './routes/action-link';
import { codecRoutes } from './routes/codec';
import { hrBatchRoutes } from './routes/hr-batch';
import { hrBatchesRoutes } from './routes/hr-batches';
import { hrDirectoryRoutes } from './routes/hr-directory';
import { hrReviewRoutes } from './routes/hr-review';
import { hrInactiveRoutes } from './routes/hr-inactive';
import { hrReportRoutes } from './routes/hr-report';
import { peopleListRoutes } from './routes/people-list';
import { personRoutes } from './routes/person';
import { signInRoutes } from './routes/sign-in';
import { securityHeaders } from './security-headers';
import { staticRoutes } from './static-files';
import { Stop } from './views/layout';

export function createWebApp(deps: WebDeps): Hono<AppEnv> {
  const secure = deps.settings.publicUrl.startsWith('https://');
  const app = new Hono<AppEnv>();
  app.use(securityHeaders(secure));
  staticRoutes(app);
  app.get('/healthz', (c) => c.text('ok'));
  // Before the form body limit and the CSRF check: the Web UI posts JSON from its own origin (codec.ts checks).
  codecRoutes(app, deps, secure);
  // HR's directory and review forms carry the people chosen (up to a batch of 10,000 IDs).
  const formLimit = bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('The form is too large.', 413) });
  const selectionLimit = bodyLimit({ maxSize: 512 * 1024, onError: (c) => c.text('The form is too large.', 413) });
  app.use((c, next) => (c.req.path === '/hr/directory' || c.req.path === '/hr/review' ? selectionLimit : formLimit)(c, next));
  app.use(identity(deps, secure));
  app.use(async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const body = await c.req.parseBody();
    if (!sameOrigin(c, deps.settings.publicUrl) || !csrfTokenValid(c, deps.keys, c.get('session'), secure, body[CSRF_FIELD])) {
      deps.log('warn', 'POST refused: CSRF token or Origin check failed', { path: c.req.path, origin: c.req.header('origin') ?? null });
      return c.html(
        <Stop title="This form could not be accepted" viewer={c.get('viewer')} csrfToken={c.get('csrfToken')}>
          <p>It did not come from this site’s own page, or the page was open from an earlier sign-in. Nothing was changed.</p>
          <p>
            <a href="/people">Open the page again</a> and repeat what you did.
          </p>
        </Stop>,
        403,
      );
    }
    return next();
  });
  app.get('/', (c) => c.redirect(c.get('viewer') ? '/people' : '/signin', 303));
  signInRoutes(app, deps, secure);
  actionLinkRoutes(app, deps, secure);
  peopleListRoutes(app, deps);
  personRoutes(app, deps);
  // HR's pages: company admins only, checked before any of their handlers run.
  app.use(
    '/hr/*',
    hrGate((c, refusal) =>
      c.html(
        <Stop title="Only for company directory admins" viewer={c.get('viewer')} csrfToken={c.get('csrfToken')}>
          <p>{refusal.why}</p>
          <p>
            <a href="/people">People being offboarded</a>
          </p>
        </Stop>,
        refusal.status,
      ),
    ),
  );
  hrDirectoryRoutes(app, deps);
  hrReviewRoutes(app, deps);
  hrBatchesRoutes(app, deps);
  hrBatchRoutes(app, deps);
  hrInactiveRoutes(app, deps);
  hrReportRoutes(app, deps);
  app.notFound((c) =>
    c.html(
      <Stop title="Page not found" viewer={c.get('viewer') ?? null} csrfToken={c.get('csrfToken') ?? ''}>
        <p>
          <a href="/">Start page</a>
        </p>
      </Stop>,
      404,
    ),
  );
  app.onError((e, c) => {
    deps.log('error', `web request failed: ${e.message}`, { path: c.req.path, stack: e.stack });
    return c.html(
      <Stop title="Something went wrong" viewer={null} csrfToken="">
        <p>The request could not be completed; it may not have been carried out. Try again in a minute.</p>
      </Stop>,
      500,
    );
  });
  return app;
}
