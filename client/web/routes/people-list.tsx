// "People leaving your team": the viewer's reports being offboarded (every one for an admin), from
// the database (reads/offboardings-list.ts). Running ones first; ended ones on their own tab. A session
// from a digest's team link sees that batch's people only, and the page says which batch.
import type { Hono } from 'hono';
import { signInPath } from '../sign-in-path';
import type { AppEnv, WebDeps } from '../context';
import { listOffboardings, type OffboardingListRow } from '../../../domain/offboardings-list';
import { Layout } from '../views/layout';
import { plural, stageWords, waited, when } from '../words';

function stageOf(row: OffboardingListRow): string {
  if (row.endedAt === null) return stageWords('awaiting-reassignment', row.itemsLeft, row.managerName);
  if (row.outcome === 'inactivated') return `Inactivated on ${when(row.inactivatedAt ?? row.endedAt)}`;
  return `${stageWords(row.outcome ?? 'ended', null, null)} on ${when(row.endedAt)}`;
}

export function peopleListRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/people', async (c) => {
    const viewer = c.get('viewer');
    if (!viewer) return c.redirect(signInPath(c), 303);
    const ended = c.req.query('show') === 'ended';
    const pageParam = Number(c.req.query('page') ?? '1');
    const page = Number.isSafeInteger(pageParam) && pageParam > 0 ? Math.min(pageParam, 100_000) : 1;
    const session = c.get('session');
    const batchId = session?.batchId ?? null;
    const list = await listOffboardings(deps.db, viewer, { ended, page, scopeUserId: session?.scopeUserId ?? null, batchId });
    const now = new Date();
    const title = viewer.isAdmin ? 'People being offboarded' : 'People leaving your team';
    const base = ended ? '/people?show=ended&' : '/people?';
    return c.html(
      <Layout title={title} viewer={viewer} csrfToken={c.get('csrfToken')}>
        <h1>{title}</h1>
        {batchId ? (
          <p class="muted">
            From the link in your email about batch {batchId}: its people you may act on. Sign in with your email to see everyone else.
          </p>
        ) : null}
        <p>
          {ended ? (
            <>
              Finished offboardings. <a href="/people">Show the ones in progress</a>
            </>
          ) : (
            <>
              {list.total === 0 ? '' : `${plural(list.total, 'offboarding')} in progress. `}
              <a href="/people?show=ended">Show finished ones</a>
            </>
          )}
        </p>
        {list.total === 0 ? (
          <p class="muted">
            {ended
              ? 'No offboarding you can see has finished yet.'
              : viewer.isAdmin
                ? 'Nobody is being offboarded right now.'
                : 'Nobody on your team is being offboarded.'}
          </p>
        ) : (
          <div class="overflow-auto">
            <table class="people">
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Where it is</th>
                  <th scope="col">Items left</th>
                  <th scope="col">Waiting since</th>
                  <th scope="col">Reminders</th>
                  <th scope="col">Requested by</th>
                </tr>
              </thead>
              <tbody>
                {list.rows.map((row) => (
                  <tr>
                    <td>
                      <a href={`/people/${row.userId}`}>{row.name}</a>
                      <br />
                      <small class="muted">{row.company}</small>
                    </td>
                    <td data-label="Where it is">{stageOf(row)}</td>
                    <td data-label="Items left">{row.itemsLeft === null ? '—' : row.itemsLeft}</td>
                    <td data-label="Waiting since">
                      {row.waitingSince ? (
                        <>
                          {when(row.waitingSince)}
                          <br />
                          <small class="muted">{waited(row.waitingSince, now)}</small>
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td data-label="Reminders">
                      {row.reminders}
                      {row.escalated ? <strong> · escalated</strong> : null}
                    </td>
                    <td data-label="Requested by">{row.requesterName}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {list.pages > 1 ? (
          <nav class="pager" aria-label="Pages">
            {list.page > 1 ? <a href={`${base}page=${list.page - 1}`}>Previous</a> : null}
            <span>
              Page {list.page} of {list.pages}
            </span>
            {list.page < list.pages ? <a href={`${base}page=${list.page + 1}`}>Next</a> : null}
          </nav>
        ) : null}
      </Layout>,
    );
  });
}
