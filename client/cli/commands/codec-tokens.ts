// offboard codec-tokens create --name <text> --for <admin> · codec-tokens list · codec-tokens revoke <id>
// Tokens for `temporal workflow show --codec-endpoint … --codec-auth "Bearer <token>"`.
import { z } from 'zod';
import { createCodecToken, listCodecTokens, revokeCodecToken } from '../../../domain/codec-tokens';
import { type Command, flags, requiredText, resolveUser, userLabel } from '../common';
import { UsageError } from '../exit-codes';
import { refuse } from '../../../workflows/contract';
import { refusalOf } from '../../refusals';

const COLUMNS = [
  { key: 'id', title: 'ID', align: 'right' as const },
  { key: 'name', title: 'NAME', max: 30 },
  { key: 'actsForUserId', title: 'ACTS FOR', align: 'right' as const },
  { key: 'scopes', title: 'SCOPES' },
  { key: 'createdAt', title: 'CREATED' },
  { key: 'lastUsedAt', title: 'LAST USED' },
  { key: 'revokedAt', title: 'REVOKED' },
];

const tokenId = z.string().regex(/^[1-9][0-9]{0,9}$/, 'must be a token ID (a number from `offboard codec-tokens list`)').transform(Number);

export const codecTokens: Command = {
  name: 'codec-tokens',
  synopsis: 'codec-tokens create --name <text> --for <admin> | list | revoke <id>',
  summary: 'Tokens for the codec server: let `temporal workflow show --codec-auth` decode encrypted payloads',
  help: [
    'create --name <text> --for <admin>   a token acting for that company directory admin; printed once',
    'list                                  every token (never the value)',
    'revoke <id>                           the token stops working at once',
    'Then: temporal workflow show -w <id> --codec-endpoint <WEB_PUBLIC_URL>/codec --codec-auth "Bearer <token>"',
  ],
  options: { name: { type: 'string' }, for: { type: 'string' } },
  positionals: { min: 1, max: 2, names: '<create|list|revoke> [<id>]' },
  async run(ctx, { positionals, values }) {
    const [action, id] = positionals;
    const db = await ctx.conn.db();
    if (action === 'create') {
      if (id !== undefined) throw new UsageError(`unexpected argument "${id.slice(0, 40)}"`, 'codec-tokens');
      const f = flags('codec-tokens', z.object({ name: requiredText, for: requiredText }), values);
      const admin = await resolveUser(db, f.for);
      const { token, info } = await createCodecToken(db, { name: f.name, actsForUserId: admin.id, createdBy: 'cli' });
      ctx.out.data({ ...info, token });
      ctx.out.line(`Codec token ${info.id} "${info.name}" acts for ${userLabel(admin)}. It is shown only now:`);
      ctx.out.line(token);
      return;
    }
    if (values.name !== undefined || values.for !== undefined) throw new UsageError('--name and --for go with create', 'codec-tokens');
    if (action === 'list') {
      if (id !== undefined) throw new UsageError(`unexpected argument "${id.slice(0, 40)}"`, 'codec-tokens');
      const rows = await listCodecTokens(db);
      ctx.out.data(rows);
      if (rows.length === 0) ctx.out.line('No codec tokens. Create one with `offboard codec-tokens create --name <text> --for <admin>`.');
      else ctx.out.table(COLUMNS, rows.map((r) => ({ ...r, scopes: r.scopes.join(' ') })));
      return;
    }
    if (action === 'revoke') {
      const parsed = tokenId.safeParse(id);
      if (!parsed.success) throw new UsageError(`<id> ${parsed.error.issues[0]?.message ?? 'is required'}`, 'codec-tokens');
      const info = await revokeCodecToken(db, parsed.data).catch((e: unknown) => {
        // The domain says which ID is unknown; where to look it up is the CLI's to say.
        const r = refusalOf(e);
        if (r?.code === 'INVALID_INPUT') refuse('INVALID_INPUT', `${r.message.replace(/\.$/, '')}; \`offboard codec-tokens list\` shows them.`);
        throw e;
      });
      ctx.out.data(info);
      ctx.out.line(`Codec token ${info.id} "${info.name}" is revoked.`);
      return;
    }
    throw new UsageError(`"${String(action).slice(0, 40)}" is not create, list or revoke`, 'codec-tokens');
  },
};
