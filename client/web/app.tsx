// The web app: security headers on everything, who is there (identity.ts), then for a POST the
// checks that need no body (Origin, session, HR's admin gate) before its body is read within the
// route's limits (form-gate.ts) and its CSRF token checked, then the pages. Server-rendered: every page and action works with
// JavaScript off.
import { Hono } from 'hono';
import { refuseControlCharacters } from './address-characters';
import type { AppEnv, Viewer, WebDeps } from './context';
import { csrfTokenValid, CSRF_FIELD, sameOrigin } from './csrf';
import { formLimitFor, isAnonymousPost, readForm } from './form-gate';
import { hrGate } from './hr-gate';
import { identity } from './identity';
import { actionLinkRoutes } from './routes/action-link';
import { teamLinkRoutes } from './routes/team-link';
import { codecRoutes } from './routes/codec';
import { scimRoutes } from './scim/routes';
import { API_BASE_PATH, apiRoutes } from './api/routes';
import { apiDocsRoutes } from './api/docs';
import { hrBatchRoutes } from './routes/hr-batch';
import { hrBatchesRoutes } from './routes/hr-batches';
import { hrConnectionsRoutes } from './routes/hr-connections';
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

function FormRefused(props: { viewer: Viewer | null; csrfToken: string }) {
  return (
    <Stop title="This form could not be accepted" viewer={props.viewer} csrfToken={props.csrfToken}>
      <p>It did not come from this site’s own page, or the page was open from an earlier sign-in. Nothing was changed.</p>
      <p>
        <a href="/people">Open the page again</a> and repeat what you did.
      </p>
    </Stop>
  );
}

export function createWebApp(deps: WebDeps): Hono<AppEnv> {
  const secure = deps.settings.publicUrl.startsWith('https://');
  const app = new Hono<AppEnv>();
  app.use(securityHeaders(secure));
  // SCIM (scim/routes.ts) answers in its own error format and judges its own input; a bearer token,
  // not a browser: none of the checks below (Origin, session, CSRF) apply to it.
  scimRoutes(app, deps);
  // The JSON API (api/routes.ts) likewise: a bearer token, problem+json errors, its own body checks.
  apiRoutes(app, deps);
  apiDocsRoutes(app, `${API_BASE_PATH}/openapi.json`);
  app.use(refuseControlCharacters());
  staticRoutes(app);
  app.get('/healthz', (c) => c.text('ok'));
  // Before the POST checks below: the Web UI posts JSON from its own origin (codec.ts checks it).
  codecRoutes(app, deps, secure);
  // POSTs are judged before their bodies are read (form-gate.ts): Origin first, from the headers alone.
  app.use(async (c, next) => {
    if (c.req.method !== 'POST' || sameOrigin(c, deps.settings.publicUrl)) return next();
    deps.log('warn', 'POST refused: Origin check failed', { path: c.req.path, origin: c.req.header('origin') ?? null });
    c.header('Connection', 'close');
    return c.html(<FormRefused viewer={null} csrfToken="" />, 403);
  });
  app.use(identity(deps, secure));
  // Then the session, where one is needed: nobody signed out posts a form of a signed-in page.
  app.use(async (c, next) => {
    if (c.req.method !== 'POST' || c.get('viewer') || isAnonymousPost(c.req.path)) return next();
    c.header('Connection', 'close');
    return c.text('Sign in first. Nothing was changed.', 403);
  });
  // HR's pages: company admins only, checked before any of their handlers run (and, for a POST,
  // before its body is read).
  app.use(
    '/hr/*',
    hrGate((c, refusal) => {
      if (c.req.method === 'POST') c.header('Connection', 'close');
      return c.html(
        <Stop title="Only for company directory admins" viewer={c.get('viewer')} csrfToken={c.get('csrfToken')}>
          <p>{refusal.why}</p>
          <p>
            <a href="/people">People being offboarded</a>
          </p>
        </Stop>,
        refusal.status,
      );
    }),
  );
  // Then the body, within the route's limits, and its CSRF token.
  app.use(async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const read = await readForm(c, formLimitFor(c));
    if (!read.ok) {
      deps.log('warn', `POST refused: ${read.why}`, { path: c.req.path });
      // What was not read is not read later either: the connection ends with the answer.
      if (!read.bodyRead) c.header('Connection', 'close');
      return c.text(`${read.why} Nothing was changed.`, read.status);
    }
    if (!csrfTokenValid(c, deps.keys, c.get('session'), secure, read.form.get(CSRF_FIELD) ?? undefined)) {
      deps.log('warn', 'POST refused: CSRF token check failed', { path: c.req.path });
      return c.html(<FormRefused viewer={c.get('viewer')} csrfToken={c.get('csrfToken')} />, 403);
    }
    // The handlers parse the form again from the bytes already read.
    c.req.raw = new Request(c.req.raw, { body: read.raw });
    return next();
  });
  app.get('/', (c) => c.redirect(c.get('viewer') ? '/people' : '/signin', 303));
  signInRoutes(app, deps, secure);
  actionLinkRoutes(app, deps, secure);
  teamLinkRoutes(app, deps, secure);
  peopleListRoutes(app, deps);
  personRoutes(app, deps);
  hrDirectoryRoutes(app, deps);
  hrReviewRoutes(app, deps);
  hrBatchesRoutes(app, deps);
  hrBatchRoutes(app, deps);
  hrInactiveRoutes(app, deps);
  hrReportRoutes(app, deps);
  hrConnectionsRoutes(app, deps);
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
