// Talking to a running workflow as a person does: an unknown ID becomes the matching refusal, an
// ended workflow is told by how it ended, and a validator's PERMISSION_DENIED that the database
// contradicts (someone made admin or manager since the workflow loaded its permissions) is retried
// once after the workflow reloads them.
import { type WorkflowHandle, WorkflowNotFoundError } from '@temporalio/client';
import { status as grpcStatus } from '@grpc/grpc-js';
import { refreshPermissionsUpdate, type RefusalCode } from '../../workflows/contract';
import { refuse } from '../../domain/refusal';
import { refusalOf } from '../refusals';

/** True when Temporal says there is no such workflow (a missing ID, or a query on one). */
export function isNotFound(e: unknown): boolean {
  if (e instanceof WorkflowNotFoundError) return true;
  let c: unknown = e;
  for (let d = 0; d < 4 && c instanceof Error; d++) {
    if ((c as { code?: unknown }).code === grpcStatus.NOT_FOUND) return true;
    c = c.cause;
  }
  return false;
}

/** The workflow's status name, or undefined when it does not exist. */
export async function statusOf(handle: WorkflowHandle): Promise<string | undefined> {
  try {
    return (await handle.describe()).status.name;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Runs a Temporal call, turning "no such workflow" into the given refusal. */
export async function orNotFound<T>(call: () => Promise<T>, code: RefusalCode, message: string): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (isNotFound(e)) refuse(code, message);
    throw e;
  }
}

export type RunningCall<T> = {
  handle: WorkflowHandle;
  /** Refusal when there is no such workflow. */
  notFound: { code: RefusalCode; message: string };
  /** The refusal for a workflow that has ended, given its Temporal status. */
  ended: (state: string) => Promise<never>;
  send: () => Promise<T>;
  /** The database's answer to "may the actor do this now?", asked when the validator refused. */
  allowedNow: () => Promise<boolean>;
};

/** Sends an update to a running workflow (see the file's header). */
export async function callRunning<T>(call: RunningCall<T>): Promise<T> {
  const state = await statusOf(call.handle);
  if (state === undefined) refuse(call.notFound.code, call.notFound.message);
  if (state !== 'RUNNING') return call.ended(state);
  try {
    return await call.send();
  } catch (e) {
    const r = refusalOf(e);
    if (r?.code === 'PERMISSION_DENIED' && (await call.allowedNow())) {
      await call.handle.executeUpdate(refreshPermissionsUpdate);
      return call.send();
    }
    if (r) throw e;
    // The workflow ended while the request was on its way.
    const now = await statusOf(call.handle).catch(() => undefined);
    if (now !== undefined && now !== 'RUNNING') return call.ended(now);
    if (isNotFound(e)) refuse(call.notFound.code, call.notFound.message);
    throw e;
  }
}
