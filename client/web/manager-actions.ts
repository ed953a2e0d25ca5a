// What the manager's page can do, as the web app needs it. The web's POST handlers are written
// against this interface only; today temporal-manager-actions.ts implements it with the workflow
// updates, and client/operations (the operations shared with the CLI) will replace it.
//
// Every call takes the acting user from the session (never from the request) and a request ID: the
// per-form nonce, so a double submit or a retried POST acts once.
import type { OpenItem } from '../../workflows/contract';
import type { RefusalCode } from '../../workflows/contract';

export type ActionOutcome =
  | { ok: true; itemsLeft: OpenItem[] }
  /** Refused (a domain refusal code), or UNAVAILABLE when Temporal or the worker did not answer. */
  | { ok: false; code: RefusalCode | 'UNAVAILABLE'; message: string };

export type ManagerActions = {
  reassign(actorId: number, userId: number, itemKey: string, toUserId: number, requestId: string): Promise<ActionOutcome>;
  close(actorId: number, userId: number, itemKey: string, note: string | null, requestId: string): Promise<ActionOutcome>;
  /** "I handled the rest in the tools — check again". */
  recheck(actorId: number, userId: number, requestId: string): Promise<ActionOutcome>;
};
