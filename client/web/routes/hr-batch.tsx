// One batch as HR follows it: counts by stage, then its people a page at a time (100 a page, so a
// batch of 10,000 is 100 pages; the batch workflow's status query answers one page), each with the
// stage in words, open items, waiting since, reminders, escalated and result; ✕ (with a confirmation
// page) takes someone out until they are inactivated; "Cancel the batch…" (confirmation) ends the
// rest. The page refreshes itself with JavaScript (public/app.js polls it), and has a Refresh link
// without. The live parts come from the workflow; names, managers and escalations from PostgreSQL.
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { batchPeople, type BatchPerson, batchStartedAt } from '../../../domain/batches';
import { userNames } from '../../../domain/user-names';
import { batchStatusPage, cancelBatch, removeFromBatch } from '../../operations';
import {
  BATCH_ID_PATTERN,
  type BatchStatus,
  type BatchUserRow,
  FINAL_STAGES,
  type RefusalCode,
  searchAttributes,
  type UserStage,
} from '../../../workflows/contract';
import type { AppEnv, Flash, WebDeps } from '../context';
import { outcomeOf } from '../manager-actions';
import { setFlash, takeFlash } from '../sessions';
import { formNonceFits, FORM_USED_FLASH } from '../form-uses';
import { REJECTION_WORDS, webHint } from '../refusal-hints';
import { Csrf, Layout, Stop } from '../views/layout';
import { plural, stageWords, waited, when } from '../words';
import { idField } from '../../id-field';

export const BATCH_PAGE_SIZE = 100;
const requestIdField = z.string().uuid();

/** Stages in the order a person goes through them, with what the counts say. */
const STAGE_COUNTS: [UserStage | 'queued', string][] = [
  ['queued', 'queued'],
  ['validating', 'starting'],
  ['awaiting-reassignment', 'waiting for managers'],
  ['waiting-effective-date', 'waiting for the effective date'],
  ['inactivating', 'being inactivated'],
  ['inactivated', 'inactivated'],
  ['removed', 'removed'],
  ['cancelled', 'cancelled'],
  ['failed', 'failed'],
];

const refusalFlash = (code: RefusalCode | 'UNAVAILABLE', message: string): Flash => ({
  kind: 'error',
  text: `${message} ${webHint(code, 'batch')}`,
  code,
});

/** Whether the ✕ is still offered: until the person is being inactivated or has ended. */
const removable = (stage: BatchUserRow['stage']) => stage === 'queued' || (!FINAL_STAGES.includes(stage) && stage !== 'inactivating');

type Person = BatchPerson;

export function temporalUiLink(ui: { url: string; namespace: string } | undefined, batchId: string): string | null {
  if (!ui) return null;
  const query = `${searchAttributes.batchId.name}="${batchId}"`;
  return `${ui.url}/namespaces/${encodeURIComponent(ui.namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

function BatchBody(props: { status: BatchStatus; people: Map<number, Person>; page: number; pages: number; csrf: string; now: Date }) {
  const { status, people, page, pages, now } = props;
  const base = `/hr/batches/${encodeURIComponent(status.batchId)}`;
  const running = status.phase !== 'finished';
  return (
    <div id="batch-live" data-poll={running ? '5000' : undefined}>
      <p class="counts" aria-label="People by stage">
        {STAGE_COUNTS.filter(([stage]) => (status.counts[stage] ?? 0) > 0).map(([stage, words]) => (
          <span class={`count stage-${stage}`}>
            <strong>{status.counts[stage]}</strong> {words}
          </span>
        ))}
        {status.total === 0 ? <span class="muted">Nobody in this batch.</span> : null}
      </p>
      <p class="muted">
        {running ? 'In progress' : 'Finished'} · {plural(status.total, 'person', 'people')} · updated {when(now)} ·{' '}
        <a href={`${base}${page > 1 ? `?page=${page}` : ''}`} id="refresh">
          Refresh
        </a>
      </p>
      {status.users.length > 0 ? (
        <div class="overflow-auto">
          <table class="batch striped">
            <caption class="visually-hidden">People in this batch{pages > 1 ? `, page ${page} of ${pages}` : ''}</caption>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Stage</th>
                <th scope="col" class="num">
                  Open items
                </th>
                <th scope="col">Waiting since</th>
                <th scope="col" class="num">
                  Reminders
                </th>
                <th scope="col">Escalated</th>
                <th scope="col">Result</th>
                <th scope="col">
                  <span class="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {status.users.map((u) => {
                const p = people.get(u.userId);
                const name = p?.name ?? `User ${u.userId}`;
                return (
                  <tr>
                    <th scope="row">
                      <a href={`/people/${u.userId}`}>{name}</a>
                    </th>
                    <td data-label="Stage">{u.stage === 'queued' ? 'Queued: starts when earlier people are under way' : stageWords(u.stage, u.openItems, p?.managerName ?? null)}</td>
                    <td class="num" data-label="Open items">
                      {u.openItems}
                    </td>
                    <td data-label="Waiting since">
                      {u.waitingSince ? (
                        <>
                          {when(u.waitingSince)}
                          <br />
                          <small class="muted">{waited(u.waitingSince, now)}</small>
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td class="num" data-label="Reminders">
                      {u.remindersSent}
                    </td>
                    <td data-label="Escalated">{p?.escalated ? <strong>Yes</strong> : 'No'}</td>
                    <td data-label="Result">{u.result ?? '—'}</td>
                    <td>
                      {running && removable(u.stage) ? (
                        <a href={`${base}/remove/${u.userId}`} class="drop" aria-label={`Remove ${name} from this batch…`} title={`Remove ${name}…`}>
                          ✕
                        </a>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {pages > 1 ? (
        <nav class="pager" aria-label="Pages">
          {page > 1 ? <a href={`${base}?page=${page - 1}`}>Previous</a> : null}
          <span>
            Page {page} of {pages}
          </span>
          {page < pages ? <a href={`${base}?page=${page + 1}`}>Next</a> : null}
        </nav>
      ) : null}
    </div>
  );
}

export function hrBatchRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { db } = deps;

  const notFound = (c: Context<AppEnv>, what = 'No batch has this ID.') =>
    c.html(
      <Stop title="No such batch" viewer={c.get('viewer')} csrfToken={c.get('csrfToken')}>
        <p>{what} Nothing was changed.</p>
        <p>
          <a href="/hr/batches">All batches</a>
        </p>
      </Stop>,
      404,
    );

  const unavailable = (c: Context<AppEnv>, message: string) =>
    c.html(
      <Stop title="The batch cannot be shown right now" viewer={c.get('viewer')} csrfToken={c.get('csrfToken')}>
        <p>{message} Try again in a minute; if it keeps failing, tell an operator.</p>
      </Stop>,
      503,
    );

  const batchIdOf = (c: Context<AppEnv>) => {
    const id = c.req.param('batchId') ?? '';
    return BATCH_ID_PATTERN.test(id) ? id : null;
  };

  app.get('/hr/batches/:batchId', async (c) => {
    const batchId = batchIdOf(c);
    if (!batchId) return notFound(c);
    const pageParam = Number(c.req.query('page') ?? '1');
    let page = Number.isSafeInteger(pageParam) && pageParam > 0 ? Math.min(pageParam, 100_000) : 1;
    let got = await outcomeOf(() => batchStatusPage(deps.operations, batchId, (page - 1) * BATCH_PAGE_SIZE, BATCH_PAGE_SIZE));
    if (got.ok && got.value.users.length === 0 && got.value.total > 0) {
      // Past the last page (the batch shrank): the last page.
      page = Math.ceil(got.value.total / BATCH_PAGE_SIZE);
      got = await outcomeOf(() => batchStatusPage(deps.operations, batchId, (page - 1) * BATCH_PAGE_SIZE, BATCH_PAGE_SIZE));
    }
    if (!got.ok) return got.code === 'BATCH_NOT_FOUND' ? notFound(c) : unavailable(c, got.message);
    const status = got.value;
    const ids = [status.requestedBy, ...status.users.map((u) => u.userId), ...(page === 1 ? status.rejected.map((r) => r.userId) : [])];
    const [people, started] = await Promise.all([batchPeople(db, batchId, ids), batchStartedAt(db, batchId)]);
    const pages = Math.max(1, Math.ceil(status.total / BATCH_PAGE_SIZE));
    const session = c.get('session');
    const flash = session ? await takeFlash(db, session) : null;
    const ui = temporalUiLink(deps.settings.temporalUi, batchId);
    const base = `/hr/batches/${encodeURIComponent(batchId)}`;
    return c.html(
      <Layout title={`Batch ${batchId}`} viewer={c.get('viewer')} csrfToken={c.get('csrfToken')} flash={flash}>
        <hgroup>
          <h1>Batch {batchId}</h1>
          <p>
            Started by {people.get(status.requestedBy)?.name ?? `user ${status.requestedBy}`}
            {started ? `, ${when(started)}` : ''} · <a href="/hr/batches">All batches</a>
            {ui ? (
              <>
                {' '}
                · <a href={ui}>Open in the Temporal Web UI</a>
              </>
            ) : null}
          </p>
        </hgroup>
        <BatchBody status={status} people={people} page={page} pages={pages} csrf={c.get('csrfToken')} now={new Date()} />
        {page === 1 && status.rejected.length > 0 ? (
          <section aria-labelledby="skipped">
            <h2 id="skipped">Not included ({status.rejected.length})</h2>
            <ul>
              {status.rejected.map((r) => (
                <li>
                  <strong>{people.get(r.userId)?.name ?? `User ${r.userId}`}</strong> — {REJECTION_WORDS[r.code]}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {status.phase !== 'finished' ? (
          <p class="danger-zone">
            <a href={`${base}/cancel`} role="button" class="secondary outline">
              Cancel the batch…
            </a>
          </p>
        ) : null}
      </Layout>,
    );
  });

  /** The person's name for the confirmation, if they are in the directory. */
  const nameOf = async (userId: number): Promise<string | null> => (await userNames(db, [userId])).get(userId) ?? null;

  app.get('/hr/batches/:batchId/remove/:userId', async (c) => {
    const batchId = batchIdOf(c);
    const userId = idField.safeParse(c.req.param('userId'));
    const name = userId.success ? await nameOf(userId.data) : null;
    if (!batchId || !userId.success || name === null) return notFound(c, 'No such batch or person.');
    const base = `/hr/batches/${encodeURIComponent(batchId)}`;
    return c.html(
      <Layout title={`Remove ${name}?`} viewer={c.get('viewer')} csrfToken={c.get('csrfToken')}>
        <article class="narrow">
          <h1>Remove {name} from batch {batchId}?</h1>
          <p>
            Their offboarding stops: {name} stays active, and whatever is still open stays with them. Items already handed over stay with the
            new people. You can offboard them again later.
          </p>
          <form method="post" action={`${base}/remove`}>
            <Csrf token={c.get('csrfToken')} />
            <input type="hidden" name="userId" value={String(userId.data)} />
            <input type="hidden" name="requestId" value={randomUUID()} />
            <button type="submit" class="danger">
              Remove {name}
            </button>{' '}
            <a href={base}>Keep them in the batch</a>
          </form>
        </article>
      </Layout>,
    );
  });

  app.get('/hr/batches/:batchId/cancel', async (c) => {
    const batchId = batchIdOf(c);
    if (!batchId) return notFound(c);
    const base = `/hr/batches/${encodeURIComponent(batchId)}`;
    return c.html(
      <Layout title={`Cancel batch ${batchId}?`} viewer={c.get('viewer')} csrfToken={c.get('csrfToken')}>
        <article class="narrow">
          <h1>Cancel batch {batchId}?</h1>
          <p>
            Everyone in it who is not inactivated yet stays active, and their offboarding stops; what is still open stays with them. People
            already inactivated stay inactive (reactivate them from Inactive users).
          </p>
          <form method="post" action={`${base}/cancel`}>
            <Csrf token={c.get('csrfToken')} />
            <input type="hidden" name="requestId" value={randomUUID()} />
            <button type="submit" class="danger">
              Cancel the batch
            </button>{' '}
            <a href={base}>Keep it running</a>
          </form>
        </article>
      </Layout>,
    );
  });

  app.post('/hr/batches/:batchId/remove', async (c) => {
    const batchId = batchIdOf(c);
    if (!batchId) return notFound(c);
    const viewer = c.get('viewer')!;
    const session = c.get('session')!;
    const body = await c.req.parseBody();
    const userId = idField.safeParse(body.userId);
    const requestId = requestIdField.safeParse(body.requestId);
    const base = `/hr/batches/${encodeURIComponent(batchId)}`;
    const name = userId.success ? await nameOf(userId.data) : null;
    if (!userId.success || !requestId.success || name === null) {
      await setFlash(db, session.idHash, refusalFlash('INVALID_INPUT', 'The form was incomplete.'));
      return c.redirect(base, 303);
    }
    if (!(await formNonceFits(db, viewer.id, requestId.data, { kind: 'remove', batchId, userId: userId.data }))) {
      await setFlash(db, session.idHash, FORM_USED_FLASH);
      return c.redirect(base, 303);
    }
    const done = await outcomeOf(() =>
      removeFromBatch(deps.operations, viewer.id, batchId, { id: userId.data, name }, { requestId: `web:${viewer.id}:${requestId.data}` }),
    );
    if (!done.ok && done.code === 'BATCH_NOT_FOUND') return notFound(c);
    await setFlash(db, session.idHash, done.ok ? { kind: 'ok', text: `${name} was removed from the batch and stays active.` } : refusalFlash(done.code, done.message));
    return c.redirect(base, 303);
  });

  app.post('/hr/batches/:batchId/cancel', async (c) => {
    const batchId = batchIdOf(c);
    if (!batchId) return notFound(c);
    const viewer = c.get('viewer')!;
    const session = c.get('session')!;
    const body = await c.req.parseBody();
    const requestId = requestIdField.safeParse(body.requestId);
    const base = `/hr/batches/${encodeURIComponent(batchId)}`;
    if (!requestId.success) {
      await setFlash(db, session.idHash, refusalFlash('INVALID_INPUT', 'The form was incomplete.'));
      return c.redirect(base, 303);
    }
    if (!(await formNonceFits(db, viewer.id, requestId.data, { kind: 'cancel', batchId }))) {
      await setFlash(db, session.idHash, FORM_USED_FLASH);
      return c.redirect(base, 303);
    }
    const done = await outcomeOf(() => cancelBatch(deps.operations, viewer.id, batchId, { requestId: `web:${viewer.id}:${requestId.data}` }));
    if (!done.ok && done.code === 'BATCH_NOT_FOUND') return notFound(c);
    await setFlash(
      db,
      session.idHash,
      done.ok ? { kind: 'ok', text: `Batch ${batchId} was cancelled: everyone not inactivated yet stays active.` } : refusalFlash(done.code, done.message),
    );
    return c.redirect(base, 303);
  });
}
