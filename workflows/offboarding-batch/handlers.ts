// What a batch answers: its status, its children's reports, and the admins' removeUser and cancel.
// Validators refuse a bad request before it touches the history, from the admins cached at
// validation; the update itself asks the database (BatchRun.authorizeNow), and that answer counts.
// The workflow function (index.ts) registers each of these with setHandler.
import { condition, getExternalWorkflowHandle, log, patched } from '@temporalio/workflow';
import { domain } from '../activity-proxies';
import {
  type ActorRequest,
  type BatchComposition,
  BATCH_STATUS_PAGE,
  type BatchStatus,
  type BatchStatusRequest,
  refusal,
  type RemoveUserRequest,
  stopSignal,
  type UserProgress,
  userWorkflowId,
} from '../contract';
import { isFinal } from './rows';
import type { BatchRun } from './run';

export class BatchHandlers {
  constructor(private readonly batch: BatchRun) {}

  status(request?: BatchStatusRequest): BatchStatus {
    const { batch } = this;
    const offset = Math.max(0, request?.offset ?? 0);
    return {
      batchId: batch.input.batchId,
      requestedBy: batch.input.requestedBy,
      phase: batch.phase,
      total: batch.rows.size,
      counts: batch.rows.countNow(),
      // A page of users: a 10,000-user answer would be ~1 MB (over the SDK's payload warning).
      users: batch.rows.page(offset, Math.min(Math.max(1, request?.limit ?? BATCH_STATUS_PAGE), BATCH_STATUS_PAGE)),
      usersOffset: offset,
      rejected: batch.rejected,
      run: batch.run,
    };
  }

  /** A child's report by signal. */
  progress(p: UserProgress): void {
    this.batch.applyReport(p);
  }

  async removeUser({ userId, by }: RemoveUserRequest): Promise<BatchComposition> {
    const { batch } = this;
    const { rows, input } = batch;
    await condition(() => batch.phase !== 'validating');
    batch.assertAdmin(by);
    await batch.authorizeNow(by);
    const row = rows.get(userId);
    if (!row) throw refusal('USER_NOT_IN_BATCH', `user ${userId} is not in batch ${input.batchId}`);
    if (row.stage === 'removed') return batch.composition();
    if (row.stage === 'queued') {
      batch.queue.splice(batch.queue.indexOf(userId), 1);
      await domain.releaseOffboardings({ batchId: input.batchId, userIds: [userId], outcome: 'removed' });
      rows.set(userId, { ...row, stage: 'removed', result: `removed by user ${by}` });
      batch.removedBy.set(userId, by);
      return batch.composition();
    }
    if (!isFinal(row.stage)) {
      batch.removedBy.set(userId, by);
      try {
        await getExternalWorkflowHandle(userWorkflowId(userId)).signal(stopSignal, { kind: 'removed', by });
      } catch (err) {
        // The child ended (inactivated, say) before its report reached the batch: the report is on its
        // way, and the answer below says what happened, instead of "external workflow not found".
        if (!patched('remove-after-child-ended')) throw err;
      }
      await condition(() => isFinal(rows.get(userId)?.stage ?? 'failed'));
    }
    const final = rows.get(userId)?.stage;
    if (final === 'removed') return batch.composition();
    if (final === 'inactivated') {
      throw refusal('USER_ALREADY_INACTIVATED', `user ${userId} was inactivated before the removal could take effect`);
    }
    throw refusal('BATCH_FINISHED', `user ${userId}'s offboarding already ended (${final ?? 'unknown'})`);
  }

  validateRemoveUser({ userId, by }: RemoveUserRequest): void {
    const { batch } = this;
    if (!Number.isSafeInteger(userId) || userId <= 0) throw refusal('INVALID_INPUT', `"userId" must be a positive user ID`);
    if (batch.phase === 'validating') return; // admins and users are known once validation is done
    batch.assertAdmin(by);
    const row = batch.rows.get(userId);
    if (!row) throw refusal('USER_NOT_IN_BATCH', `user ${userId} is not in batch ${batch.input.batchId}`);
    if (row.stage === 'inactivated') {
      throw refusal('USER_ALREADY_INACTIVATED', `user ${userId} is already inactivated; a user can only be removed before their inactivation`);
    }
    if (batch.phase === 'finished') throw refusal('BATCH_FINISHED', `batch ${batch.input.batchId} has ended`);
  }

  /** The cancel signal: a sender who is not a cached admin is ignored; the rest wait for the database. */
  cancelSignal({ by }: ActorRequest): void {
    const { batch } = this;
    if (batch.phase !== 'validating' && !batch.adminIds.includes(by)) log.warn('cancel ignored: not an admin', { by });
    else if (batch.checkedNow) batch.cancelSignals.push(by);
    else batch.requestCancel(by);
  }

  async cancel({ by }: ActorRequest): Promise<BatchComposition> {
    const { batch } = this;
    await condition(() => batch.phase !== 'validating');
    batch.assertAdmin(by);
    await batch.authorizeNow(by);
    batch.requestCancel(by);
    await condition(() => batch.phase === 'finished' || batch.rows.allFinal());
    return batch.composition();
  }

  validateCancel({ by }: ActorRequest): void {
    const { batch } = this;
    if (batch.phase === 'validating') return;
    batch.assertAdmin(by);
    if (batch.phase === 'finished') throw refusal('BATCH_FINISHED', `batch ${batch.input.batchId} has ended`);
  }

  /**
   * Validators answer from the admins cached here; someone made admin after the batch started asks
   * for a refresh (the clients do when the database says yes and the validator said no).
   */
  async refreshPermissions(): Promise<void> {
    await condition(() => this.batch.phase !== 'validating');
    this.batch.adminIds = (await domain.loadAdmins()).adminIds;
  }
}
