// Batches: the ones still running, then the finished ones — who started each, when, and how many of
// its people are running or ended which way (domain/batches.ts, from the claims in PostgreSQL: no
// Temporal call per row). Each links to its batch page.
import type { Hono } from 'hono';
import { type BatchListing, listBatches } from '../../../domain/batches';
import type { AppEnv, WebDeps } from '../context';
import { takeFlash } from '../sessions';
import { Layout } from '../views/layout';
import { when } from '../words';

function BatchTable(props: { rows: BatchListing[]; caption: string; finished: boolean }) {
  return (
    <div class="overflow-auto">
      <table class="batches striped">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Batch</th>
            <th scope="col">Started by</th>
            <th scope="col">Started</th>
            <th scope="col" class="num">
              People
            </th>
            <th scope="col" class="num">
              Running
            </th>
            <th scope="col" class="num">
              Inactivated
            </th>
            <th scope="col" class="num">
              Removed
            </th>
            <th scope="col" class="num">
              Cancelled
            </th>
            <th scope="col" class="num">
              Failed
            </th>
            {props.finished ? <th scope="col">Finished</th> : null}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((b) => (
            <tr>
              <th scope="row">
                <a href={`/hr/batches/${encodeURIComponent(b.batchId)}`}>{b.batchId}</a>
              </th>
              <td data-label="Started by">{b.requestedBy.name}</td>
              <td data-label="Started">{when(b.startedAt)}</td>
              <td class="num" data-label="People">
                {b.users}
              </td>
              <td class="num" data-label="Running">
                {b.running}
              </td>
              <td class="num" data-label="Inactivated">
                {b.inactivated}
              </td>
              <td class="num" data-label="Removed">
                {b.removed}
              </td>
              <td class="num" data-label="Cancelled">
                {b.cancelled}
              </td>
              <td class="num" data-label="Failed">
                {b.failed}
              </td>
              {props.finished ? <td data-label="Finished">{when(b.endedAt)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function hrBatchesRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  app.get('/hr/batches', async (c) => {
    const all = await listBatches(deps.db, { limit: 200 });
    const running = all.filter((b) => b.endedAt === null);
    const finished = all.filter((b) => b.endedAt !== null);
    const session = c.get('session');
    const flash = session ? await takeFlash(deps.db, session) : null;
    return c.html(
      <Layout title="Batches" viewer={c.get('viewer')} csrfToken={c.get('csrfToken')} flash={flash}>
        <h1>Batches</h1>
        <p>
          <a href="/hr/directory">Offboard people from the directory</a>
        </p>
        <section aria-labelledby="running">
          <h2 id="running">Running ({running.length})</h2>
          {running.length === 0 ? (
            <p class="muted">No batch is running. Start one from the directory.</p>
          ) : (
            <BatchTable rows={running} caption="Running batches" finished={false} />
          )}
        </section>
        <section aria-labelledby="finished">
          <h2 id="finished">Finished ({finished.length})</h2>
          {finished.length === 0 ? (
            <p class="muted">No batch has finished yet.</p>
          ) : (
            <BatchTable rows={finished} caption="Finished batches" finished={true} />
          )}
        </section>
        {all.length === 200 ? <p class="muted">The 200 newest batches are shown.</p> : null}
      </Layout>,
    );
  });
}
