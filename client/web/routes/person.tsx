// One leaving person's page: their open items grouped by project and tool, as in the email, each with
// "Hand over to" (the people who may take it), "Close…" with a note, or "Record final entry" for a
// timecard; "Hand everything over to one person" for many items at once; "check again" for what was
// handled in the tools; and, when nothing is left, what happens
// next. Every form works without JavaScript: it POSTs, the action runs (ManagerActions), and a 303
// brings the page back with a banner. The acting user is the session's; the permission is asked of
// the database on every request.
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { HtmlEscapedString } from 'hono/utils/html';
import { groupItems } from '../../../domain/item-groups';
import { userNames } from '../../../domain/user-names';
import { mayBeHandedOver, NOTE_RULE, MAX_NOTE_LENGTH, type OpenItem, parseItemKey, takersOf, TOOL_LABELS } from '../../../workflows/contract';
import type { RefusalCode } from '../../../workflows/contract';
import { textProblem } from '../../../workflows/contract';
import { signInPath } from '../sign-in-path';
import type { AppEnv, Flash, WebDeps } from '../context';
import { type FormAction, formNonceFits, FORM_USED_FLASH } from '../form-uses';
import type { ActionOutcome } from '../manager-actions';
import { accessToPerson } from '../permissions';
import { itemNameOf } from '../../../domain/item-names';
import { type LeavingPerson, loadPerson, loadUserPage, type UserPage } from '../user-page';
import { setFlash, takeFlash } from '../sessions';
import { handOverOptionsByProject } from '../views/hand-over-options';
import { Csrf, Layout, Stop } from '../views/layout';
import { itemName, itemState, plural, refusalHelp, stageWords, waited, when } from '../words';
import { idField } from '../../id-field';

const requestIdField = z.string().uuid();

function ItemCard(props: { userId: number; item: OpenItem; index: number; options: HtmlEscapedString | null; csrf: string }) {
  const { item, index, userId, csrf } = props;
  const name = itemName(item);
  const recordOnly = !mayBeHandedOver(item);
  return (
    <article class="item" id={`item-${index}`}>
      <header>
        <strong>{name}</strong>
        {recordOnly || name === item.title ? null : <> {item.title}</>}
        <span class="what">{itemState(item)}</span>
      </header>
      {recordOnly ? (
        <form method="post" action={`/people/${userId}/close`}>
          <Csrf token={csrf} />
          <input type="hidden" name="itemKey" value={item.key} />
          <input type="hidden" name="requestId" value={randomUUID()} />
          <button type="submit">Record final entry</button>
        </form>
      ) : (
        <>
          {props.options !== null ? (
            <form method="post" action={`/people/${userId}/reassign`} class="hand-over">
              <Csrf token={csrf} />
              <input type="hidden" name="itemKey" value={item.key} />
              <input type="hidden" name="requestId" value={randomUUID()} />
              {/* Each control is named by its item (visibly by the card, for screen readers in its name). */}
              <label for={`to-${index}`}>
                <span class="visually-hidden">{name}: </span>
                Hand over to
                <select id={`to-${index}`} name="toUserId" required>
                  <option value="">Choose a person</option>
                  {props.options}
                </select>
              </label>
              <button type="submit">
                Reassign<span class="visually-hidden"> {name}</span>
              </button>
            </form>
          ) : (
            <p class="muted">
              Nobody else on {item.projectName ?? 'its project'} can take this item over (only active members who are not leaving can). Close
              it, or ask an admin to add someone to the project.
            </p>
          )}
          <details>
            <summary>
              Close…<span class="visually-hidden"> {name}</span>
            </summary>
            <form method="post" action={`/people/${userId}/close`}>
              <Csrf token={csrf} />
              <input type="hidden" name="itemKey" value={item.key} />
              <input type="hidden" name="requestId" value={randomUUID()} />
              <label for={`note-${index}`}>
                <span class="visually-hidden">{name}: </span>
                Note (optional)
                <textarea id={`note-${index}`} name="note" maxlength={MAX_NOTE_LENGTH} rows={2}></textarea>
              </label>
              <button type="submit" class="secondary">
                Close {name}
              </button>
            </form>
          </details>
        </>
      )}
    </article>
  );
}

/**
 * "Hand everything over to one person": offered when at least two items could go to someone. Each
 * choice says how many of the items that person may take; the rest stay for the forms below.
 */
function HandOverAllForm(props: { userId: number; items: readonly OpenItem[]; eligible: UserPage['eligible']; csrf: string }) {
  const handable = props.items.filter(mayBeHandedOver);
  const counts = new Map<number, { name: string; jobTitle: string | null; n: number }>();
  for (const item of handable) {
    for (const p of takersOf(item, props.eligible)) {
      const c = counts.get(p.id) ?? { name: p.name, jobTitle: p.jobTitle, n: 0 };
      c.n += 1;
      counts.set(p.id, c);
    }
  }
  if (handable.length < 2 || counts.size === 0) return null;
  const people = [...counts].sort(([ia, a], [ib, b]) => a.name.localeCompare(b.name) || ia - ib);
  return (
    <section class="hand-over-all">
      <form method="post" action={`/people/${props.userId}/hand-over-all`} class="hand-over">
        <Csrf token={props.csrf} />
        <input type="hidden" name="requestId" value={randomUUID()} />
        <label for="to-all">
          Hand everything over to one person
          <select id="to-all" name="toUserId" required aria-describedby="to-all-help">
            <option value="">Choose a person</option>
            {people.map(([id, p]) => (
              <option value={String(id)}>
                {p.jobTitle ? `${p.name} (${p.jobTitle})` : p.name} — {p.n === handable.length ? `all ${p.n}` : `${p.n} of ${handable.length}`}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Reassign all they can take</button>
      </form>
      <small id="to-all-help" class="muted">
        Each item goes to them only if they are on its project; the others stay below. A final timecard entry is recorded, not handed over.
      </small>
    </section>
  );
}

function NextStep(props: { page: UserPage; now: Date }) {
  const { person, offboarding, status } = props.page;
  if (!offboarding) return <p>{person.name} is not being offboarded.</p>;
  const result = status?.result;
  if (offboarding.endedAt !== null || result) {
    const outcome = result?.outcome ?? offboarding.outcome ?? 'failed';
    if (outcome === 'inactivated') {
      return (
        <section class="next">
          <h2>Done</h2>
          <p>
            {person.name} was inactivated on {when(result?.inactivatedAt ?? person.inactivatedAt ?? offboarding.endedAt)}. The account is kept
            and an admin can reactivate it.
          </p>
        </section>
      );
    }
    return (
      <section class="next">
        <h2>{stageWords(outcome, null, null)}</h2>
        <p>
          The offboarding ended on {when(offboarding.endedAt)}
          {result?.reason ? `: ${result.reason}` : ''}. {person.name} stays active; nothing more is needed from you.
        </p>
      </section>
    );
  }
  if (!status) return null;
  const effective = status.effectiveAt ? new Date(status.effectiveAt) : null;
  const later = effective !== null && effective.getTime() > props.now.getTime();
  if (status.stage === 'validating') return <p>The offboarding is starting; the open items appear in a moment. Reload the page.</p>;
  if (status.pendingItems.length > 0 && status.stage === 'awaiting-reassignment') return null;
  return (
    <section class="next">
      <h2>All items are handled</h2>
      <p>
        {status.stage === 'inactivating'
          ? `${person.name} is being inactivated now.`
          : later
            ? `${person.name} will be inactivated on ${when(effective)}.`
            : `${person.name} will be inactivated now.`}{' '}
        You and the requester get an email when it is done.
      </p>
    </section>
  );
}

function PersonPage(props: { page: UserPage; csrf: string; now: Date }) {
  const { person, offboarding, status, statusProblem, eligible, names } = props.page;
  const running = offboarding !== null && offboarding.endedAt === null && status !== null && status.result === null;
  const items = running && status?.stage === 'awaiting-reassignment' ? status.pendingItems : [];
  const options = handOverOptionsByProject(eligible);
  const optionsFor = (item: OpenItem) => (takersOf(item, eligible).length > 0 && item.projectId !== null ? (options.get(item.projectId) ?? null) : null);
  let index = 0;
  return (
    <>
      <hgroup>
        <h1>
          Offboarding: {person.name} <small class="muted">({person.company})</small>
        </h1>
        {offboarding ? (
          <p>
            Requested by {offboarding.requesterName} ·{' '}
            {status?.effectiveAt ? `effective ${when(status.effectiveAt)}` : 'effective as soon as everything is handled'}
            {person.managerName ? ` · manager ${person.managerName}` : ''}
          </p>
        ) : null}
      </hgroup>
      {statusProblem ? (
        <p class="banner error" role="alert">
          {statusProblem}
        </p>
      ) : null}
      {items.length > 0 ? (
        <>
          <p>
            <strong>{plural(items.length, 'item')} left</strong>
            {status?.waitingSince ? ` · waiting since ${when(status.waitingSince)} (${waited(status.waitingSince, props.now)})` : ''}
            {status && status.remindersSent > 0 ? ` · ${plural(status.remindersSent, 'reminder')} sent` : ''}
            {status?.escalated ? ' · escalated to HR' : ''}
          </p>
          <HandOverAllForm userId={person.id} items={items} eligible={eligible} csrf={props.csrf} />
          {groupItems(items).map((group) => (
            <section>
              <h2>{group.project}</h2>
              {group.tools.map(({ tool, items: toolItems }) => (
                <>
                  <h3 class="tool-heading">{TOOL_LABELS[tool]}</h3>
                  {toolItems.map((item) => (
                    <ItemCard
                      userId={person.id}
                      item={item}
                      index={index++}
                      options={optionsFor(item)}
                      csrf={props.csrf}
                    />
                  ))}
                </>
              ))}
            </section>
          ))}
          <section>
            <form method="post" action={`/people/${person.id}/recheck`}>
              <Csrf token={props.csrf} />
              <input type="hidden" name="requestId" value={randomUUID()} />
              <p>Handled something directly in the tools?</p>
              <button type="submit" class="secondary">
                I handled the rest in the tools — check again
              </button>
            </form>
          </section>
        </>
      ) : null}
      <NextStep page={props.page} now={props.now} />
      {status && status.resolutions.length > 0 ? (
        <section>
          <h2>Handled so far</h2>
          <ul>
            {status.resolutions.map((r) => (
              <li>
                {r.title} ({TOOL_LABELS[r.tool]}
                {r.projectName ? `, ${r.projectName}` : ''}):{' '}
                {r.action === 'reassigned'
                  ? `reassigned to ${names.get(r.toUserId ?? 0) ?? `user ${r.toUserId}`}`
                  : r.action === 'closed'
                    ? 'closed'
                    : 'final timecard entry recorded'}{' '}
                by {names.get(r.byUserId) ?? `user ${r.byUserId}`}, {when(r.at)}
                {r.note ? ` — “${r.note}”` : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <p>
        <a href="/people">Back to the list</a>
      </p>
    </>
  );
}

type Action = 'reassign' | 'close' | 'recheck' | 'hand-over-all';

export function personRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { db } = deps;

  /** The viewer and the person, or the response that stops here (sign in, 404, 403). */
  async function guard(c: Context<AppEnv>): Promise<{ person: LeavingPerson } | Response> {
    const viewer = c.get('viewer');
    if (!viewer) return c.redirect(signInPath(c), 303);
    const id = idField.safeParse(c.req.param('userId'));
    const person = id.success ? await loadPerson(db, id.data) : undefined;
    if (!id.success || !person) {
      return c.html(
        <Stop title="Nobody here" viewer={viewer} csrfToken={c.get('csrfToken')}>
          <p>
            There is no person with that number. <a href="/people">Back to the list</a>
          </p>
        </Stop>,
        404,
      );
    }
    const access = await accessToPerson(db, viewer, c.get('session'), person.id);
    if (!access.ok) {
      return c.html(
        <Stop title="Not your page" viewer={viewer} csrfToken={c.get('csrfToken')}>
          <p>{access.why}</p>
          <p>
            <a href="/people">Back to the list</a>
          </p>
        </Stop>,
        403,
      );
    }
    return { person };
  }

  app.get('/people/:userId', async (c) => {
    const g = await guard(c);
    if (g instanceof Response) return g;
    const { person } = g;
    const session = c.get('session');
    const [page, flash] = await Promise.all([loadUserPage(db, deps.temporal, person), session ? takeFlash(db, session) : null]);
    return c.html(
      <Layout title={`Offboarding: ${person.name}`} viewer={c.get('viewer')} csrfToken={c.get('csrfToken')} flash={flash}>
        <PersonPage page={page} csrf={c.get('csrfToken')} now={new Date()} />
      </Layout>,
    );
  });

  const refusal = (code: RefusalCode | 'UNAVAILABLE', message: string): Flash => ({ kind: 'error', text: `${message} ${refusalHelp(code)}`, code });

  async function act(c: Context<AppEnv>, action: Action): Promise<Response> {
    const g = await guard(c);
    if (g instanceof Response) return g;
    const userId = g.person.id;
    const viewer = c.get('viewer');
    const session = c.get('session');
    if (!viewer || !session) return c.redirect('/signin', 303);
    const back = () => c.redirect(`/people/${userId}`, 303);
    const say = async (flash: Flash) => {
      await setFlash(db, session.idHash, flash);
      return back();
    };
    const body = await c.req.parseBody();
    const requestId = requestIdField.safeParse(body.requestId);
    if (!requestId.success) return say(refusal('INVALID_INPUT', 'The form was incomplete.'));
    /** The nonce must be this form's: the same action again acts once, another is refused. */
    const fits = (what: FormAction) => formNonceFits(db, viewer.id, requestId.data, { kind: action, userId, ...what });
    const used = () => say(FORM_USED_FLASH);
    if (action === 'recheck') {
      if (!(await fits({}))) return used();
      const outcome = await deps.actions.recheck(viewer.id, userId, requestId.data);
      if (!outcome.ok) return say(refusal(outcome.code, outcome.message));
      const left = outcome.itemsLeft.length;
      return say({ kind: 'ok', text: left === 0 ? 'Checked again: nothing is left.' : `Checked again: ${plural(left, 'item')} still open.` });
    }
    if (action === 'hand-over-all') {
      const to = idField.safeParse(body.toUserId);
      if (!to.success) return say(refusal('INVALID_INPUT', 'Choose who takes the items over.'));
      if (!(await fits({ toUserId: to.data }))) return used();
      const target = (await userNames(db, [to.data])).get(to.data);
      const outcome = await deps.actions.handOverAll(viewer.id, userId, to.data, requestId.data);
      if (!outcome.ok) return say(refusal(outcome.code, outcome.message));
      const { handedOver, refused, itemsLeft } = outcome.value;
      const who = target ?? `user ${to.data}`;
      const notHanded = refused.map((r) => `${itemName(r.item)} was not: ${r.message}`);
      const text = [
        `${plural(handedOver.length, 'item')} reassigned to ${who}.`,
        ...notHanded.map((t) => `${t.endsWith('.') ? t : `${t}.`}`),
        itemsLeft.length === 0 ? 'Nothing is left.' : `${plural(itemsLeft.length, 'item')} left.`,
      ].join(' ');
      return say({ kind: refused.length > 0 ? 'error' : 'ok', text, ...(refused[0] ? { code: refused[0].code } : {}) });
    }
    const itemKey = typeof body.itemKey === 'string' ? body.itemKey : '';
    if (!parseItemKey(itemKey)) return say(refusal('ITEM_KEY_MALFORMED', `“${itemKey.slice(0, 60)}” is not an item of this page.`));
    const name = await itemNameOf(db, itemKey);
    let outcome: ActionOutcome;
    let done: string;
    if (action === 'reassign') {
      const to = idField.safeParse(body.toUserId);
      if (!to.success) return say(refusal('INVALID_INPUT', `Choose who takes over ${name}.`));
      if (!(await fits({ itemKey, toUserId: to.data }))) return used();
      const target = (await userNames(db, [to.data])).get(to.data);
      outcome = await deps.actions.reassign(viewer.id, userId, itemKey, to.data, requestId.data);
      done = `${name} reassigned to ${target ?? `user ${to.data}`}.`;
    } else {
      const raw = typeof body.note === 'string' ? body.note.replace(/\r\n/g, '\n').trim() : '';
      const note = raw === '' ? null : raw;
      const problem = note === null ? undefined : textProblem(note, NOTE_RULE);
      if (problem) return say(refusal(problem.kind === 'length' ? 'NOTE_TOO_LONG' : 'INVALID_INPUT', problem.message));
      if (!(await fits({ itemKey, note }))) return used();
      outcome = await deps.actions.close(viewer.id, userId, itemKey, note, requestId.data);
      done = itemKey.startsWith('timecard:') ? 'Final timecard entry recorded.' : `${name} closed.`;
    }
    if (!outcome.ok) return say(refusal(outcome.code, outcome.message));
    const left = outcome.itemsLeft.length;
    return say({ kind: 'ok', text: `${done} ${left === 0 ? 'Nothing is left.' : `${plural(left, 'item')} left.`}` });
  }

  app.post('/people/:userId/reassign', (c) => act(c, 'reassign'));
  app.post('/people/:userId/close', (c) => act(c, 'close'));
  app.post('/people/:userId/recheck', (c) => act(c, 'recheck'));
  app.post('/people/:userId/hand-over-all', (c) => act(c, 'hand-over-all'));
}
