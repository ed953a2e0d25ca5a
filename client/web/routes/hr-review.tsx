// The review before an offboarding starts (the seed's "review the list, click the ✕ to drop anyone,
// confirm"): each chosen person with their manager and open items per tool, and a ✕ that posts the
// form back without them; those who cannot be offboarded (already inactive, already in a running
// batch, not found) listed apart with the reason; the options, checked as the CLI checks them
// (client/batch-options.ts); Confirm starts the batch through the shared operation.
//
// The batch ID is fixed when the review is first drawn and travels in the form, sealed with the
// admin, the batch ID and the people (views/hr.tsx reviewSeal): a form changed in the browser is
// refused, and confirming twice (or the form sent again after the start) starts one batch, because
// startBatch is idempotent on the batch ID.
//
// The review is drawn by GET from an address holding the batch ID, the people, the seal and the
// options as typed (review-draft.ts): the directory's "Offboard selected", ✕ and "Review again" answer
// with a 303 to it, so Back and Reload draw the review again rather than a cache-miss error. "Add
// more people" posts the people and the options to the directory, which brings them back here.
import type { Context, Hono } from 'hono';
import { reviewPeople } from '../../../domain/batch-review';
import { checkReason, checkSuccessors, parseEffectiveAt, policyFields, policyOf } from '../../batch-options';
import { type BatchDraft, type BatchReview, generateBatchId, previewBatch, startBatch } from '../../operations';
import {
  BATCH_ID_PATTERN,
  type BatchRejection,
  DEADLINE_ACTIONS,
  DEFAULT_POLICY,
  MAX_BATCH_SIZE,
  MAX_REASON_LENGTH,
  type OffboardingPolicy,
} from '../../../workflows/contract';
import { refusalOf } from '../../refusals';
import type { AppEnv, WebDeps } from '../context';
import { outcomeOf } from '../manager-actions';
import { setFlash } from '../sessions';
import { allValues, countByTool, oneValue, reviewSeal, reviewSealValid, ToolCells, ToolHeadings } from '../views/hr';
import { REJECTION_WORDS } from '../refusal-hints';
import { appendTypedOptions, idsOf, idsParam, stateUrl, typedOptionsOf } from '../review-draft';
import { Csrf, Layout, Stop } from '../views/layout';
import { plural } from '../words';
import { idField } from '../../id-field';

const DAY_MS = 24 * 60 * 60 * 1000;
type Body = Record<string, string | File | (string | File)[]>;

/** What the review form says besides the people: as typed (to draw it again) and as checked. */
type Options = {
  typed: Record<string, string>;
  force: boolean;
  draft: Pick<BatchDraft, 'reason' | 'effectiveAt' | 'policy'> & { successor: string };
  problems: string[];
};

/** The message of a refusal thrown by a check, or rethrows what is not a refusal. */
function problemOf(e: unknown): string {
  const r = refusalOf(e);
  if (!r) throw e;
  return r.message;
}

/** `2026-12-15T17:00` from the date-time field is UTC, as the page says. */
const utcOf = (v: string) => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v) ? `${v}${v.length === 16 ? ':00' : ''}Z` : v);

function optionsOf(body: Body, confirming: boolean): Options {
  const { typed, force } = typedOptionsOf(body);
  const problems: string[] = [];
  let reason: string | null = null;
  let effectiveAt: string | null = null;
  let policy: Partial<OffboardingPolicy> = {};
  try {
    reason = checkReason(typed.reason, { required: confirming, label: 'The reason' });
  } catch (e) {
    problems.push(problemOf(e));
  }
  try {
    effectiveAt = typed.effective ? parseEffectiveAt(utcOf(typed.effective), Date.now(), 'The effective date') : null;
  } catch (e) {
    problems.push(problemOf(e));
  }
  const parsed = policyFields.safeParse({ ...typed, force });
  if (!parsed.success) {
    const names: Record<string, string> = { 'remind-every': 'Reminders every', 'escalate-after': 'Escalate after', deadline: 'Deadline after', 'deadline-action': 'At the deadline' };
    for (const issue of parsed.error.issues) problems.push(`${names[String(issue.path[0])] ?? String(issue.path[0])}: ${issue.message}.`);
  } else {
    try {
      policy = policyOf(parsed.data);
    } catch (e) {
      problems.push(problemOf(e));
    }
  }
  return { typed, force, draft: { reason, effectiveAt, policy, successor: typed.successor ?? '' }, problems };
}


type Drawn = {
  batchId: string;
  ids: number[];
  review: BatchReview;
  options: Options;
  names: Map<number, string>;
  claims: Map<number, string | null>;
  /** Who may be chosen as successor: the managers of the people in the review. */
  managers: { id: number; name: string }[];
  problems: string[];
  /** The successor choice as pairs, checked as the CLI checks --successor. */
  successors: Record<string, number>;
};

function ReviewPage(props: { d: Drawn; csrf: string; seal: string }) {
  const { d } = props;
  const { review, options } = d;
  const n = review.accepted.length;
  const field = (name: string) => options.typed[name] ?? '';
  return (
    <>
      <hgroup>
        <h1>Review: offboard {plural(n, 'person', 'people')}</h1>
        <p>
          Batch <code>{d.batchId}</code> · nothing has started yet.
        </p>
      </hgroup>
      {d.problems.length > 0 ? (
        <div id="banner" class="banner error" role="alert" tabindex={-1}>
          ✖ Nothing was started. {d.problems.length === 1 ? d.problems[0] : 'Fix these first:'}
          {d.problems.length > 1 ? (
            <ul>
              {d.problems.map((p) => (
                <li>{p}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <form method="post" action="/hr/review" id="review">
        {/* Enter in a field draws the review again (the first submit button is the default one). */}
        <button type="submit" name="refresh" value="1" formnovalidate class="visually-hidden" tabindex={-1} aria-hidden="true">
          Review again
        </button>
        <Csrf token={props.csrf} />
        <input type="hidden" name="batchId" value={d.batchId} />
        <input type="hidden" name="seal" value={props.seal} />
        {d.ids.map((id) => (
          <input type="hidden" name="person" value={String(id)} />
        ))}
        {/* To the directory with these people and what is typed below; "Offboard selected" brings all back. */}
        <p class="add-more">
          <button type="submit" formaction="/hr/directory" formnovalidate name="adding" value="1" class="secondary outline">
            Add more people
          </button>
        </p>
        {n === 0 ? (
          <p class="muted">Nobody in this list can be offboarded. Use “Add more people” to choose people in the directory.</p>
        ) : (
          <div class="overflow-auto">
            <table class="review striped">
              <caption class="visually-hidden">People to offboard, with their open items per tool</caption>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Manager</th>
                  <ToolHeadings />
                  <th scope="col" class="num">
                    All
                  </th>
                  <th scope="col">
                    <span class="visually-hidden">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {review.accepted.map((u) => (
                  <tr>
                    <th scope="row">
                      {u.name}
                      <br />
                      <small class="muted">{u.email ?? 'no email'}</small>
                    </th>
                    <td data-label="Manager">{u.managerName ?? 'none'}</td>
                    <ToolCells counts={countByTool(u.items)} />
                    <td class="num" data-label="All open items">
                      <strong>{u.items.length}</strong>
                    </td>
                    <td>
                      <button type="submit" name="drop" value={String(u.userId)} formnovalidate class="drop outline secondary" aria-label={`Remove ${u.name} from this offboarding`} title={`Remove ${u.name}`}>
                        ✕
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {review.rejected.length > 0 ? (
          <section class="not-included" aria-labelledby="not-included">
            <h2 id="not-included">Not included ({review.rejected.length})</h2>
            <ul>
              {review.rejected.map((r: BatchRejection) => {
                const claim = d.claims.get(r.userId);
                return (
                  <li>
                    <strong>{d.names.get(r.userId) ?? `User ${r.userId}`}</strong> — {REJECTION_WORDS[r.code]}
                    {r.code === 'ALREADY_IN_OFFBOARDING' && claim ? (
                      <>
                        {' '}
                        (<a href={`/hr/batches/${encodeURIComponent(claim)}`}>batch {claim}</a>)
                      </>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          </section>
        ) : null}
        <fieldset class="options">
          <legend>How</legend>
          <label for="reason">
            Reason (required)
            <input type="text" id="reason" name="reason" value={field('reason')} required maxlength={MAX_REASON_LENGTH} placeholder="End of contract" />
          </label>
          <label for="effective">
            Effective (UTC)
            <input type="datetime-local" id="effective" name="effective" value={field('effective')} aria-describedby="effective-help" />
            <small id="effective-help">Empty: as soon as everything is handed over. Otherwise not before this date and time (UTC).</small>
          </label>
          <label for="successor">
            Successor
            <select id="successor" name="successor" aria-describedby="successor-help">
              <option value="">None: the managers hand each item over</option>
              <option value="manager" selected={field('successor') === 'manager'}>
                Each person’s own manager
              </option>
              {d.managers.map((m) => (
                <option value={String(m.id)} selected={field('successor') === String(m.id)}>
                  {m.name}, for everyone
                </option>
              ))}
            </select>
            <small id="successor-help">A successor takes every open item first; what they cannot take (not on the project) is left to the manager.</small>
          </label>
          <div class="policy">
            <label for="remind-every">
              Reminders every (days)
              <input type="number" id="remind-every" name="remind-every" min={1} max={30} value={field('remind-every')} placeholder={String(DEFAULT_POLICY.reminderIntervalMs / DAY_MS)} />
            </label>
            <label for="escalate-after">
              Escalate to admins after (days)
              <input type="number" id="escalate-after" name="escalate-after" min={1} max={90} value={field('escalate-after')} placeholder={String(DEFAULT_POLICY.escalateAfterMs / DAY_MS)} />
            </label>
            <label for="deadline">
              Deadline after (days)
              <input type="number" id="deadline" name="deadline" min={1} max={365} value={field('deadline')} placeholder="none" />
            </label>
            <label for="deadline-action">
              At the deadline
              <select id="deadline-action" name="deadline-action">
                <option value="">Tell the admins again</option>
                {DEADLINE_ACTIONS.filter((a) => a !== 'escalate-only').map((a) => (
                  <option value={a} selected={field('deadline-action') === a}>
                    Hand what is left to the manager
                  </option>
                ))}
              </select>
            </label>
          </div>
          <label for="force" class="force">
            <input type="checkbox" id="force" name="force" value="1" checked={options.force} aria-describedby="force-help" />
            Inactivate even with open items
          </label>
          <small id="force-help">
            Normally nobody is inactivated while they hold open items. With this, each person is inactivated once the effective date has come
            even if items are still open: those items stay assigned to them as they are, and the result and the audit log list them.
          </small>
        </fieldset>
        <button type="submit" name="confirm" value="1" id="confirm" disabled={n === 0}>
          Start offboarding {plural(n, 'person', 'people')}
        </button>
      </form>
    </>
  );
}

export function hrReviewRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { db } = deps;

  async function draw(c: Context<AppEnv>, batchId: string, ids: number[], options: Options, extra: string[] = []): Promise<Drawn> {
    const viewer = c.get('viewer')!;
    const people = await reviewPeople(db, ids);
    const byId = new Map(people.map((p) => [p.id, p]));
    const problems = [...extra, ...options.problems];
    // The successor choice, as pairs checked like the CLI's --successor.
    let successors: Record<string, number> = {};
    const choice = options.draft.successor;
    try {
      if (choice === 'manager') {
        const pairs = ids.flatMap((id) => {
          const p = byId.get(id);
          return p?.managerId && p.managerActive && !ids.includes(p.managerId) ? [{ from: id, to: p.managerId, label: `${p.managerName} for ${p.name}` }] : [];
        });
        successors = checkSuccessors(ids, pairs, 'The successor');
      } else if (choice !== '') {
        const to = idField.safeParse(choice);
        if (!to.success) problems.push('Choose the successor from the list.');
        else successors = checkSuccessors(ids, ids.map((from) => ({ from, to: to.data, label: `The successor of ${byId.get(from)?.name ?? `user ${from}`}` })), 'The successor');
      }
    } catch (e) {
      problems.push(problemOf(e));
      successors = {};
    }
    const draft: BatchDraft = { batchId, userIds: ids, reason: options.draft.reason, effectiveAt: options.draft.effectiveAt, successors, policy: options.draft.policy };
    let review: BatchReview;
    try {
      review = ids.length ? await previewBatch(deps.operations, viewer.id, draft) : { batchId, requestedBy: viewer.id, accepted: [], rejected: [] };
    } catch (e) {
      // A refusal of the whole batch (a successor who is leaving, a date out of range): said, and the
      // people drawn without the options.
      problems.push(problemOf(e));
      review = await previewBatch(deps.operations, viewer.id, { batchId, userIds: ids, reason: null, effectiveAt: null, successors: {} });
    }
    const managers = new Map<number, string>();
    for (const p of people) if (p.managerId && p.managerName && p.managerActive && !ids.includes(p.managerId)) managers.set(p.managerId, p.managerName);
    return {
      batchId,
      ids,
      review,
      options,
      problems,
      successors,
      names: new Map(people.map((p) => [p.id, p.name])),
      claims: new Map(people.map((p) => [p.id, p.claim || null])),
      managers: [...managers].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  function page(c: Context<AppEnv>, d: Drawn, status: 200 | 400 = 200) {
    const viewer = c.get('viewer')!;
    return c.html(
      <Layout title="Review the offboarding" viewer={viewer} csrfToken={c.get('csrfToken')}>
        <ReviewPage d={d} csrf={c.get('csrfToken')} seal={reviewSeal(deps.keys, viewer.id, d.batchId, d.ids)} />
      </Layout>,
      status,
    );
  }

  /** The GET address of a review as drawn (its people, sealed, and the options as typed), if it fits. */
  function addressOf(viewerId: number, batchId: string, ids: number[], body: Body): string | undefined {
    const params = new URLSearchParams({ batch: batchId, people: idsParam(ids), seal: reviewSeal(deps.keys, viewerId, batchId, ids) });
    appendTypedOptions(params, typedOptionsOf(body));
    return stateUrl('/hr/review', params);
  }

  /** Answers a review that changes nothing with a 303 to its address (drawn there), or draws it here when too large. */
  async function show(c: Context<AppEnv>, batchId: string, ids: number[], body: Body): Promise<Response> {
    const address = addressOf(c.get('viewer')!.id, batchId, ids, body);
    if (address) return c.redirect(address, 303);
    return page(c, await draw(c, batchId, ids, optionsOf(body, false)));
  }

  const refused = (c: Context<AppEnv>, title: string, why: string, status: 400 | 413 = 400) =>
    c.html(
      <Stop title={title} viewer={c.get('viewer')} csrfToken={c.get('csrfToken')}>
        <p>{why} Nothing was started.</p>
        <p>
          <a href="/hr/directory">Back to the directory</a>
        </p>
      </Stop>,
      status,
    );

  app.get('/hr/review', async (c) => {
    const viewer = c.get('viewer')!;
    const query = c.req.query();
    const batchId = query.batch;
    if (batchId === undefined && query.people === undefined) return c.redirect('/hr/directory', 303);
    const { ids, invalid } = idsOf(query);
    if (
      batchId === undefined ||
      !BATCH_ID_PATTERN.test(batchId) ||
      invalid > 0 ||
      ids.length > MAX_BATCH_SIZE ||
      !reviewSealValid(deps.keys, viewer.id, batchId, ids, query.seal)
    ) {
      deps.log('warn', 'HR review refused: the address was changed after it was drawn', { viewer: viewer.id });
      return refused(c, 'This review was changed', 'The list of people or the batch ID in the address is not the one this page drew (changed by hand?).');
    }
    return page(c, await draw(c, batchId, ids, optionsOf(query, false)));
  });

  app.post('/hr/review', async (c) => {
    const viewer = c.get('viewer')!;
    const session = c.get('session')!;
    const body = await c.req.parseBody({ all: true });
    const sentBatchId = oneValue(body, 'batchId');

    if (sentBatchId === undefined) {
      // From the directory: "Offboard selected (N)". The batch ID is chosen now, once.
      const raw = allValues(body, 'userId');
      if (raw.length > MAX_BATCH_SIZE) {
        return refused(c, 'Too many people for one batch', `You chose ${raw.length.toLocaleString('en-US')} people; at most ${MAX_BATCH_SIZE.toLocaleString('en-US')} fit in one batch. Split them into several.`);
      }
      const ids = [...new Set(raw.map((v) => idField.safeParse(v)).flatMap((r) => (r.success ? [r.data] : [])))];
      if (ids.length === 0) {
        await setFlash(db, session.idHash, { kind: 'error', text: 'Choose at least one person to offboard: tick them in the list, then “Offboard selected”.' });
        return c.redirect('/hr/directory', 303);
      }
      // The options typed before "Add more people" come back with the people.
      return show(c, generateBatchId(), ids, body);
    }

    // The review form itself: its batch ID and people must be the ones it was drawn with.
    const rawPeople = allValues(body, 'person');
    const ids = rawPeople.map((v) => idField.safeParse(v)).flatMap((r) => (r.success ? [r.data] : []));
    if (
      !BATCH_ID_PATTERN.test(sentBatchId) ||
      ids.length !== rawPeople.length ||
      ids.length > MAX_BATCH_SIZE ||
      !reviewSealValid(deps.keys, viewer.id, sentBatchId, ids, oneValue(body, 'seal'))
    ) {
      deps.log('warn', 'HR review refused: the form was changed after it was drawn', { viewer: viewer.id });
      return refused(c, 'This review was changed', 'The list of people or the batch ID in the form is not the one this page drew (changed in the browser?).');
    }
    const drop = idField.safeParse(oneValue(body, 'drop'));
    const confirming = oneValue(body, 'confirm') !== undefined && !drop.success;
    const options = optionsOf(body, confirming);
    const left = drop.success ? ids.filter((id) => id !== drop.data) : ids;
    if (!confirming) return show(c, sentBatchId, left, body);
    const d = await draw(c, sentBatchId, left, options);
    if (d.problems.length > 0) return page(c, d, 400);
    if (d.review.accepted.length === 0) {
      d.problems.push('Nobody in this list can be offboarded.');
      return page(c, d, 400);
    }
    const started = await outcomeOf(() =>
      startBatch(deps.operations, viewer.id, {
        batchId: sentBatchId,
        userIds: left,
        reason: options.draft.reason,
        effectiveAt: options.draft.effectiveAt,
        successors: d.successors,
        policy: options.draft.policy,
      }),
    );
    if (!started.ok) {
      d.problems.push(`${started.message}${started.code === 'UNAVAILABLE' ? ' Try again in a minute.' : ''}`);
      return page(c, d, 400);
    }
    const { status, created } = started.value;
    const n = status.total;
    await setFlash(db, session.idHash, {
      kind: 'ok',
      text: created
        ? `Offboarding started for ${plural(n, 'user')}. Their managers are emailed the items to hand over.`
        : `Offboarding of ${plural(n, 'user')} had already started with this review; nothing was started twice.`,
    });
    return c.redirect(`/hr/batches/${encodeURIComponent(sentBatchId)}`, 303);
  });
}
