// What the manager's page can do, over the operations the CLI shares (client/operations): every call
// takes the acting user from the session (never from the request) and a request ID — the per-form
// nonce, sent as the Temporal update ID `web:<actor>:<nonce>`, so a double submit or a retried POST
// acts once. A refusal comes back as its code and plain words for the banner.
import { userNames } from '../../domain/user-names';
import { type OpenItem, type RefusalCode } from '../../workflows/contract';
import { refusalOf } from '../refusals';
import { closeItem, handOverAll, type HandOverAllResult, type OperationsContext, reassignItem, recheck, type Subject } from '../operations';

export type ActionOutcome =
  | { ok: true; itemsLeft: OpenItem[] }
  /** Refused (a domain refusal code), or UNAVAILABLE when Temporal or the worker did not answer. */
  | { ok: false; code: RefusalCode | 'UNAVAILABLE'; message: string };

export type ManagerActions = {
  reassign(actorId: number, userId: number, itemKey: string, toUserId: number, requestId: string): Promise<ActionOutcome>;
  close(actorId: number, userId: number, itemKey: string, note: string | null, requestId: string): Promise<ActionOutcome>;
  /** "I handled the rest in the tools — check again". */
  recheck(actorId: number, userId: number, requestId: string): Promise<ActionOutcome>;
  /** Every open item `toUserId` may take, handed to them at once. */
  handOverAll(
    actorId: number,
    userId: number,
    toUserId: number,
    requestId: string,
  ): Promise<{ ok: true; value: HandOverAllResult } | { ok: false; code: RefusalCode | 'UNAVAILABLE'; message: string }>;
};

/** Runs an operation and turns its refusal (or an outage) into what the page shows. */
export async function outcomeOf<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: RefusalCode | 'UNAVAILABLE'; message: string }> {
  try {
    return { ok: true, value: await run() };
  } catch (e) {
    const refusal = refusalOf(e);
    if (refusal) return { ok: false, code: refusal.code, message: refusal.message };
    const message = e instanceof Error ? (e.message.split('\n')[0] ?? e.name) : String(e);
    return { ok: false, code: 'UNAVAILABLE', message: `The request did not go through (${message}).` };
  }
}

export function managerActions(ops: OperationsContext): ManagerActions {
  const subject = async (userId: number): Promise<Subject> => {
    const name = (await userNames(await ops.db(), [userId])).get(userId);
    return { id: userId, name: name ?? `user ${userId}` };
  };
  const requestId = (actorId: number, nonce: string) => ({ requestId: `web:${actorId}:${nonce}` });
  const asAction = async (run: () => Promise<OpenItem[]>): Promise<ActionOutcome> => {
    const r = await outcomeOf(run);
    return r.ok ? { ok: true, itemsLeft: r.value } : r;
  };
  return {
    reassign: (actorId, userId, itemKey, toUserId, nonce) =>
      asAction(async () => reassignItem(ops, actorId, await subject(userId), itemKey, toUserId, requestId(actorId, nonce))),
    close: (actorId, userId, itemKey, note, nonce) =>
      asAction(async () => closeItem(ops, actorId, await subject(userId), itemKey, note, requestId(actorId, nonce))),
    recheck: (actorId, userId, nonce) => asAction(async () => recheck(ops, actorId, await subject(userId), requestId(actorId, nonce))),
    handOverAll: (actorId, userId, toUserId, nonce) => outcomeOf(async () => handOverAll(ops, actorId, await subject(userId), toUserId, requestId(actorId, nonce))),
  };
}
