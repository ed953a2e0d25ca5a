// HR's pages (everything under /hr) are for active company directory admins signed in as
// themselves. Anyone else gets a page that says so, with 403 on every GET and every POST, so a
// crafted form fails here before it reaches an operation (which checks again, against the database).
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context';
import { signInPath } from './sign-in-path';

export type HrRefusal = { status: 403; why: string };

/** Why this request may not use HR's pages, or null when it may. */
export function hrRefusal(viewer: AppEnv['Variables']['viewer'], session: AppEnv['Variables']['session']): HrRefusal | null {
  if (!viewer) return null; // handled by the redirect to sign in
  if (session?.scopeUserId != null) {
    return { status: 403, why: 'You signed in from a link about one person. Sign out and sign in with your email to use HR’s pages.' };
  }
  if (session?.batchId != null) {
    return { status: 403, why: 'You signed in from a link about one batch of offboardings. Sign out and sign in with your email to use HR’s pages.' };
  }
  if (!viewer.isAdmin) return { status: 403, why: 'Only company directory admins can offboard people, see batches, inactive users, the Assignment Report and connections.' };
  return null;
}

export function hrGate(render: (c: Parameters<MiddlewareHandler<AppEnv>>[0], refusal: HrRefusal) => Response | Promise<Response>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const viewer = c.get('viewer');
    if (!viewer) {
      // A GET (or HEAD: a mail scanner checking an email's link) comes back after sign-in; a POST
      // without a session changes nothing.
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect(signInPath(c), 303);
      return c.text('Sign in first.', 403);
    }
    const refusal = hrRefusal(viewer, c.get('session'));
    if (refusal) return render(c, refusal);
    await next();
  };
}
