// offboard report [<user>...] [--csv] · users [--inactive] [--project <id>] · reactivate <user> --by <admin> [--reason <text>]
// · list [--stage <stage>] [--batch <id>]
import { z } from 'zod';
import { assignmentReport, inactiveUsers, listUsers } from '../../../domain/directory';
import { requireProject } from '../../../domain/projects';
import { BATCH_ID_PATTERN, MAX_REASON_LENGTH, parseIdText, USER_STAGES } from '../../../workflows/contract';
import { type Command, flags, operationsOf, resolveUser } from '../common';
import { listOffboardings, reactivateUser } from '../../operations';
import { assignmentReportCsv } from '../../report-csv';
import { UsageError } from '../exit-codes';
import { ago } from '../output';

export const report: Command = {
  name: 'report',
  synopsis: 'report [<user>...] [--csv]',
  summary: 'Assignment Report: open items by responsible user (from the database; works before any offboarding)',
  help: [
    'Without users: every user with open items. With users: those users, including ones with nothing open.',
    '--csv   the report as CSV (RFC 4180, formula-looking cells neutralised), as the web app’s Download CSV',
  ],
  options: { csv: { type: 'boolean' } },
  positionals: { min: 0, max: Infinity, names: '[<user>...]' },
  async run(ctx, { positionals, values }) {
    const f = flags('report', z.object({ csv: z.boolean().default(false) }), values);
    if (f.csv && ctx.out.json) throw new UsageError('--csv and --json are two formats: choose one', 'report');
    const db = await ctx.conn.db();
    const ids: number[] = [];
    for (const ref of positionals) ids.push((await resolveUser(db, ref)).id);
    if (f.csv) {
      // The web's CSV (client/report-csv.ts), a cursor chunk at a time; one header for several users.
      const filters = ids.length === 0 ? [{}] : ids.map((userId) => ({ userId }));
      for (const [i, filter] of filters.entries()) {
        for await (const text of assignmentReportCsv(db, filter, { header: i === 0 })) ctx.out.raw(text);
      }
      return;
    }
    const rows = await assignmentReport(db, positionals.length > 0 ? ids : undefined);
    ctx.out.data(rows);
    if (rows.length === 0) ctx.out.line('Nobody has open items.');
    for (const r of rows) {
      ctx.out.line(`${r.userName} (${r.userId})${r.status === 'inactive' ? ' [inactive]' : ''}: ${r.items.length} open item(s)`);
      if (r.items.length === 0) continue;
      ctx.out.table(
        [
          { key: 'tool', title: 'TOOL' },
          { key: 'key', title: 'ITEM KEY' },
          { key: 'projectName', title: 'PROJECT', max: 24 },
          { key: 'number', title: 'NO.' },
          { key: 'title', title: 'TITLE', max: 40 },
          { key: 'status', title: 'STATUS' },
        ],
        r.items,
      );
      ctx.out.line();
    }
  },
};

const projectId = z
  .string()
  .refine((v) => parseIdText(v) !== undefined, 'must be a project ID (a positive number)')
  .transform((v) => parseIdText(v) ?? 0)
  .optional();

export const users: Command = {
  name: 'users',
  synopsis: 'users [--inactive] [--project <id>]',
  summary: 'The directory: active users (permission, manager, employee) or, with --inactive, who was inactivated when, by whom and why',
  help: ['--inactive       the inactive users view', '--project <id>   only members of that project'],
  options: { inactive: { type: 'boolean' }, project: { type: 'string' } },
  positionals: { min: 0, max: 0, names: '' },
  async run(ctx, { values }) {
    const f = flags('users', z.object({ inactive: z.boolean().default(false), project: projectId }), values);
    const db = await ctx.conn.db();
    if (f.project !== undefined) await requireProject(db, f.project);
    const options = f.project === undefined ? {} : { projectId: f.project };
    if (f.inactive) {
      const rows = await inactiveUsers(db, options);
      ctx.out.data(rows);
      ctx.out.line(`${rows.length} inactive user(s)${f.project ? ` in project ${f.project}` : ''}:`);
      ctx.out.table(
        [
          { key: 'id', title: 'ID', align: 'right' },
          { key: 'name', title: 'NAME', max: 28 },
          { key: 'email', title: 'EMAIL', max: 36 },
          { key: 'inactivatedAt', title: 'INACTIVATED AT' },
          { key: 'by', title: 'BY', max: 28 },
          { key: 'reason', title: 'REASON', max: 50 },
        ],
        rows.map((r) => ({ ...r, by: r.inactivatedBy ? `${r.inactivatedBy.name} (${r.inactivatedBy.id})` : null })),
      );
      return;
    }
    const rows = await listUsers(db, options);
    ctx.out.data(rows);
    ctx.out.line(`${rows.length} active user(s)${f.project ? ` in project ${f.project}` : ''}:`);
    ctx.out.table(
      [
        { key: 'id', title: 'ID', align: 'right' },
        { key: 'name', title: 'NAME', max: 28 },
        { key: 'email', title: 'EMAIL', max: 36 },
        { key: 'company', title: 'COMPANY', max: 20 },
        { key: 'permission', title: 'PERMISSION' },
        { key: 'manager', title: 'MANAGER', max: 28 },
        { key: 'isEmployee', title: 'EMPLOYEE' },
      ],
      rows.map((r) => ({
        ...r,
        permission: r.projectPermission ? `${r.directoryPermission} / project ${r.projectPermission}` : r.directoryPermission,
        manager: r.manager ? `${r.manager.name} (${r.manager.id})` : null,
      })),
    );
  },
};

export const reactivate: Command = {
  name: 'reactivate',
  synopsis: 'reactivate <user> --by <admin> [--reason <text>]',
  summary: 'Reactivate an inactive user (directory admin), and tell the people concerned',
  help: ['--by <admin>      a company directory admin, or an admin of one of the user’s projects (required)', `--reason <text>   why (at most ${MAX_REASON_LENGTH} characters)`],
  options: { by: { type: 'string' }, reason: { type: 'string' } },
  positionals: { min: 1, max: 1, names: '<user>' },
  async run(ctx, { values, positionals }) {
    const f = flags('reactivate', z.object({ by: z.string({ error: 'is required (the admin doing this)' }).trim().min(1), reason: z.string().optional() }), values);
    const db = await ctx.conn.db();
    const u = await resolveUser(db, positionals[0] ?? '');
    const by = await resolveUser(db, f.by);
    const result = await reactivateUser(operationsOf(ctx), by.id, u, f.reason ?? null);
    ctx.out.data(result);
    ctx.out.line(`Reactivated ${u.name} (${u.id}) at ${result.reactivatedAt}; they can be chosen as an assignee again.`);
  },
};

const stageSchema = z.enum(USER_STAGES, { error: `must be one of ${USER_STAGES.join(', ')}` }).optional();

export const list: Command = {
  name: 'list',
  synopsis: 'list [--stage <stage>] [--batch <id>]',
  summary: 'Running offboardings from Temporal visibility (the search attributes ops filter on in the Web UI)',
  help: [
    `--stage <stage>   one of ${USER_STAGES.join(', ')} (with a final stage, ended offboardings are listed too)`,
    '--batch <id>      only users of that batch',
    'Visibility is eventually consistent: a change can take a second to show.',
  ],
  options: { stage: { type: 'string' }, batch: { type: 'string' } },
  positionals: { min: 0, max: 0, names: '' },
  async run(ctx, { values }) {
    const f = flags('list', z.object({ stage: stageSchema, batch: z.string().optional() }), values);
    if (f.batch !== undefined && !BATCH_ID_PATTERN.test(f.batch)) throw new UsageError('--batch must be a batch ID', 'list');
    const { query, workflows: rows } = await listOffboardings(operationsOf(ctx), { ...(f.stage ? { stage: f.stage } : {}), ...(f.batch ? { batchId: f.batch } : {}) });
    ctx.out.data({ query, workflows: rows });
    ctx.out.line(`${rows.length} offboarding(s) — ${query}`);
    ctx.out.table(
      [
        { key: 'userId', title: 'USER', align: 'right' },
        { key: 'batchId', title: 'BATCH' },
        { key: 'stage', title: 'STAGE' },
        { key: 'openItems', title: 'OPEN ITEMS', align: 'right' },
        { key: 'waiting', title: 'WAITING' },
        { key: 'status', title: 'STATUS' },
        { key: 'workflowId', title: 'WORKFLOW ID' },
      ],
      rows.map((r) => ({ ...r, waiting: typeof r.waitingSince === 'string' ? ago(r.waitingSince) : null })),
    );
  },
};
