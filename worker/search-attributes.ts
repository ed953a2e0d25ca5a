// The project's custom search attributes on a Temporal server that was started elsewhere
// (TEMPORAL_ADDRESS, docker): the worker registers them at start, and so does `npm start`. Its own
// dev server gets them as start-dev flags instead. Here, not beside the dev server, because the
// worker process needs it and the launchers are no part of that process.
import type { Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../workflows/contract';

type IndexedValueType = temporal.api.enums.v1.IndexedValueType;
// temporal.api.enums.v1.IndexedValueType values (the proto package is CommonJS; its enum objects do
// not import cleanly under Node's ESM loader, so the wire numbers are spelled out).
export const INDEXED_TYPE: Record<'Keyword' | 'Int' | 'Datetime', IndexedValueType> = {
  Keyword: 2,
  Int: 3,
  Datetime: 6,
};
const TYPE_NAME: Record<number, string> = { 1: 'Text', 2: 'Keyword', 3: 'Int', 4: 'Double', 5: 'Bool', 6: 'Datetime', 7: 'KeywordList' };

/**
 * Registers SEARCH_ATTRIBUTE_REGISTRATIONS on an existing server (TEMPORAL_ADDRESS, docker).
 * Idempotent: attributes already present with the same type are left alone; one present with a
 * different type is an error naming it.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const custom = existing.customAttributes ?? {};
  const missing: Record<string, IndexedValueType> = {};
  for (const sa of SEARCH_ATTRIBUTE_REGISTRATIONS) {
    const want = INDEXED_TYPE[sa.type];
    const have = custom[sa.name];
    if (have === undefined || have === null) missing[sa.name] = want;
    else if (have !== want) {
      throw new Error(
        `search attribute ${sa.name} exists in namespace ${namespace} with another type (${TYPE_NAME[have] ?? have}); expected ${sa.type}`,
      );
    }
  }
  const names = Object.keys(missing);
  if (names.length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  }
  return names;
}
