// Importing the tools' work (domain/work-import.ts), for every way in: `offboard import` now, the JSON
// API later. The records go to the database directly (they are the tools' data, not a step of an
// offboarding); then each offboarding whose leaver was named on an item that changed re-checks their
// open items — the same "done, please re-check" a manager sends, in the importing admin's name — so
// an item that arrives held by someone being offboarded becomes part of that offboarding at once.
import { importWork as importWorkInDatabase, type ImportResult } from '../../domain/work-import';
import type { ImportRecord } from '../../domain/work-import-records';
import { type RefusalCode } from '../../workflows/contract';
import { refusalOf } from '../refusals';
import type { OperationsContext } from './context';
import { recheck } from './user-offboarding';

export type RecheckOutcome = { userId: number; workflowId: string; rechecked: boolean; note?: string };

export type ImportWorkResult = ImportResult & { rechecks: RecheckOutcome[] };

/**
 * Not waiting for reassignment (still scanning, waiting for its effective date, inactivating) or
 * ended meanwhile: that offboarding scans the database again on its own before it inactivates.
 */
const RESCANS_ANYWAY: ReadonlySet<RefusalCode> = new Set(['OFFBOARDING_NOT_WAITING', 'OFFBOARDING_NOT_FOUND']);

export async function importWork(ctx: OperationsContext, actorId: number, records: readonly ImportRecord[]): Promise<ImportWorkResult> {
  const result = await importWorkInDatabase(await ctx.db(), records, { actorId });
  const rechecks: RecheckOutcome[] = [];
  for (const o of result.offboardingsToRecheck) {
    try {
      await recheck(ctx, actorId, { id: o.userId, name: `User ${o.userId}` });
      rechecks.push({ userId: o.userId, workflowId: o.workflowId, rechecked: true });
    } catch (e) {
      // The records are in either way: say what happened; importing them again asks again.
      const r = refusalOf(e);
      const note = r && RESCANS_ANYWAY.has(r.code) ? `${r.code}: it re-checks before inactivating` : `not asked: ${r ? r.code : e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
      rechecks.push({ userId: o.userId, workflowId: o.workflowId, rechecked: false, note });
    }
  }
  return { ...result, rechecks };
}
