// How each tool's imported items are written: the table, its columns, the column that holds a person
// (an RFI's manager) and the assignment table whose rows do (an RFI's assignees). Every write is one
// statement for all of a call's items of a tool: a multi-row INSERT … ON CONFLICT (external_id) DO
// UPDATE that only touches rows whose values differ (IS DISTINCT FROM), and says which rows it
// created (`xmax = 0`: a row no earlier transaction wrote) and which it updated.
import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/transaction';
import type { Role, Tool } from '../workflows/contract';

/** One column written from the import: its name and PostgreSQL type (for jsonb_to_recordset). */
export type ImportColumn = { name: string; type: string };

export type ItemTableSql = {
  table: string;
  /** The columns besides external_id, in the order of the rows' values. */
  columns: readonly ImportColumn[];
  /** A role held through a column of the item row, and that column. */
  holder?: { role: Role; column: string };
  /** A role held through rows of an assignment table. */
  rows?: { role: Role; table: string; itemColumn: string };
};

const numbered = (status: string, titleColumn = 'title'): ImportColumn[] => [
  { name: 'project_id', type: 'integer' },
  { name: 'number', type: 'text' },
  { name: titleColumn, type: 'text' },
  { name: 'status', type: status },
];

export const ITEM_TABLES: Readonly<Record<Tool, ItemTableSql>> = {
  rfi: {
    table: 'rfis',
    columns: [...numbered('rfi_status', 'subject'), { name: 'manager_id', type: 'integer' }],
    holder: { role: 'manager', column: 'manager_id' },
    rows: { role: 'assignee', table: 'rfi_assignees', itemColumn: 'rfi_id' },
  },
  submittal: {
    table: 'submittals',
    columns: [...numbered('submittal_status'), { name: 'manager_id', type: 'integer' }],
    holder: { role: 'manager', column: 'manager_id' },
    // New approvers start with a pending response; one they already gave is kept on re-import.
    rows: { role: 'approver', table: 'submittal_approvers', itemColumn: 'submittal_id' },
  },
  observation: {
    table: 'observations',
    columns: [...numbered('observation_status'), { name: 'assignee_id', type: 'integer' }],
    holder: { role: 'assignee', column: 'assignee_id' },
  },
  'meeting-item': {
    table: 'meeting_items',
    columns: [
      { name: 'meeting_id', type: 'integer' },
      { name: 'number', type: 'text' },
      { name: 'title', type: 'text' },
      { name: 'status', type: 'meeting_item_status' },
    ],
    rows: { role: 'assignee', table: 'meeting_item_assignees', itemColumn: 'meeting_item_id' },
  },
  inspection: {
    table: 'inspections',
    columns: [...numbered('inspection_status'), { name: 'responsible_contractor', type: 'text' }, { name: 'point_of_contact_id', type: 'integer' }],
    holder: { role: 'point-of-contact', column: 'point_of_contact_id' },
  },
  defect: {
    table: 'defect_items',
    columns: [...numbered('defect_status'), { name: 'assigned_to_id', type: 'integer' }],
    holder: { role: 'assigned-to', column: 'assigned_to_id' },
  },
  timecard: {
    table: 'timecard_entries',
    columns: [
      { name: 'project_id', type: 'integer' },
      { name: 'user_id', type: 'integer' },
      { name: 'work_date', type: 'date' },
      { name: 'hours', type: 'numeric' },
      { name: 'is_final', type: 'boolean' },
    ],
    holder: { role: 'employee', column: 'user_id' },
  },
};

/** Meetings, upserted before their items by the meeting's own external ID. */
export const MEETINGS_TABLE: ItemTableSql = {
  table: 'meetings',
  columns: [
    { name: 'project_id', type: 'integer' },
    { name: 'title', type: 'text' },
    { name: 'meeting_date', type: 'date' },
  ],
};

export type UpsertRow = { external_id: string } & Record<string, string | number | boolean | null>;
export type Upserted = { id: number; externalId: string; created: boolean };

const ident = (name: string): SQL => sql.raw(`"${name.replaceAll('"', '""')}"`);

/**
 * Upserts `rows` into the table in one statement; answers every row's ID and whether it was created
 * or updated. Rows whose values are all the same are not written (no new row version, updated_at kept)
 * and answered with `unchanged` by the caller, from `ids`.
 */
export async function upsertRows(
  tx: Tx,
  spec: ItemTableSql,
  rows: readonly UpsertRow[],
): Promise<{ written: Upserted[]; ids: Map<string, number> }> {
  if (rows.length === 0) return { written: [], ids: new Map() };
  const t = ident(spec.table);
  const cols = spec.columns.map((c) => ident(c.name));
  const recordType = sql.raw(['external_id text', ...spec.columns.map((c) => `"${c.name}" ${c.type}`)].join(', '));
  const payload = JSON.stringify(rows);
  const written = await tx.execute<{ id: number; external_id: string; created: boolean }>(sql`
    insert into ${t} (external_id, ${sql.join(cols, sql`, `)})
    select x.external_id, ${sql.join(cols.map((c) => sql`x.${c}`), sql`, `)}
      from jsonb_to_recordset(${payload}::jsonb) as x(${recordType})
    on conflict (external_id) do update
       set ${sql.join(cols.map((c) => sql`${c} = excluded.${c}`), sql`, `)}, updated_at = now()
     where (${sql.join(cols.map((c) => sql`${t}.${c}`), sql`, `)}) is distinct from (${sql.join(cols.map((c) => sql`excluded.${c}`), sql`, `)})
    returning id, external_id, (xmax = 0) as created`);
  const ids = new Map<string, number>(written.map((r) => [r.external_id, r.id]));
  if (ids.size < rows.length) {
    // The unchanged rows: the statement locked them (ON CONFLICT does) but does not return them.
    const missing = rows.filter((r) => !ids.has(r.external_id)).map((r) => r.external_id);
    const found = await tx.execute<{ id: number; external_id: string }>(sql`
      select id, external_id from ${t} where external_id in (select value from jsonb_array_elements_text(${JSON.stringify(missing)}::jsonb))`);
    for (const r of found) ids.set(r.external_id, r.id);
  }
  return { written: written.map((r) => ({ id: r.id, externalId: r.external_id, created: r.created })), ids };
}

/**
 * Makes the assignment rows of the given items exactly `desired` (item ID, user ID) in one statement:
 * adds the missing rows, removes the others. Answers the IDs of items whose rows changed.
 */
export async function syncAssignmentRows(
  tx: Tx,
  rows: NonNullable<ItemTableSql['rows']>,
  itemIds: readonly number[],
  desired: readonly { item_id: number; user_id: number }[],
): Promise<Set<number>> {
  if (itemIds.length === 0) return new Set();
  const t = ident(rows.table);
  const itemColumn = ident(rows.itemColumn);
  const changed = await tx.execute<{ item_id: number }>(sql`
    with desired as (select * from jsonb_to_recordset(${JSON.stringify(desired)}::jsonb) as d(item_id integer, user_id integer)),
    removed as (
      delete from ${t} r
       where r.${itemColumn} in (select value::int from jsonb_array_elements_text(${JSON.stringify(itemIds)}::jsonb))
         and not exists (select 1 from desired d where d.item_id = r.${itemColumn} and d.user_id = r.user_id)
      returning r.${itemColumn} as item_id),
    added as (
      insert into ${t} (${itemColumn}, user_id) select item_id, user_id from desired
      on conflict do nothing
      returning ${itemColumn} as item_id)
    select item_id from removed union select item_id from added`);
  return new Set(changed.map((r) => r.item_id));
}
