// The name of an item for the banner after an action ("RFI-001 reassigned to Grace Liu"), read from
// its tool's table by key, so the banner never repeats text the browser sent.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/transaction';
import { parseItemKey } from '../workflows/contract';
import { itemName } from './item-words';
import { toolRoleSpec } from './tool-roles';

export async function itemNameOf(db: DbOrTx, itemKey: string): Promise<string> {
  const key = parseItemKey(itemKey);
  if (!key) return itemKey;
  const spec = toolRoleSpec(key.tool, key.role);
  if (!spec || spec.kind === 'employee') return itemName({ tool: key.tool, number: '', title: '' });
  const { item } = spec;
  const [row] = await db.execute<{ number: string; title: string }>(
    sql`select ${item.number} as number, ${item.title} as title from ${item.table} where ${item.id} = ${key.itemId}`,
  );
  return row ? itemName({ tool: key.tool, number: row.number, title: row.title }) : itemKey;
}
