// HR's Company Directory: search by name or email, filter by company, project, permission and status,
// 50 people a page in name order (keyset paging: domain/directory-page.ts), each row with its open
// items per tool. One form holds the filters, the page's checkboxes and the people chosen on other
// pages (hidden fields), so the choice survives paging and filtering with JavaScript off: every
// button posts it back and the page is drawn again (nothing is changed by these POSTs). "Select all on
// this page" is such a button; "Offboard selected" posts the choice to the review. Each POST is
// answered by a 303 to the GET address of the same state (review-draft.ts), so Back and Reload work.
// Coming from the review ("Add more people"), the people and the options typed there travel along.
import type { Context, Hono } from 'hono';
import { type DirectoryFilter, directoryFacets, directoryPage, isDirectoryPermission, type DirectoryRow } from '../../../domain/directory-page';
import { userNames } from '../../../domain/user-names';
import { forbiddenCharacter, MAX_BATCH_SIZE, TOOL_LABELS, TOOLS } from '../../../workflows/contract';
import type { AppEnv, WebDeps } from '../context';
import { takeFlash } from '../sessions';
import { oneValue, TOOL_SHORT, ToolCells, ToolHeadings } from '../views/hr';
import { Csrf, Layout, Stop } from '../views/layout';
import { appendTypedOptions, type FormSource, hasTypedOptions, idsOf, idsParam, REVIEW_OPTION_FIELDS, stateUrl, type TypedOptions, typedOptionsOf } from '../review-draft';
import { plural, pluralWord } from '../words';
import { idField } from '../../id-field';

const PERMISSION_WORDS: Record<string, string> = { admin: 'Admin', standard: 'Standard', read_only: 'Read only', none: 'None' };

type Source = FormSource;

/** What the page was asked for, from the query string (GET) or the form (POST). */
function requestOf(source: Source) {
  const text = (name: string, max: number) => (oneValue(source, name) ?? '').trim().slice(0, max);
  const permission = text('permission', 20);
  const status = text('status', 10);
  const project = idField.safeParse(text('project', 12));
  const filter: DirectoryFilter = {
    search: text('q', 200) || undefined,
    company: text('company', 200) || undefined,
    projectId: project.success ? project.data : undefined,
    permission: isDirectoryPermission(permission) ? permission : undefined,
    status: status === 'inactive' || status === 'all' ? status : 'active',
  };
  const after = idField.safeParse(oneValue(source, 'after'));
  const before = idField.safeParse(oneValue(source, 'before'));
  // The page on screen when a button other than the pager was pressed ("after:12", "before:40", "").
  const at = /^(after|before):([1-9][0-9]{0,9})$/.exec(oneValue(source, 'at') ?? '');
  const cursor = after.success
    ? { after: after.data }
    : before.success
      ? { before: before.data }
      : at && oneValue(source, 'go') === undefined
        ? { [at[1] as 'after' | 'before']: Number(at[2]) }
        : {};
  // The boxes ticked, the people kept from other pages, and those of the review ("Add more people").
  const selected = new Set<number>(idsOf(source, 'userId', 'person').ids.slice(0, MAX_BATCH_SIZE + 1));
  if (oneValue(source, 'clear') !== undefined) selected.clear();
  const draft = { options: typedOptionsOf(source), adding: oneValue(source, 'adding') !== undefined };
  return { filter, cursor, selected, selectPage: oneValue(source, 'selectPage') !== undefined, draft };
}

/** The review's options typed before "Add more people", kept in the form until "Offboard selected". */
function DraftFields(props: { options: TypedOptions; adding: boolean }) {
  const { typed, force } = props.options;
  return (
    <>
      {props.adding ? <input type="hidden" name="adding" value="1" /> : null}
      {REVIEW_OPTION_FIELDS.filter((f) => typed[f]).map((f) => (
        <input type="hidden" name={f} value={typed[f]} />
      ))}
      {force ? <input type="hidden" name="force" value="1" /> : null}
    </>
  );
}

function Row(props: { row: DirectoryRow; checked: boolean }) {
  const { row } = props;
  return (
    <tr>
      <td>
        <input type="checkbox" name="userId" value={String(row.id)} id={`u-${row.id}`} checked={props.checked} aria-label={`Select ${row.name}`} />
      </td>
      <th scope="row">
        <label for={`u-${row.id}`}>{row.name}</label>
        <br />
        <small class="muted">{row.email ?? 'no email'}</small>
      </th>
      <td data-label="Company">
        {row.company}
        <br />
        <small class="muted">{PERMISSION_WORDS[row.permission] ?? row.permission}</small>
      </td>
      <td data-label="Status">
        {row.status === 'inactive' ? (
          <strong>Inactive</strong>
        ) : row.offboardingBatchId ? (
          <a href={`/hr/batches/${encodeURIComponent(row.offboardingBatchId)}`}>Being offboarded</a>
        ) : (
          'Active'
        )}
      </td>
      <td data-label="Manager">{row.manager?.name ?? '—'}</td>
      <ToolCells counts={row.openByTool} />
      <td class="num" data-label="All open items">
        <strong>{row.openItems}</strong>
      </td>
    </tr>
  );
}

export function hrDirectoryRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { db } = deps;

  async function cursorOf(id: number | undefined) {
    if (id === undefined) return undefined;
    const name = (await userNames(db, [id])).get(id);
    return name === undefined ? undefined : { name, id };
  }

  /** The page a request asks for, with the people chosen so far. */
  async function load(source: Source) {
    const { filter, cursor, selected, selectPage, draft } = requestOf(source);
    const after = await cursorOf(cursor.after);
    const before = after ? undefined : await cursorOf(cursor.before);
    const [page, facets] = await Promise.all([
      directoryPage(db, filter, { ...(after ? { after } : {}), ...(before ? { before } : {}) }),
      directoryFacets(db),
    ]);
    if (selectPage) for (const r of page.rows) selected.add(r.id);
    return { filter, after, before, page, facets, selected, draft };
  }
  type Loaded = Awaited<ReturnType<typeof load>>;

  /** The GET address drawing the same page, or undefined when it does not fit in an address. */
  function addressOf(d: Loaded): string | undefined {
    const params = new URLSearchParams();
    const { filter } = d;
    if (filter.search) params.set('q', filter.search);
    if (filter.company) params.set('company', filter.company);
    if (filter.projectId !== undefined) params.set('project', String(filter.projectId));
    if (filter.permission) params.set('permission', filter.permission);
    if (filter.status && filter.status !== 'active') params.set('status', filter.status);
    if (d.after) params.set('after', String(d.after.id));
    else if (d.before) params.set('before', String(d.before.id));
    if (d.selected.size > 0) params.set('people', idsParam([...d.selected]));
    if (d.draft.adding) params.set('adding', '1');
    appendTypedOptions(params, d.draft.options);
    return stateUrl('/hr/directory', params);
  }

  async function render(c: Context<AppEnv>, d: Loaded): Promise<Response> {
    const { filter, after, before, page, facets, selected, draft } = d;
    const onPage = new Set(page.rows.map((r) => r.id));
    const elsewhere = [...selected].filter((id) => !onPage.has(id));
    const at = after ? `after:${after.id}` : before ? `before:${before.id}` : '';
    const session = c.get('session');
    const flash = session ? await takeFlash(db, session) : null;
    const csrf = c.get('csrfToken');
    return c.html(
      <Layout title="Directory" viewer={c.get('viewer')} csrfToken={csrf} flash={flash}>
        <h1>Directory</h1>
        {draft.adding || hasTypedOptions(draft.options) ? (
          <p class="banner info" id="adding">
            Adding to your review: tick more people, then “Offboard selected”. The people already chosen stay chosen, and what you typed on the
            review (reason, dates, options) is kept.
          </p>
        ) : null}
        <form method="post" action="/hr/directory" class="directory" id="directory">
          <Csrf token={csrf} />
          <input type="hidden" name="at" value={at} />
          <fieldset class="filters">
            <legend class="visually-hidden">Search and filters</legend>
            <label for="q">
              Name or email
              <input type="search" id="q" name="q" value={filter.search ?? ''} placeholder="Search name or email" maxlength={200} />
            </label>
            <label for="company">
              Company
              <select id="company" name="company">
                <option value="">All companies</option>
                {facets.companies.map((name) => (
                  <option value={name} selected={name === filter.company}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
            <label for="project">
              Project
              <select id="project" name="project">
                <option value="">All projects</option>
                {facets.projects.map((p) => (
                  <option value={String(p.id)} selected={p.id === filter.projectId}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
            <label for="permission">
              Permission
              <select id="permission" name="permission">
                <option value="">Any permission</option>
                {Object.entries(PERMISSION_WORDS).map(([value, words]) => (
                  <option value={value} selected={value === filter.permission}>
                    {words}
                  </option>
                ))}
              </select>
            </label>
            <label for="status">
              Status
              <select id="status" name="status">
                <option value="active" selected={filter.status === 'active'}>
                  Active
                </option>
                <option value="inactive" selected={filter.status === 'inactive'}>
                  Inactive
                </option>
                <option value="all" selected={filter.status === 'all'}>
                  Active and inactive
                </option>
              </select>
            </label>
            {/* The first button of the form: Enter in the search field applies the filters too. */}
            <button type="submit" name="go" value="1" class="apply">
              Apply filters
            </button>
          </fieldset>
          <DraftFields options={draft.options} adding={draft.adding} />
          {elsewhere.map((id) => (
            <input type="hidden" name="userId" value={String(id)} />
          ))}
          <p class="summary">
            {page.totalOverLimit
              ? `More than ${plural(page.total, 'person', 'people')} match`
              : `${plural(page.total, 'person', 'people')} ${pluralWord(page.total, 'matches', 'match')}`}
            {elsewhere.length > 0 ? ` · ${plural(elsewhere.length, 'person', 'people')} chosen on other pages ${pluralWord(elsewhere.length, 'stays', 'stay')} chosen` : ''}
          </p>
          {page.rows.length === 0 ? (
            <p class="muted">Nobody matches. Change the search or the filters (inactive people are shown with Status “Inactive”).</p>
          ) : (
            <>
              <div class="actions">
                <button type="submit" name="selectPage" value="1" class="secondary" id="select-page">
                  Select all on this page
                </button>
                {selected.size > 0 ? (
                  <button type="submit" name="clear" value="1" class="secondary outline">
                    Clear the selection
                  </button>
                ) : null}
              </div>
              <div class="overflow-auto">
                <table class="directory striped">
                  <caption class="visually-hidden">People, with their open items per tool</caption>
                  <thead>
                    <tr>
                      <th scope="col">
                        <span class="visually-hidden">Selected</span>
                      </th>
                      <th scope="col">Name</th>
                      <th scope="col">Company · permission</th>
                      <th scope="col">Status</th>
                      <th scope="col">Manager</th>
                      <ToolHeadings />
                      <th scope="col" class="num">
                        All
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.rows.map((row) => (
                      <Row row={row} checked={selected.has(row.id)} />
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
          <nav class="pager" aria-label="Pages">
            {page.previous ? (
              <button type="submit" name="before" value={String(page.previous.id)} class="secondary outline">
                Previous page
              </button>
            ) : null}
            {page.next ? (
              <button type="submit" name="after" value={String(page.next.id)} class="secondary outline">
                Next page
              </button>
            ) : null}
          </nav>
          <div class="offboard-bar">
            {/* No count here: boxes ticked since the page was drawn are not in it (app.js counts them). */}
            <button type="submit" formaction="/hr/review" name="review" value="1" id="offboard-selected" data-count={String(selected.size)}>
              Offboard selected people
            </button>
            <small class="muted"> You review them, with their open items, before anything starts.</small>
          </div>
        </form>
        <p class="muted legend">Open items: {TOOLS.map((t) => `${TOOL_SHORT[t]} ${TOOL_LABELS[t]}`).join(' · ')}.</p>
      </Layout>,
    );
  }

  app.get('/hr/directory', async (c) => render(c, await load(c.req.query())));
  app.post('/hr/directory', async (c) => {
    const source = await c.req.parseBody({ all: true });
    // GET addresses are judged by address-characters.tsx; a crafted POST can still carry NUL, which PostgreSQL refuses.
    const control = forbiddenCharacter(`${oneValue(source, 'q') ?? ''}${oneValue(source, 'company') ?? ''}`, { lineBreaks: false });
    if (control) {
      return c.html(
        <Stop title="This search cannot be run" viewer={c.get('viewer')} csrfToken={c.get('csrfToken')}>
          <p>The name, email or company holds a control character ({control}), which nobody’s has. Nothing was changed.</p>
          <p>
            <a href="/hr/directory">Directory</a>
          </p>
        </Stop>,
        400,
      );
    }
    const d = await load(source);
    const address = addressOf(d);
    return address ? c.redirect(address, 303) : render(c, d);
  });
}
