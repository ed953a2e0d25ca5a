// Inactive users (HR): who was inactivated, when, by whom, why and from which batch, a page at a time
// (newest first), each with a Reactivate form whose reason is required. The POST starts the
// reactivation workflow through the operation the CLI uses (client/operations/reactivation.ts; its
// activity checks the actor against the database again) and answers with a 303 back to the same page
// and a banner. The gate in app.tsx has already refused anyone but a company admin.
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { countInactiveUsers, type InactiveUser, inactiveUsers, usersByIds } from '../../../domain/directory';
import { reactivatedAtFor } from '../../../domain/user-status';
import { MAX_REASON_LENGTH, REASON_RULE, type RefusalCode, textProblem } from '../../../workflows/contract';
import { reactivateUser } from '../../operations';
import type { AppEnv, Flash, WebDeps } from '../context';
import { outcomeOf } from '../manager-actions';
import { setFlash, takeFlash } from '../sessions';
import { formNonceFits, FORM_USED_FLASH } from '../form-uses';
import { Csrf, Layout } from '../views/layout';
import { plural, when } from '../words';
import { webHint } from '../refusal-hints';
import { idField } from '../../id-field';

export const INACTIVE_PAGE_SIZE = 50;

const pageParam = z.coerce.number().int().min(1).max(1_000_000).catch(1);
const requestIdField = z.string().uuid();

const refused = (code: RefusalCode | 'UNAVAILABLE', message: string): Flash => ({
  kind: 'error',
  text: `${message} ${webHint(code, 'reactivation')}`,
  code,
});

function InactiveRow(props: { user: InactiveUser; page: number; csrf: string }) {
  const { user, page, csrf } = props;
  return (
    <tr id={`user-${user.id}`}>
      <td>
        <strong>{user.name}</strong>
        <br />
        <small class="muted">
          {user.email ?? 'no email'}
          <br />
          {user.company}
        </small>
      </td>
      <td data-label="Inactivated">
        {when(user.inactivatedAt)}
        <br />
        <small class="by">by {user.inactivatedBy?.name ?? 'nobody recorded'}</small>
      </td>
      <td data-label="Why">{user.reason ?? <span class="muted">no reason recorded</span>}</td>
      <td data-label="Batch" class="batch">
        {user.batchId ? <a href={`/hr/batches/${encodeURIComponent(user.batchId)}`}>{user.batchId}</a> : <span class="muted">none</span>}
      </td>
      <td>
        <form method="post" action={`/hr/inactive/${user.id}/reactivate`} class="reactivate">
          <Csrf token={csrf} />
          <input type="hidden" name="requestId" value={randomUUID()} />
          <input type="hidden" name="page" value={String(page)} />
          {/* A visible label; the person's name completes it for screen readers (one form per row). */}
          <label for={`reason-${user.id}`}>
            Reason to reactivate<span class="visually-hidden"> {user.name}</span>
          </label>
          <input type="text" id={`reason-${user.id}`} name="reason" required maxlength={MAX_REASON_LENGTH} placeholder="Contract renewed" />
          <button type="submit" class="secondary" aria-label={`Reactivate ${user.name}`}>
            Reactivate
          </button>
        </form>
      </td>
    </tr>
  );
}

export function hrInactiveRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { db } = deps;

  app.get('/hr/inactive', async (c) => {
    const viewer = c.get('viewer');
    const session = c.get('session');
    const total = await countInactiveUsers(db);
    const pages = Math.max(1, Math.ceil(total / INACTIVE_PAGE_SIZE));
    const page = Math.min(pageParam.parse(c.req.query('page')), pages);
    const rows = await inactiveUsers(db, { limit: INACTIVE_PAGE_SIZE, offset: (page - 1) * INACTIVE_PAGE_SIZE });
    const flash = session ? await takeFlash(db, session) : null;
    const csrf = c.get('csrfToken');
    return c.html(
      <Layout title="Inactive users" viewer={viewer} csrfToken={csrf} flash={flash}>
        <h1>Inactive users</h1>
        <p>
          {total === 0
            ? 'Nobody is inactive: everyone in the directory can be chosen as an assignee.'
            : `${plural(total, 'person', 'people')} inactive, newest first. They cannot be chosen as assignees until reactivated; their history is kept.`}
        </p>
        {total === 0 ? null : (
          <div class="overflow-auto">
            <table class="people inactive">
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Inactivated</th>
                  <th scope="col">Why</th>
                  <th scope="col">Batch</th>
                  <th scope="col">Reactivate</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((u) => (
                  <InactiveRow user={u} page={page} csrf={csrf} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pages > 1 ? (
          <nav class="pager" aria-label="Pages">
            {page > 1 ? <a href={`/hr/inactive?page=${page - 1}`}>Previous</a> : null}
            <span>
              Page {page} of {pages}
            </span>
            {page < pages ? <a href={`/hr/inactive?page=${page + 1}`}>Next</a> : null}
          </nav>
        ) : null}
      </Layout>,
    );
  });

  app.post('/hr/inactive/:userId/reactivate', async (c: Context<AppEnv>) => {
    const viewer = c.get('viewer');
    const session = c.get('session');
    if (!viewer || !session) return c.redirect('/signin', 303);
    const body = await c.req.parseBody();
    const page = pageParam.parse(body.page);
    const say = async (flash: Flash) => {
      await setFlash(db, session.idHash, flash);
      return c.redirect(`/hr/inactive?page=${page}`, 303);
    };
    const id = idField.safeParse(c.req.param('userId'));
    const [user] = id.success ? await usersByIds(db, [id.data]) : [];
    if (!user) return say(refused('USER_NOT_FOUND', `There is no user “${(c.req.param('userId') ?? '').slice(0, 20)}” to reactivate.`));
    const requestId = requestIdField.safeParse(body.requestId);
    if (!requestId.success) return say(refused('INVALID_INPUT', 'The form was incomplete.'));
    const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
    if (reason === '') return say(refused('INVALID_INPUT', `Give a reason for reactivating ${user.name}.`));
    const problem = textProblem(reason, REASON_RULE);
    if (problem) return say(refused('INVALID_INPUT', problem.message));
    // The nonce of the form, prefixed like the manager's actions: a double submit reactivates once,
    // and the second answer is the first one's (not "already active"), read from the audit log.
    const nonce = `web:${viewer.id}:${requestId.data}`;
    if (!(await formNonceFits(db, viewer.id, requestId.data, { kind: 'reactivate', userId: user.id }))) return say(FORM_USED_FLASH);
    const reactivated = (at: string) => say({ kind: 'ok', text: `${user.name} is active again (reactivated ${when(at)}); they can be chosen as an assignee again.` });
    if (user.status === 'active') {
      const at = await reactivatedAtFor(db, nonce, user.id);
      if (at !== undefined) return reactivated(at);
    }
    const outcome = await outcomeOf(() => reactivateUser(deps.operations, viewer.id, user, reason, { requestId: nonce }));
    if (!outcome.ok) return say(refused(outcome.code, outcome.message));
    return reactivated(outcome.value.reactivatedAt);
  });
}
