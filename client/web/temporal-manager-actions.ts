// ManagerActions over the user workflow's updates, with the Temporal client, as the CLI sends them.
// The update ID is `web:<actor>:<request ID>`: Temporal runs an update once per ID, so a second POST of
// the same form gets the first one's answer. The validators answer from the permissions the workflow
// loaded at its start; when they refuse someone the database now allows (a manager appointed since),
// the workflow reloads them (refreshPermissions) and the request is sent once more.
import { type Client, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { mayActOnItemsOf } from '../../domain/permissions';
import type { Database } from '../../db/client';
import {
  closeItemUpdate,
  type OpenItem,
  reassignItemUpdate,
  confirmReassignmentDoneUpdate,
  refreshPermissionsUpdate,
  refusalOf,
  userWorkflowId,
} from '../../workflows/contract';
import type { userOffboarding } from '../../workflows/user-offboarding';
import { isNotFound } from '../operations/workflow-calls';
import type { ActionOutcome, ManagerActions } from './manager-actions';

type UserHandle = WorkflowHandle<typeof userOffboarding>;

export function temporalManagerActions(client: Client, db: Database): ManagerActions {
  async function run(actorId: number, userId: number, send: (h: UserHandle) => Promise<OpenItem[]>): Promise<ActionOutcome> {
    const handle = client.workflow.getHandle<typeof userOffboarding>(userWorkflowId(userId));
    const attempt = async (): Promise<ActionOutcome> => {
      try {
        return { ok: true, itemsLeft: await send(handle) };
      } catch (e) {
        const refusal = refusalOf(e);
        if (refusal) return { ok: false, code: refusal.code, message: refusal.message };
        if (e instanceof WorkflowNotFoundError || isNotFound(e)) {
          return { ok: false, code: 'OFFBOARDING_NOT_WAITING', message: 'This offboarding has ended (or never started), so nothing can be handed over any more.' };
        }
        const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
        return { ok: false, code: 'UNAVAILABLE', message: `The request did not go through (${message}).` };
      }
    };
    const first = await attempt();
    if (first.ok || first.code !== 'PERMISSION_DENIED' || !(await mayActOnItemsOf(db, actorId, userId))) return first;
    await handle.executeUpdate(refreshPermissionsUpdate).catch(() => undefined);
    return attempt();
  }
  const updateId = (actorId: number, requestId: string) => `web:${actorId}:${requestId}`;
  return {
    reassign: (actorId, userId, itemKey, toUserId, requestId) =>
      run(actorId, userId, (h) => h.executeUpdate(reassignItemUpdate, { args: [{ itemKey, toUserId, by: actorId }], updateId: updateId(actorId, requestId) })),
    close: (actorId, userId, itemKey, note, requestId) =>
      run(actorId, userId, (h) => h.executeUpdate(closeItemUpdate, { args: [{ itemKey, by: actorId, note }], updateId: updateId(actorId, requestId) })),
    recheck: (actorId, userId, requestId) =>
      run(actorId, userId, (h) => h.executeUpdate(confirmReassignmentDoneUpdate, { args: [{ by: actorId }], updateId: updateId(actorId, requestId) })),
  };
}
