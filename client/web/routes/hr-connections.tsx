// Connections (HR): the page of client/web/views/connections.tsx and its three forms — create a
// connection, issue a token, revoke a token. The gate in app.tsx has already refused anyone but an
// active company admin signed in as themselves, and checked Origin and CSRF. The domain checks again
// (the admin a connection acts for must be an active company admin now) and audits each change in
// its transaction, as the CLI's commands are audited. A token's value goes only into the answer to
// the POST that made it: never into a flash (stored in PostgreSQL) nor a redirect.
//
// Each form carries a nonce (requestId), recorded as the audit row's request ID `web:<admin>:<nonce>`:
// a double submit finds the first one's row and changes nothing (and cannot show the token again).
import { recentWebhookDeliveries } from '../../../domain/webhooks/delivery-log';
import { WebhookDeliveries } from '../views/webhook-deliveries';
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { SUCCESSOR_CHOICES } from '../../../domain/connection-policy';
import { directoryFacets } from '../../../domain/directory-page';
import {
  connectionAdminChoices,
  type ConnectionInfo,
  createConnection,
  createConnectionToken,
  doneByRequest,
  listConnections,
  recentScimChanges,
  revokeConnectionToken,
  TOKEN_SCOPES,
} from '../../../domain/connections';
import { DEADLINE_ACTIONS, type RefusalCode } from '../../../workflows/contract';
import { idField } from '../../id-field';
import type { AppEnv, Flash, WebDeps } from '../context';
import { FORM_USED_FLASH } from '../form-uses';
import { outcomeOf } from '../manager-actions';
import { webHint } from '../refusal-hints';
import { setFlash, takeFlash } from '../sessions';
import { allValues, oneValue } from '../views/hr';
import { ConnectionsPage, type NewConnectionValues, TokenShownOnce } from '../views/connections';

const requestIdField = z.string().uuid();
const optionalDays = (max: number, what: string) =>
  z
    .string()
    .trim()
    .transform((s, ctx) => {
      if (s === '') return undefined;
      const n = /^[0-9]{1,3}$/.test(s) ? Number(s) : NaN;
      if (!(n >= 1 && n <= max)) {
        ctx.addIssue({ code: 'custom', message: `${what} is a whole number of days from 1 to ${max}, or empty.` });
        return z.NEVER;
      }
      return n;
    });

/** The create form, as the browser sends it; the domain judges name, company and reason again. */
const createForm = z.object({
  name: z.string().trim().min(1, 'Give the connection a name, e.g. “Okta”.').max(100, 'A connection’s name is at most 100 characters.'),
  company: z.string().trim().min(1, 'Name the company whose people the connection brings in.').max(200, 'A company is at most 200 characters.'),
  reason: z.string().trim().min(1, 'Give the reason its offboardings carry, e.g. “Terminated in Okta”.'),
  adminUserId: z.string().min(1, 'Choose the admin the connection acts for.'),
  remindEveryDays: optionalDays(30, 'Reminders every'),
  escalateAfterDays: optionalDays(90, 'Escalate after'),
  deadlineDays: optionalDays(365, 'The deadline'),
  deadlineAction: z.union([z.literal(''), z.enum(DEADLINE_ACTIONS, { error: `At the deadline is one of ${DEADLINE_ACTIONS.join(', ')}.` })]),
  successor: z.enum(SUCCESSOR_CHOICES, { error: `Who takes over is ${SUCCESSOR_CHOICES.join(' or ')}.` }),
});

const refused = (code: RefusalCode | 'UNAVAILABLE', message: string): Flash => ({ kind: 'error', text: `${message} ${code === 'INVALID_INPUT' ? 'Nothing was changed.' : webHint(code)}`, code });

/** The scopes ticked, each a known one (the domain refuses others too, with the same words). */
function scopesOf(body: Record<string, string | File | (string | File)[]>): { ok: true; scopes: string[] } | { ok: false; flash: Flash } {
  const sent = allValues(body, 'scope');
  const unknown = sent.filter((s) => !(TOKEN_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) return { ok: false, flash: refused('INVALID_INPUT', `Unknown scope ${unknown.map((s) => `“${s.slice(0, 40)}”`).join(', ')}; a token’s scopes are ${TOKEN_SCOPES.join(', ')}.`) };
  if (sent.length === 0) return { ok: false, flash: refused('INVALID_INPUT', 'Tick at least one thing the token may do.') };
  return { ok: true, scopes: sent };
}

export function hrConnectionsRoutes(app: Hono<AppEnv>, deps: WebDeps): void {
  const { db } = deps;
  const scimUrl = `${deps.settings.publicUrl.replace(/\/$/, '')}/scim/v2`;


  async function page(c: Context<AppEnv>, flash: Flash | null, values: NewConnectionValues = {}, status: 200 | 400 = 200) {
    const list = await listConnections(db);
    const rows = await Promise.all(
      list.map(async (connection) => ({
        connection,
        changes: await recentScimChanges(db, connection.id),
        webhookDeliveries: <WebhookDeliveries rows={await recentWebhookDeliveries(db, connection.id)} caption={`Webhook deliveries of ${connection.name}, newest first`} />,
      })),
    );
    return c.html(
      <ConnectionsPage
        viewer={c.get('viewer')}
        csrf={c.get('csrfToken')}
        flash={flash}
        connections={rows}
        admins={await connectionAdminChoices(db)}
        companies={(await directoryFacets(db)).companies}
        values={values}
        nonce={() => randomUUID()}
      />,
      status,
    );
  }

  const shown = (c: Context<AppEnv>, connection: ConnectionInfo, tokenId: number, token: string, created: boolean) =>
    c.html(<TokenShownOnce viewer={c.get('viewer')} csrf={c.get('csrfToken')} connection={connection} tokenId={tokenId} token={token} created={created} scimUrl={scimUrl} />);

  /** A form sent again: the first one's change stands; its token was shown on the first answer only. */
  const again = (action: string, entityId: string): Flash =>
    action === 'connection.token-revoke'
      ? { kind: 'ok', text: `Token #${entityId} is revoked.` }
      : {
          kind: 'error',
          code: 'FORM_ALREADY_USED',
          text: `This form was already sent: ${action === 'connection.create' ? `connection #${entityId} was created` : `token #${entityId} was issued`} then, and its token was shown only on that answer. If it was not copied, issue another token and revoke that one.`,
        };

  app.get('/hr/connections', async (c) => {
    const session = c.get('session');
    return page(c, session ? await takeFlash(db, session) : null);
  });

  app.post('/hr/connections', async (c) => {
    const viewer = c.get('viewer')!;
    const body = await c.req.parseBody({ all: true });
    const values: NewConnectionValues = Object.fromEntries(
      (['name', 'company', 'reason', 'remindEveryDays', 'escalateAfterDays', 'deadlineDays', 'deadlineAction', 'successor', 'adminUserId'] as const).map((k) => [k, (oneValue(body, k) ?? '').slice(0, 600)]),
    );
    values.scopes = allValues(body, 'scope').filter((s) => (TOKEN_SCOPES as readonly string[]).includes(s));
    const requestId = requestIdField.safeParse(oneValue(body, 'requestId'));
    if (!requestId.success) return page(c, refused('INVALID_INPUT', 'The form was incomplete: reload the page.'), values, 400);
    const nonce = `web:${viewer.id}:${requestId.data}`;
    const done = await doneByRequest(db, nonce);
    if (done) return page(c, done.action === 'connection.create' ? again(done.action, done.entityId) : FORM_USED_FLASH);
    const form = createForm.safeParse(values);
    if (!form.success) return page(c, refused('INVALID_INPUT', form.error.issues[0]?.message ?? 'The form is not complete.'), values, 400);
    const admin = idField.safeParse(form.data.adminUserId);
    if (!admin.success) return page(c, refused('INVALID_INPUT', 'Choose the admin the connection acts for from the list.'), values, 400);
    const scopes = scopesOf(body);
    if (!scopes.ok) return page(c, scopes.flash, values, 400);
    const f = form.data;
    const policy = {
      reason: f.reason,
      ...(f.remindEveryDays !== undefined ? { remindEveryDays: f.remindEveryDays } : {}),
      ...(f.escalateAfterDays !== undefined ? { escalateAfterDays: f.escalateAfterDays } : {}),
      ...(f.deadlineDays !== undefined ? { deadlineDays: f.deadlineDays } : {}),
      ...(f.deadlineAction !== '' ? { deadlineAction: f.deadlineAction } : {}),
      successor: f.successor,
    };
    const outcome = await outcomeOf(() =>
      createConnection(db, {
        name: f.name,
        company: f.company,
        policy,
        adminUserId: admin.data,
        createdBy: `${viewer.name} (web)`,
        scopes: scopes.scopes,
        actorId: viewer.id,
        requestId: nonce,
      }),
    );
    if (!outcome.ok) {
      // The twin of a double submit lost the race on the audit row's request ID: the first one answered.
      const twin = await doneByRequest(db, nonce);
      if (twin) return page(c, again(twin.action, twin.entityId));
      const words =
        outcome.code === 'USER_NOT_FOUND' || outcome.code === 'PERMISSION_DENIED'
          ? 'The admin chosen is not an active company directory admin: a connection acts in the name of one. Choose another from the list.'
          : outcome.message;
      return page(c, refused(outcome.code === 'UNAVAILABLE' ? 'UNAVAILABLE' : 'INVALID_INPUT', words), values, 400);
    }
    const { connection, token } = outcome.value;
    deps.log('info', 'connection created', { connectionId: connection.id, by: viewer.id });
    return shown(c, connection, connection.tokens[0]!.id, token, true);
  });

  /** The connection named in the path, or a red banner on the page. */
  async function connectionOf(c: Context<AppEnv>): Promise<ConnectionInfo | Flash> {
    const id = idField.safeParse(c.req.param('connectionId'));
    const [connection] = id.success ? await listConnections(db, [id.data]) : [];
    return connection ?? refused('INVALID_INPUT', `There is no connection “${(c.req.param('connectionId') ?? '').slice(0, 20)}”.`);
  }

  app.post('/hr/connections/:connectionId/tokens', async (c) => {
    const viewer = c.get('viewer')!;
    const session = c.get('session')!;
    const say = async (flash: Flash) => {
      await setFlash(db, session.idHash, flash);
      return c.redirect('/hr/connections', 303);
    };
    const connection = await connectionOf(c);
    if ('kind' in connection) return say(connection);
    const body = await c.req.parseBody({ all: true });
    const requestId = requestIdField.safeParse(oneValue(body, 'requestId'));
    if (!requestId.success) return say(refused('INVALID_INPUT', 'The form was incomplete: reload the page.'));
    const nonce = `web:${viewer.id}:${requestId.data}`;
    const done = await doneByRequest(db, nonce);
    if (done) return say(done.action === 'connection.token-create' ? again(done.action, done.entityId) : FORM_USED_FLASH);
    const scopes = scopesOf(body);
    if (!scopes.ok) return say(scopes.flash);
    const outcome = await outcomeOf(() => createConnectionToken(db, connection.id, { createdBy: `${viewer.name} (web)`, actorId: viewer.id, requestId: nonce }, scopes.scopes));
    if (!outcome.ok) {
      const twin = await doneByRequest(db, nonce);
      return say(twin ? again(twin.action, twin.entityId) : refused(outcome.code, outcome.message));
    }
    deps.log('info', 'connection token issued', { connectionId: connection.id, tokenId: outcome.value.info.id, by: viewer.id });
    return shown(c, connection, outcome.value.info.id, outcome.value.token, false);
  });

  app.post('/hr/connections/:connectionId/tokens/:tokenId/revoke', async (c) => {
    const viewer = c.get('viewer')!;
    const session = c.get('session')!;
    const say = async (flash: Flash) => {
      await setFlash(db, session.idHash, flash);
      return c.redirect('/hr/connections', 303);
    };
    const connection = await connectionOf(c);
    if ('kind' in connection) return say(connection);
    const body = await c.req.parseBody();
    const requestId = requestIdField.safeParse(body.requestId);
    if (!requestId.success) return say(refused('INVALID_INPUT', 'The form was incomplete: reload the page.'));
    const tokenId = idField.safeParse(c.req.param('tokenId'));
    if (!tokenId.success) return say(refused('INVALID_INPUT', `There is no token “${(c.req.param('tokenId') ?? '').slice(0, 20)}” in ${connection.name}.`));
    const nonce = `web:${viewer.id}:${requestId.data}`;
    const done = await doneByRequest(db, nonce);
    if (done) return say(done.action === 'connection.token-revoke' && done.entityId === String(tokenId.data) ? again(done.action, done.entityId) : FORM_USED_FLASH);
    const outcome = await outcomeOf(() =>
      revokeConnectionToken(db, tokenId.data, { createdBy: `${viewer.name} (web)`, actorId: viewer.id, requestId: nonce }, { connectionId: connection.id }),
    );
    if (!outcome.ok) {
      const twin = await doneByRequest(db, nonce);
      return say(twin ? again(twin.action, twin.entityId) : refused(outcome.code, outcome.message.replace(/; `offboard connections list` shows them\./, '.')));
    }
    deps.log('info', 'connection token revoked', { connectionId: connection.id, tokenId: tokenId.data, by: viewer.id });
    return say({ kind: 'ok', text: `Token #${tokenId.data} of ${connection.name} is revoked: the next request with it is refused.` });
  });
}
