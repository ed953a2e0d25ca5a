// Who an imported record names: people by email (any case) or by their identity provider's ID. One
// query per kind of reference for a whole call, never one per person.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/transaction';
import type { PersonRef } from './work-import-records';

export type ImportedPerson = { id: number; status: 'active' | 'inactive' };

/** How a reference is looked up in the map `resolvePeople` answers. */
export function personKey(ref: PersonRef): string {
  return 'email' in ref ? `email:${ref.email.toLowerCase()}` : `external:${ref.externalId}`;
}

export function describePerson(ref: PersonRef): string {
  return 'email' in ref ? ref.email : `external ID "${ref.externalId}"`;
}

type Row = { ref: string; id: number; status: 'active' | 'inactive' };

async function usersByEmail(tx: DbOrTx, emails: readonly string[]): Promise<Row[]> {
  if (emails.length === 0) return [];
  return tx.execute<Row>(sql`
    select lower(u.email) as ref, u.id, u.status::text as status
      from users u
     where lower(u.email) in (select value from jsonb_array_elements_text(${JSON.stringify(emails)}::jsonb))`);
}

/**
 * The identity provider's IDs (users.external_id, written by the SCIM connections). Kept apart: it is
 * the one lookup that depends on that column, and an ID two people share names nobody (see below).
 */
async function usersByExternalId(tx: DbOrTx, ids: readonly string[]): Promise<Row[]> {
  if (ids.length === 0) return [];
  return tx.execute<Row>(sql`
    select u.external_id as ref, u.id, u.status::text as status
      from users u
     where u.external_id in (select value from jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`);
}

/**
 * The people the references name, by `personKey`. A reference that matches nobody is absent; one
 * that matches several people (an external ID two connections gave out) is absent too: guessing
 * would give an item to the wrong person.
 */
export async function resolvePeople(tx: DbOrTx, refs: readonly PersonRef[]): Promise<Map<string, ImportedPerson>> {
  const emails = new Set<string>();
  const externalIds = new Set<string>();
  for (const r of refs) {
    if ('email' in r) emails.add(r.email.toLowerCase());
    else externalIds.add(r.externalId);
  }
  const found = new Map<string, ImportedPerson>();
  const ambiguous = new Set<string>();
  const add = (prefix: string, rows: readonly Row[]) => {
    for (const row of rows) {
      const key = `${prefix}:${row.ref}`;
      if (found.has(key)) ambiguous.add(key);
      found.set(key, { id: row.id, status: row.status });
    }
  };
  add('email', await usersByEmail(tx, [...emails]));
  add('external', await usersByExternalId(tx, [...externalIds]));
  for (const key of ambiguous) found.delete(key);
  return found;
}
