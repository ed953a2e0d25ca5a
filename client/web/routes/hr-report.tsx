// The Assignment Report (HR): every open item by user, tool and project, filtered by user (ID or
// email), tool and project, a page at a time on screen; "Download CSV" gives the same rows
// (client/report-csv.ts, shared with the CLI's `report --csv`), read from the database's cursor into
// a temporary file and sent from there, a few downloads at a time (csv-downloads.ts). Filters are GET parameters, so the page and the download work with JavaScript off
// and can be bookmarked. A malformed or unknown filter answers 400 with what is wrong, and no rows.
import type { HttpBindings } from '@hono/node-server';
import type { Context, Hono } from 'hono';
import type { Database } from '../../../db/client';
import { assignmentReportPage, type ReportFilter } from '../../../domain/assignment-report';
import { resolveUserRef } from '../../../domain/directory';
import { directoryFacets } from '../../../domain/directory-page';
import { projectExists } from '../../../domain/projects';
import { refusalOf } from '../../refusals';
import { itemStatusWords, parseIdText, ROLE_LABELS, type Tool, TOOL_LABELS, TOOLS } from '../../../workflows/contract';
import { assignmentReportCsv, reportCsvFilename } from '../../report-csv';
import type { AppEnv, WebDeps } from '../context';
import { DEFAULT_DOWNLOAD_LIMITS, DOWNLOAD_RETRY_AFTER_SECONDS, downloadSlots, spooledStream } from '../csv-downloads';
import { Layout } from '../views/layout';
import { itemName, plural } from '../words';

export const REPORT_PAGE_SIZE = 100;

/** The filters as typed (echoed back into the form and the links) and as the query needs them. */
type Filters = { text: { user: string; tool: string; project: string }; filter: ReportFilter; userName: string | null };

/** The filters of the request, or the sentence saying which one is wrong. */
async function readFilters(db: Database, c: Context<AppEnv>): Promise<Filters | { problem: string; text: Filters['text'] }> {
  const text = { user: (c.req.query('user') ?? '').trim(), tool: (c.req.query('tool') ?? '').trim(), project: (c.req.query('project') ?? '').trim() };
  const filter: ReportFilter = {};
  let userName: string | null = null;
  if (text.tool !== '') {
    if (!(TOOLS as readonly string[]).includes(text.tool)) {
      return { problem: `“${text.tool.slice(0, 40)}” is not a tool; choose one of the list (${TOOLS.join(', ')}).`, text };
    }
    filter.tool = text.tool as Tool;
  }
  if (text.project !== '') {
    const id = parseIdText(text.project);
    if (id === undefined) return { problem: `“${text.project.slice(0, 40)}” is not a project ID (a positive number); choose a project from the list.`, text };
    if (!(await projectExists(db, id))) return { problem: `No project has the ID ${id}; choose a project from the list.`, text };
    filter.projectId = id;
  }
  if (text.user !== '') {
    try {
      const user = await resolveUserRef(db, text.user);
      filter.userId = user.id;
      userName = user.name;
    } catch (e) {
      const refusal = refusalOf(e);
      if (!refusal) throw e;
      return { problem: `${refusal.message} Leave the user empty to see everyone.`, text };
    }
  }
  return { text, filter, userName };
}

/** `user=…&tool=…&project=…` with only the filters given, for the pager and the CSV link. */
function query(text: Filters['text'], extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...text, ...extra })) if (v !== '') params.set(k, v);
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

function FilterForm(props: { text: Filters['text']; projects: { id: number; name: string }[]; invalid?: boolean }) {
  const { text } = props;
  return (
    <form method="get" action="/hr/report" class="report-filters" aria-label="Filters">
      <div class="grid">
        <label for="f-user">
          User
          <input id="f-user" name="user" type="text" value={text.user} placeholder="ID or email" aria-invalid={props.invalid ? 'true' : undefined} />
        </label>
        <label for="f-tool">
          Tool
          <select id="f-tool" name="tool">
            <option value="">All tools</option>
            {TOOLS.map((t) => (
              <option value={t} selected={text.tool === t}>
                {TOOL_LABELS[t]}
              </option>
            ))}
          </select>
        </label>
        <label for="f-project">
          Project
          <select id="f-project" name="project">
            <option value="">All projects</option>
            {props.projects.map((p) => (
              <option value={String(p.id)} selected={text.project === String(p.id)}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <button type="submit">Show</button> <a href="/hr/report">Clear the filters</a>
    </form>
  );
}

export function hrReportRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { db } = deps;

  app.get('/hr/report', async (c) => {
    const viewer = c.get('viewer');
    const csrf = c.get('csrfToken');
    const [read, facets] = await Promise.all([readFilters(db, c), directoryFacets(db)]);
    if ('problem' in read) {
      return c.html(
        <Layout title="Assignment Report" viewer={viewer} csrfToken={csrf}>
          <h1>Assignment Report</h1>
          <p id="filter-problem" class="banner error" role="alert">
            ✖ {read.problem}
          </p>
          <FilterForm text={read.text} projects={facets.projects} invalid />
        </Layout>,
        400,
      );
    }
    const { text, filter, userName } = read;
    const pageNo = Number(c.req.query('page') ?? '1');
    const page = Number.isSafeInteger(pageNo) && pageNo > 0 ? Math.min(pageNo, 1_000_000) : 1;
    const report = await assignmentReportPage(db, filter, { offset: (page - 1) * REPORT_PAGE_SIZE, limit: REPORT_PAGE_SIZE });
    const pages = Math.max(1, Math.ceil(report.total / REPORT_PAGE_SIZE));
    const filtered = text.user !== '' || text.tool !== '' || text.project !== '';
    return c.html(
      <Layout title="Assignment Report" viewer={viewer} csrfToken={csrf}>
        <h1>Assignment Report</h1>
        <p>Open items by the person responsible for them, tool and project, straight from the directory (whether or not anyone is being offboarded).</p>
        <FilterForm text={text} projects={facets.projects} />
        <p>
          <strong>{plural(report.total, 'open item')}</strong>
          {userName ? ` of ${userName}` : ''}
          {filter.tool ? ` in ${TOOL_LABELS[filter.tool]}` : ''}
          {filter.projectId !== undefined ? ` on ${facets.projects.find((p) => p.id === filter.projectId)?.name ?? `project ${filter.projectId}`}` : ''}
          {report.total > 0 ? (
            <>
              {' · '}
              <a href={`/hr/report.csv${query(text)}`} download role="button" class="secondary">
                Download CSV
              </a>
            </>
          ) : null}
        </p>
        {report.total === 0 ? (
          <p class="muted">{filtered ? 'Nothing is open for these filters.' : 'Nobody has open items.'}</p>
        ) : report.rows.length === 0 ? (
          <p class="muted">
            There is no page {page}. <a href={`/hr/report${query(text)}`}>First page</a>
          </p>
        ) : (
          <div class="overflow-auto">
            <table class="people report">
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Tool</th>
                  <th scope="col">Project</th>
                  <th scope="col">Item</th>
                  <th scope="col">Responsible as</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {report.rows.map((r) => (
                  <tr>
                    <td>
                      {r.userName}
                      {r.userStatus === 'inactive' ? <small class="muted"> (inactive)</small> : null}
                    </td>
                    <td data-label="Tool">{TOOL_LABELS[r.tool]}</td>
                    <td data-label="Project">{r.projectName ?? '—'}</td>
                    <td data-label="Item">
                      {itemName(r)}
                      {r.tool === 'timecard' || itemName(r) === r.title ? null : <> · {r.title}</>}
                    </td>
                    <td data-label="Responsible as">{ROLE_LABELS[r.role]}</td>
                    <td data-label="Status">{itemStatusWords(r.status)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pages > 1 ? (
          <nav class="pager" aria-label="Pages">
            {page > 1 ? <a href={`/hr/report${query(text, { page: String(page - 1) })}`}>Previous</a> : null}
            <span>
              Page {page} of {pages}
            </span>
            {page < pages ? <a href={`/hr/report${query(text, { page: String(page + 1) })}`}>Next</a> : null}
          </nav>
        ) : null}
      </Layout>,
    );
  });

  const limits = deps.csvDownloads ?? DEFAULT_DOWNLOAD_LIMITS;
  const slots = downloadSlots(limits.maxConcurrent);

  app.get('/hr/report.csv', async (c) => {
    const release = slots.take();
    if (!release) {
      c.header('Retry-After', String(DOWNLOAD_RETRY_AFTER_SECONDS));
      return c.text(`${limits.maxConcurrent} Assignment Report downloads are already running. Try again in ${DOWNLOAD_RETRY_AFTER_SECONDS} seconds.\n`, 503);
    }
    let handedOver = false;
    try {
      const read = await readFilters(db, c);
      if ('problem' in read) return c.text(`${read.problem}\n`, 400);
      const { filter } = read;
      // Excel, which HR opens the file with, reads UTF-8 only after a byte-order mark; without one,
      // "Zoë" shows as "ZoÃ«". The CLI's `report --csv` goes to programs and has none.
      async function* withBom() {
        yield '\uFEFF';
        yield* assignmentReportCsv(db, filter);
      }
      // The rows go to a file as fast as the cursor gives them, so the connection is back in the
      // pool before the client reads the first byte; a client that stops reading is cut off.
      const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
      const body = await spooledStream(withBom(), {
        stallMs: limits.stallMs,
        onEnd: release,
        onStall: () => {
          deps.log('warn', `Assignment Report CSV: the client read nothing for ${limits.stallMs} ms; cut off`);
          outgoing?.destroy();
        },
      });
      handedOver = true;
      return c.body(body, 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${reportCsvFilename(new Date())}"`,
      });
    } finally {
      if (!handedOver) release();
    }
  });
}
