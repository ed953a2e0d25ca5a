// Every signal, update and query, defined once for the workflows and the clients. The constant's name
// says the wire name: `confirmReassignmentDoneUpdate` is sent as 'confirmReassignmentDone'.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BatchComposition, BatchStatus, BatchStatusRequest, RemoveUserRequest, UserProgress } from './batch';
import type { IntakeRequest, IntakeRescind, IntakeRescindResult, IntakeState } from './intake';
import type { OpenItem } from './items';
import type { UserReactivationResult } from './reactivation';
import type {
  ActorRequest,
  CloseItemRequest,
  HandOverAllAnswer,
  HandOverAllRequest,
  ReassignItemRequest,
  StopRequest,
  UserOffboardingStatus,
} from './user-offboarding';

export const userStatusQuery = defineQuery<UserOffboardingStatus>('userStatus');
export const reassignItemUpdate = defineUpdate<OpenItem[], [ReassignItemRequest]>('reassignItem');
export const closeItemUpdate = defineUpdate<OpenItem[], [CloseItemRequest]>('closeItem');
/** Every item the new person may take, handed over at once by the workflow's own hand-over. */
export const handOverAllUpdate = defineUpdate<HandOverAllAnswer, [HandOverAllRequest]>('handOverAll');
/** "I handled everything in the tools": the workflow re-scans the database. */
export const reassignmentDoneSignal = defineSignal<[ActorRequest]>('reassignmentDone');
/** The same, answered with what is still open after the re-scan. */
export const confirmReassignmentDoneUpdate = defineUpdate<OpenItem[], [ActorRequest]>('confirmReassignmentDone');

/** Sent by the batch to stop one user's offboarding; the user workflow decides if it still can. */
export const stopSignal = defineSignal<[StopRequest]>('stop');
/**
 * Sent by a batch about to continue as new to the children it started with `reportByResult`: their
 * end would reach only the run that started them, so from now on they report it by signal.
 */
export const reportBySignalSignal = defineSignal<[]>('reportBySignal');

export const batchStatusQuery = defineQuery<BatchStatus, [BatchStatusRequest?]>('batchStatus');
export const removeUserUpdate = defineUpdate<BatchComposition, [RemoveUserRequest]>('removeUser');
export const cancelBatchUpdate = defineUpdate<BatchComposition, [ActorRequest]>('cancelBatch');
/** The batch's cancel as a signal (for tools that cannot send updates); checked like the update. */
export const cancelSignal = defineSignal<[ActorRequest]>('cancel');
/**
 * Validators answer from the permissions a workflow loaded; this reloads them from the database
 * (someone made admin or manager since). Harmless for anyone to send: it only reads.
 */
export const refreshPermissionsUpdate = defineUpdate<void, []>('refreshPermissions');
export const userProgressSignal = defineSignal<[UserProgress]>('userProgress');

/**
 * Answers once the user is reactivated (or refused), before the notice is emailed: a person clicking
 * Reactivate waits for the reactivation, not for a mail server that may be down for hours.
 */
export const reactivationRecordedUpdate = defineUpdate<UserReactivationResult, []>('reactivationRecorded');

/** A deactivation from an identity provider, sent with signal-with-start to the connection's intake. */
export const offboardingRequestedSignal = defineSignal<[IntakeRequest]>('offboardingRequested');
/** A rescinded termination: drops the user from the window, or says which batch they went to. */
export const rescindRequestUpdate = defineUpdate<IntakeRescindResult, [IntakeRescind]>('rescindRequest');
export const intakeStateQuery = defineQuery<IntakeState>('intakeState');
