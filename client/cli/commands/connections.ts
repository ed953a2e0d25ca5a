// offboard connections create --name <text> --company <text> --for <admin> --reason <text> [policy]
//                    · connections list · connections token <connection-id> · connections revoke <token-id>
// An identity provider's connection (SCIM at <WEB_PUBLIC_URL>/scim/v2): its bearer token is printed
// once, last and alone on its line, so `| tail -1` hands it to a provider's setup.
import { z } from 'zod';
import { SUCCESSOR_CHOICES } from '../../../domain/connection-policy';
import { createConnection, createConnectionToken, listConnections, revokeConnectionToken, TOKEN_SCOPES } from '../../../domain/connections';
import { DEADLINE_ACTIONS } from '../../../workflows/contract';
import { type Command, flags, requiredText, resolveUser, userLabel } from '../common';
import { UsageError } from '../exit-codes';

const COLUMNS = [
  { key: 'id', title: 'ID', align: 'right' as const },
  { key: 'name', title: 'NAME', max: 30 },
  { key: 'company', title: 'COMPANY', max: 30 },
  { key: 'admin', title: 'ACTS FOR', max: 30 },
  { key: 'tokens', title: 'TOKENS (ID [SCOPES]: LAST USED)' },
  { key: 'disabledAt', title: 'DISABLED' },
];

const positiveId = (what: string) => z.string().regex(/^[1-9][0-9]{0,9}$/, `must be a ${what} ID (a number from \`offboard connections list\`)`).transform(Number);
const days = (max: number) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/, `must be a whole number of days from 1 to ${max}`)
    .transform(Number)
    .refine((n) => n <= max, `must be a whole number of days from 1 to ${max}`)
    .optional();

const createFlags = z.object({
  name: requiredText,
  company: requiredText,
  for: requiredText,
  reason: requiredText,
  'remind-every': days(30),
  'escalate-after': days(90),
  deadline: days(365),
  'deadline-action': z.enum(DEADLINE_ACTIONS, { error: `must be ${DEADLINE_ACTIONS.join(' or ')}` }).optional(),
  successor: z.enum(SUCCESSOR_CHOICES, { error: `must be ${SUCCESSOR_CHOICES.join(' or ')}` }).optional(),
});
const CREATE_ONLY = ['name', 'company', 'for', 'reason', 'remind-every', 'escalate-after', 'deadline', 'deadline-action', 'successor'] as const;

const scopesOf = (values: Record<string, unknown>): string[] | undefined => {
  const v = values.scope;
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : undefined;
};

export const connectionsCommand: Command = {
  name: 'connections',
  synopsis: 'connections create --name <text> --company <text> --for <admin> --reason <text> | list | token <id> | revoke <token-id>',
  summary: 'Identity-provider connections (SCIM): people come from Okta or Entra ID, a deprovisioning starts an offboarding',
  help: [
    'create --name <text> --company <text> --for <admin> --reason <text>',
    '       [--remind-every <days>] [--escalate-after <days>] [--deadline <days> [--deadline-action <action>]]',
    '       [--successor manager|none]   a connection for that company, acting for that company directory admin;',
    '                                    its token is printed once, on the last line',
    'list                                every connection and its tokens (never their values)',
    'token <connection-id>               another token for the connection (to rotate), printed once',
    `--scope <scope>                     with create or token, repeatable: what the token may do (default scim):`,
    `                                    ${TOKEN_SCOPES.join(', ')}`,
    'revoke <token-id>                   the token stops working at once',
    'Then, in the identity provider: SCIM base URL <WEB_PUBLIC_URL>/scim/v2, bearer token as printed.',
  ],
  options: {
    name: { type: 'string' },
    company: { type: 'string' },
    for: { type: 'string' },
    reason: { type: 'string' },
    'remind-every': { type: 'string' },
    'escalate-after': { type: 'string' },
    deadline: { type: 'string' },
    'deadline-action': { type: 'string' },
    successor: { type: 'string' },
    scope: { type: 'string', multiple: true },
  },
  positionals: { min: 1, max: 2, names: '<create|list|token|revoke> [<id>]' },
  async run(ctx, { positionals, values }) {
    const [action, id] = positionals;
    const db = await ctx.conn.db();
    if (action === 'create') {
      if (id !== undefined) throw new UsageError(`unexpected argument "${id.slice(0, 40)}"`, 'connections');
      const f = flags('connections', createFlags, values);
      const admin = await resolveUser(db, f.for);
      const policy = {
        reason: f.reason,
        ...(f['remind-every'] !== undefined ? { remindEveryDays: f['remind-every'] } : {}),
        ...(f['escalate-after'] !== undefined ? { escalateAfterDays: f['escalate-after'] } : {}),
        ...(f.deadline !== undefined ? { deadlineDays: f.deadline } : {}),
        ...(f['deadline-action'] !== undefined ? { deadlineAction: f['deadline-action'] } : {}),
        successor: f.successor ?? 'manager',
      };
      const { token, connection } = await createConnection(db, { name: f.name, company: f.company, policy, adminUserId: admin.id, createdBy: 'cli', scopes: scopesOf(values) });
      ctx.out.data({ ...connection, token });
      ctx.out.line(`Connection ${connection.id} "${connection.name}" provisions ${connection.company} and acts for ${userLabel(admin)}.`);
      ctx.out.line('SCIM base URL: <WEB_PUBLIC_URL>/scim/v2. The bearer token is shown only now:');
      ctx.out.line(token);
      return;
    }
    const extra = CREATE_ONLY.find((k) => values[k] !== undefined);
    if (extra) throw new UsageError(`--${extra} goes with create`, 'connections');
    if (values.scope !== undefined && action !== 'token') throw new UsageError('--scope goes with create or token', 'connections');
    if (action === 'list') {
      if (id !== undefined) throw new UsageError(`unexpected argument "${id.slice(0, 40)}"`, 'connections');
      const rows = await listConnections(db);
      ctx.out.data(rows);
      if (rows.length === 0) ctx.out.line('No connections. Create one with `offboard connections create --name <text> --company <text> --for <admin> --reason <text>`.');
      else
        ctx.out.table(
          COLUMNS,
          rows.map((r) => ({
            ...r,
            admin: `${r.adminName} (${r.adminUserId})`,
            tokens: r.tokens.map((t) => `${t.id} [${t.scopes.join(' ')}]: ${t.revokedAt ? 'revoked' : (t.lastUsedAt?.toISOString() ?? 'never used')}`).join(', '),
          })),
        );
      return;
    }
    if (action === 'token') {
      const parsed = positiveId('connection').safeParse(id);
      if (!parsed.success) throw new UsageError(`<id> ${parsed.error.issues[0]?.message ?? 'is required'}`, 'connections');
      const { token, info } = await createConnectionToken(db, parsed.data, 'cli', scopesOf(values));
      ctx.out.data({ ...info, token });
      ctx.out.line(`Token ${info.id} of connection ${info.connectionId} is shown only now:`);
      ctx.out.line(token);
      return;
    }
    if (action === 'revoke') {
      const parsed = positiveId('token').safeParse(id);
      if (!parsed.success) throw new UsageError(`<token-id> ${parsed.error.issues[0]?.message ?? 'is required'}`, 'connections');
      const info = await revokeConnectionToken(db, parsed.data);
      ctx.out.data(info);
      ctx.out.line(`Token ${info.id} of connection ${info.connectionId} is revoked.`);
      return;
    }
    throw new UsageError(`"${String(action).slice(0, 40)}" is not create, list, token or revoke`, 'connections');
  },
};
