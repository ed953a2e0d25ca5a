// The frame of every page: Pico CSS and the app's own small style sheet and script, all served by
// this app (the CSP allows nothing else), the signed-in person and "Sign out".
import type { Child } from 'hono/jsx';
import type { Flash, Viewer } from '../context';
import { CSRF_FIELD } from '../csrf';

/** HR's pages, in the menu of company admins (client/web/hr-gate.ts guards them). */
export const HR_PAGES = [
  { href: '/hr/directory', label: 'Directory' },
  { href: '/hr/batches', label: 'Batches' },
  { href: '/hr/inactive', label: 'Inactive users' },
  { href: '/hr/report', label: 'Assignment Report' },
  { href: '/hr/connections', label: 'Connections' },
] as const;

export function Layout(props: { title: string; viewer: Viewer | null; csrfToken: string; children?: Child; flash?: Flash | null }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Offboarding`}</title>
        <link rel="stylesheet" href="/static/pico.min.css" />
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/app.js" defer></script>
      </head>
      <body>
        <header class="container">
          <nav aria-label="Main">
            <ul>
              <li>
                <a href="/people" class="brand">
                  <strong>Offboarding</strong>
                </a>
              </li>
              {props.viewer ? (
                <li>
                  <a href="/people">People leaving</a>
                </li>
              ) : null}
              {props.viewer?.isAdmin
                ? HR_PAGES.map((p) => (
                    <li>
                      <a href={p.href}>{p.label}</a>
                    </li>
                  ))
                : null}
            </ul>
            {props.viewer ? (
              <ul>
                <li class="who">{props.viewer.name}</li>
                <li>
                  <form method="post" action="/signout" class="inline">
                    <input type="hidden" name={CSRF_FIELD} value={props.csrfToken} />
                    <button type="submit" class="secondary outline">
                      Sign out
                    </button>
                  </form>
                </li>
              </ul>
            ) : null}
          </nav>
        </header>
        <main class="container">
          {props.flash ? <Banner flash={props.flash} /> : null}
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** The answer to the last action: green, or red with the refusal's words and code. Focused by app.js. */
export function Banner(props: { flash: Flash }) {
  const { flash } = props;
  return (
    <div id="banner" class={`banner ${flash.kind}`} role={flash.kind === 'ok' ? 'status' : 'alert'} tabindex={-1}>
      {flash.kind === 'ok' ? '✔ ' : '✖ '}
      {flash.text}
      {flash.code ? <span class="code"> ({flash.code})</span> : null}
    </div>
  );
}

/** The hidden field every form carries. */
export const Csrf = (props: { token: string }) => <input type="hidden" name={CSRF_FIELD} value={props.token} />;

/** A page that stops here and says what to do next. */
export function Stop(props: { title: string; viewer: Viewer | null; csrfToken: string; children?: Child }) {
  return (
    <Layout title={props.title} viewer={props.viewer} csrfToken={props.csrfToken}>
      <article>
        <h1>{props.title}</h1>
        {props.children}
      </article>
    </Layout>
  );
}
