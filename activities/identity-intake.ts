// The identity-provider intake's activities: thin adapters over domain/identity-intake.ts.
import type { Database } from '../db/client';
import { prepareIntakeBatch, recordIntakeDrop } from '../domain/identity-intake';
import type { PrepareIntakeBatchInput, RecordIntakeDropInput } from '../workflows/contract';

export function createIntakeActivities(deps: { db: Database }) {
  return {
    prepareIntakeBatch: (input: PrepareIntakeBatchInput) => prepareIntakeBatch(deps.db, input),
    recordIntakeDrop: (input: RecordIntakeDropInput) => recordIntakeDrop(deps.db, input),
  };
}
