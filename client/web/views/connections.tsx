// HR's "Connections" page: each identity provider's (or HR system's) connection — its company, its
// offboarding policy in words, the admin it acts for, its tokens and its last SCIM changes — and the
// forms that create a connection, issue a token and revoke one. A token's value is drawn only on the
// answer to the form that made it (TokenShownOnce), never on this page.
import type { Child } from 'hono/jsx';
import type { ConnectionPolicy } from '../../../domain/connection-policy';
import type { ConnectionInfo, ConnectionTokenInfo, ScimChange } from '../../../domain/connections';
import { RECENT_CHANGES, TOKEN_SCOPES } from '../../../domain/connections';
import { MAX_REASON_LENGTH } from '../../../workflows/contract';
import type { Flash, Viewer } from '../context';
import { plural, when } from '../words';
import { Csrf, Layout } from './layout';

/** What each scope lets a token do, in the words of the admin issuing it. */
export const SCOPE_WORDS: Record<(typeof TOKEN_SCOPES)[number], string> = {
  scim: 'SCIM provisioning (an identity provider: Okta, Entra ID)',
  'offboardings:read': 'read offboardings (JSON API)',
  'offboardings:write': 'start and change offboardings (JSON API)',
  'directory:write': 'push projects, members and items (JSON API)',
  webhooks: 'manage webhook subscriptions (JSON API)',
};

const DEADLINE_WORDS = { 'escalate-only': 'then HR is told', 'reassign-to-manager': 'then the items go to the manager' } as const;

/** The policy as a sentence: "Reason “Layoff” · reminders every 2 days · …". */
export function policyWords(p: ConnectionPolicy): string {
  const parts = [`reason “${p.reason}”`];
  parts.push(p.remindEveryDays ? `reminders every ${plural(p.remindEveryDays, 'day')}` : 'default reminders');
  if (p.escalateAfterDays) parts.push(`escalates to HR after ${plural(p.escalateAfterDays, 'day')}`);
  if (p.deadlineDays) parts.push(`deadline ${plural(p.deadlineDays, 'day')}${p.deadlineAction ? `, ${DEADLINE_WORDS[p.deadlineAction]}` : ''}`);
  parts.push(p.successor === 'manager' ? 'items go to each person’s manager' : 'no successor: managers choose who takes each item');
  return parts.join(' · ');
}

/** One SCIM change's fields, "active: true → false", from the audit row's before/after. */
function changeWords(c: ScimChange): string {
  const before = (c.before ?? {}) as Record<string, unknown>;
  const after = (c.after ?? {}) as Record<string, unknown>;
  // A new person's empty fields say nothing: only what was set, or what changed.
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (k) => k !== 'connectionId' && k !== 'tokenId' && (k in before || (after[k] !== null && after[k] !== undefined)),
  );
  if (keys.length === 0) return '—';
  const show = (v: unknown) => (v === undefined || v === null ? '∅' : typeof v === 'string' ? v : JSON.stringify(v)).slice(0, 80);
  return keys.map((k) => (k in before ? `${k}: ${show(before[k])} → ${show(after[k])}` : `${k}: ${show(after[k])}`)).join('; ');
}

/** "scim.user.patch" → "patch"; "scim.offboarding.queued" → "offboarding queued". */
const actionWords = (action: string) => action.replace(/^scim\.(user\.)?/, '').replace('.', ' ');

export type AdminChoice = { id: number; name: string; email: string | null };

/** What the create form held, drawn again with the refusal so nothing typed is lost. */
export type NewConnectionValues = Partial<Record<'name' | 'company' | 'reason' | 'remindEveryDays' | 'escalateAfterDays' | 'deadlineDays' | 'deadlineAction' | 'successor' | 'adminUserId', string>> & {
  scopes?: readonly string[];
};

function ScopeChoices(props: { idPrefix: string; chosen: readonly string[] }) {
  return (
    <fieldset class="scopes">
      <legend>What the token may do</legend>
      {TOKEN_SCOPES.map((s) => (
        <label for={`${props.idPrefix}-${s}`}>
          <input type="checkbox" id={`${props.idPrefix}-${s}`} name="scope" value={s} checked={props.chosen.includes(s)} />
          <code>{s}</code> — {SCOPE_WORDS[s]}
        </label>
      ))}
    </fieldset>
  );
}

function TokenRows(props: { connection: ConnectionInfo; csrf: string; nonce: () => string }) {
  const { connection, csrf } = props;
  if (connection.tokens.length === 0) return <p class="muted">No tokens: issue one below.</p>;
  return (
    <div class="overflow-auto">
      <table class="tokens striped">
        <caption class="visually-hidden">Tokens of {connection.name}</caption>
        <thead>
          <tr>
            <th scope="col">Token</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Revoked</th>
          </tr>
        </thead>
        <tbody>
          {connection.tokens.map((t: ConnectionTokenInfo) => (
            <tr id={`token-${t.id}`} class={t.revokedAt ? 'revoked' : undefined}>
              <th scope="row">#{t.id}</th>
              <td data-label="Scopes">{t.scopes.join(', ')}</td>
              <td data-label="Created">
                {when(t.createdAt)}
                <br />
                <small class="muted">by {t.createdBy}</small>
              </td>
              <td data-label="Last used">{t.lastUsedAt ? when(t.lastUsedAt) : <span class="muted">never</span>}</td>
              <td data-label="Revoked">
                {t.revokedAt ? (
                  when(t.revokedAt)
                ) : (
                  <form method="post" action={`/hr/connections/${connection.id}/tokens/${t.id}/revoke`} class="inline">
                    <Csrf token={csrf} />
                    <input type="hidden" name="requestId" value={props.nonce()} />
                    <button type="submit" class="secondary" aria-label={`Revoke token #${t.id} of ${connection.name}`}>
                      Revoke
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ScimChanges(props: { connection: ConnectionInfo; changes: ScimChange[] }) {
  const { changes } = props;
  return (
    <details class="scim-changes">
      <summary>
        Last SCIM changes ({changes.length === 0 ? 'none yet' : changes.length >= RECENT_CHANGES ? 'the newest 50' : changes.length})
      </summary>
      {changes.length === 0 ? (
        <p class="muted">The identity provider has not sent anything with this connection yet.</p>
      ) : (
        <div class="overflow-auto">
          <table class="changes striped">
            <caption class="visually-hidden">Last SCIM changes of {props.connection.name}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Person</th>
                <th scope="col">Changed</th>
                <th scope="col">Request</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((c) => (
                <tr>
                  <td data-label="When">{when(c.at)}</td>
                  <td data-label="What">{actionWords(c.action)}</td>
                  <td data-label="Person">{c.userName ?? (c.userId !== null ? `user ${c.userId}` : '—')}</td>
                  <td data-label="Changed" class="changed">
                    {changeWords(c)}
                  </td>
                  <td data-label="Request">
                    <small>
                      <code>{c.requestId ?? '—'}</code>
                    </small>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}

function ConnectionCard(props: {
  connection: ConnectionInfo;
  changes: ScimChange[];
  csrf: string;
  nonce: () => string;
  /** The connection's webhook delivery log (views/webhook-deliveries.tsx), from the route. */
  webhookDeliveries?: Child;
}) {
  const { connection: c, csrf } = props;
  const live = c.tokens.filter((t) => !t.revokedAt).length;
  return (
    <article class="connection" id={`connection-${c.id}`}>
      <header>
        <h2>
          {c.name} <small class="muted">({c.company})</small>
        </h2>
        <p>
          Acts for <strong>{c.adminName}</strong> · {plural(live, 'token')} in use
          {c.disabledAt ? <strong> · disabled since {when(c.disabledAt)}</strong> : null}
          <br />
          <small class="muted">
            Created {when(c.createdAt)} by {c.createdBy}
          </small>
        </p>
        <p class="policy-words">Offboardings it starts: {policyWords(c.policy)}</p>
      </header>
      <h3>Tokens</h3>
      <TokenRows connection={c} csrf={csrf} nonce={props.nonce} />
      {c.disabledAt ? null : (
        <details class="issue-token">
          <summary>Issue a token</summary>
          <form method="post" action={`/hr/connections/${c.id}/tokens`}>
            <Csrf token={csrf} />
            <input type="hidden" name="requestId" value={props.nonce()} />
            <ScopeChoices idPrefix={`scope-${c.id}`} chosen={['scim']} />
            <button type="submit">Issue a token for {c.name}</button>
          </form>
        </details>
      )}
      <ScimChanges connection={c} changes={props.changes} />
      {props.webhookDeliveries ?? null}
    </article>
  );
}

function NewConnectionForm(props: { admins: AdminChoice[]; companies: string[]; csrf: string; nonce: string; values: NewConnectionValues }) {
  const v = props.values;
  return (
    <details class="new-connection" open={Object.keys(v).length > 0}>
      <summary role="button" class="outline">
        New connection
      </summary>
      <form method="post" action="/hr/connections" id="new-connection">
        <Csrf token={props.csrf} />
        <input type="hidden" name="requestId" value={props.nonce} />
        <label for="c-name">
          Name
          <input type="text" id="c-name" name="name" required maxlength={100} placeholder="Okta" value={v.name ?? ''} />
        </label>
        <label for="c-company">
          Company its people belong to
          <input type="text" id="c-company" name="company" required maxlength={200} list="companies" value={v.company ?? ''} />
          <datalist id="companies">
            {props.companies.map((co) => (
              <option value={co} />
            ))}
          </datalist>
        </label>
        <label for="c-admin">
          Acts for (a company directory admin)
          <select id="c-admin" name="adminUserId" required>
            <option value="">Choose an admin</option>
            {props.admins.map((a) => (
              <option value={String(a.id)} selected={v.adminUserId === String(a.id)}>
                {a.name}
                {a.email ? ` (${a.email})` : ''}
              </option>
            ))}
          </select>
        </label>
        <fieldset class="options">
          <legend>Offboardings it starts</legend>
          <label for="c-reason">
            Reason
            <input type="text" id="c-reason" name="reason" required maxlength={MAX_REASON_LENGTH} placeholder="Terminated in Okta" value={v.reason ?? ''} />
          </label>
          <div class="policy">
            <label for="c-remind">
              Reminders every (days)
              <input type="number" id="c-remind" name="remindEveryDays" min={1} max={30} value={v.remindEveryDays ?? ''} />
            </label>
            <label for="c-escalate">
              Escalate after (days)
              <input type="number" id="c-escalate" name="escalateAfterDays" min={1} max={90} value={v.escalateAfterDays ?? ''} />
            </label>
            <label for="c-deadline">
              Deadline (days)
              <input type="number" id="c-deadline" name="deadlineDays" min={1} max={365} value={v.deadlineDays ?? ''} />
            </label>
            <label for="c-deadline-action">
              At the deadline
              <select id="c-deadline-action" name="deadlineAction">
                <option value="">nothing more</option>
                <option value="escalate-only" selected={v.deadlineAction === 'escalate-only'}>
                  tell HR
                </option>
                <option value="reassign-to-manager" selected={v.deadlineAction === 'reassign-to-manager'}>
                  hand the items to the manager
                </option>
              </select>
            </label>
          </div>
          <label for="c-successor">
            Who takes over a leaver’s items
            <select id="c-successor" name="successor">
              <option value="manager" selected={v.successor !== 'none'}>
                each person’s manager
              </option>
              <option value="none" selected={v.successor === 'none'}>
                nobody: managers choose
              </option>
            </select>
          </label>
        </fieldset>
        <ScopeChoices idPrefix="scope-new" chosen={v.scopes ?? ['scim']} />
        <button type="submit">Create the connection</button>
      </form>
    </details>
  );
}

export function ConnectionsPage(props: {
  viewer: Viewer | null;
  csrf: string;
  flash: Flash | null;
  connections: { connection: ConnectionInfo; changes: ScimChange[]; webhookDeliveries?: Child }[];
  admins: AdminChoice[];
  companies: string[];
  values: NewConnectionValues;
  nonce: () => string;
}) {
  return (
    <Layout title="Connections" viewer={props.viewer} csrfToken={props.csrf} flash={props.flash}>
      <h1>Connections</h1>
      <p>
        Other systems that act here in an admin’s name: an identity provider over SCIM (a deactivation there starts an offboarding here), an HR system over the JSON API. The SCIM base URL is{' '}
        <code>/scim/v2</code> on this site; a token is shown once, when it is made.
      </p>
      <NewConnectionForm admins={props.admins} companies={props.companies} csrf={props.csrf} nonce={props.nonce()} values={props.values} />
      {props.connections.length === 0 ? (
        <p>No connections yet: create one above, then give its token to the identity provider.</p>
      ) : (
        props.connections.map((c) => <ConnectionCard connection={c.connection} changes={c.changes} csrf={props.csrf} nonce={props.nonce} webhookDeliveries={c.webhookDeliveries} />)
      )}
    </Layout>
  );
}

/** The answer to "create" or "issue a token": the token, this once. */
export function TokenShownOnce(props: { viewer: Viewer | null; csrf: string; connection: ConnectionInfo; tokenId: number; token: string; created: boolean; scimUrl: string }) {
  const { connection: c } = props;
  return (
    <Layout
      title={props.created ? 'Connection created' : 'Token issued'}
      viewer={props.viewer}
      csrfToken={props.csrf}
      flash={{ kind: 'ok', text: props.created ? `Connection “${c.name}” created for ${c.company}; it acts for ${c.adminName}.` : `Token #${props.tokenId} issued for ${c.name}.` }}
    >
      <h1>{props.created ? `Connection “${c.name}”` : `A new token for ${c.name}`}</h1>
      <article class="token-once">
        <p>
          <strong>Copy the token now: it is shown only this once.</strong> Only its fingerprint is kept; if it is lost, issue another and revoke this one.
        </p>
        <label for="token-value">
          Bearer token #{props.tokenId}
          <input type="text" id="token-value" readonly value={props.token} class="token-value" />
        </label>
        <p>
          In the identity provider: SCIM base URL <code>{props.scimUrl}</code>, authentication “HTTP header / bearer token”, the token above.
        </p>
      </article>
      <p>
        {/* No #fragment: this answer's URL is /hr/connections too, and a fragment alone would not reload it. */}
        <a href="/hr/connections">Back to Connections</a>
      </p>
    </Layout>
  );
}
