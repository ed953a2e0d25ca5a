// One run of a user's offboarding: its state (what the status query answers), the permissions it
// loaded, the requests waiting for the flow, and the operations the flow and the message handlers
// share. Deterministic: IDs come from workflowInfo, everything else from activities.
import { workflowInfo } from '@temporalio/workflow';
import type { UserPermissions } from '../contract';
import { mainSteps, type MainSteps, scans } from '../activity-proxies';
import type {
  ItemNotTaken,
  ItemResolution,
  OpenItem,
  StopRequest,
  UserOffboardingInput,
  UserOffboardingStatus,
  UserStage,
} from '../contract';
import { renderUserDetails, type WakeUp } from '../current-details';
import { type NoticeCommon, Notices } from './notices';
import { ProgressReporter } from './progress';

/** The patches this run was started under (older runs replay the older behaviour). */
export type RunVersion = {
  /** 'quiet-parallel-handover': hand over in parallel; report once the stage changes. */
  quietHandover: boolean;
  /** 'permissions-checked-at-request': "done" asks the database at the moment of the request. */
  checkedNow: boolean;
  /** 'tell-owners-and-stops': receipts to new owners, the successor's report, stop notices. */
  tellOwners: boolean;
  /**
   * 'half-work-per-person' (issue 25; implies the three above): begin, hand over to the successor and
   * complete are one activity each, what one step has to say goes in one email activity, and the
   * batch hears of this user when someone waits on them or when it ends, not while inactivating.
   */
  oneGo: boolean;
  /**
   * The batch sends digests (input.digests, set by a batch under 'batch-digests', issue 25): no
   * "Action needed", reminder, escalation, receipt or "was inactivated" email from here; the deadline
   * and its action, and the stop notice, stay this workflow's.
   */
  digests: boolean;
  /**
   * 'local-steps' (issue 25; oneGo runs only): begin, the hand-over at once, complete and the end of
   * the claim run as local activities (activity-proxies.ts).
   */
  localSteps: boolean;
  /**
   * 'complete-when-clear' (issue 25; localSteps runs only): begin also inactivates and ends the claim
   * when it finds nothing open and nothing would make the run wait.
   */
  whenClear: boolean;
};

export type HandOverReport = { userId: number; took: ItemResolution[]; notTaken: ItemNotTaken[] };

export class OffboardingRun {
  readonly workflowId: string;
  /** Stable across retries and replays, and distinct for a later offboarding of the same user. */
  readonly runKey: string;
  readonly common: NoticeCommon;
  readonly state: UserOffboardingStatus;
  readonly progress: ProgressReporter;
  readonly notices: Notices;
  /** Begin, hand over at once, complete, finish: local activities or activity tasks, by version. */
  readonly steps: MainSteps;
  private loadedPermissions: UserPermissions | undefined;
  private stop: StopRequest | undefined;
  /** What the current wait ends with, soonest first: the details say what comes next, and when. */
  private upcoming: readonly WakeUp[] = [];
  /** Someone said "done, please re-check", or an item changed under us. */
  recheckRequested = false;
  /** The manager (or whoever stood in) was asked to act: they hear when that is no longer needed. */
  noticeSent = false;
  successorReport: HandOverReport | null = null;
  /** The claim was ended with the inactivation, in the same transaction (oneGo runs). */
  claimEnded = false;

  constructor(
    readonly input: UserOffboardingInput,
    readonly version: RunVersion,
  ) {
    const info = workflowInfo();
    this.workflowId = info.workflowId;
    this.runKey = `${info.workflowId}/${info.firstExecutionRunId}`;
    this.common = { userId: input.userId, requestedBy: input.requestedBy, batchId: input.batchId };
    this.state = {
      userId: input.userId,
      batchId: input.batchId,
      // Queries are not recorded in the history: adding fields to the answer is replay-safe.
      requestedBy: input.requestedBy,
      effectiveAt: input.effectiveAt,
      stage: 'validating',
      pendingItems: [],
      resolutions: [],
      waitingSince: null,
      remindersSent: 0,
      escalated: false,
      emailFailures: 0,
      emailsPending: 0,
      result: null,
    };
    this.progress = new ProgressReporter(input, this.state, { validating: version.quietHandover, inactivating: version.oneGo }, () => this.details());
    this.notices = new Notices(this, { grouped: version.oneGo });
    this.steps = mainSteps(version.localSteps);
  }

  // The details show who may act, a stop in progress and the next wake-up: each change refreshes them.
  get permissions(): UserPermissions | undefined {
    return this.loadedPermissions;
  }
  set permissions(p: UserPermissions | undefined) {
    this.loadedPermissions = p;
    this.progress.refreshDetails();
  }

  /** Checked only between steps: once the inactivation is scheduled it wins if it succeeds. */
  get stopRequest(): StopRequest | undefined {
    return this.stop;
  }
  set stopRequest(req: StopRequest | undefined) {
    this.stop = req;
    this.progress.refreshDetails();
  }

  get wakeUps(): readonly WakeUp[] {
    return this.upcoming;
  }
  set wakeUps(wakeUps: readonly WakeUp[]) {
    this.upcoming = [...wakeUps].sort((a, b) => a.at - b.at);
    this.progress.refreshDetails();
  }

  /** The Web UI's current details of this run (Markdown). */
  details(): string {
    return renderUserDetails({
      status: this.state,
      requestedBy: this.input.requestedBy,
      effectiveAt: this.input.effectiveAt,
      managerId: this.loadedPermissions === undefined ? undefined : this.loadedPermissions.managerId,
      wakeUps: this.upcoming,
      stopRequestedBy: this.stop?.by ?? null,
    });
  }

  /** The actor may act on this user's items, as far as the loaded permissions tell. */
  mayAct(by: number): boolean {
    const p = this.permissions;
    return p !== undefined && (p.adminIds.includes(by) || p.managerId === by);
  }

  /** `receipt: false`: the caller tells the new owner itself (the successor's one receipt, oneGo runs). */
  recordResolution(res: ItemResolution, options: { receipt: boolean } = { receipt: true }): void {
    const { state } = this;
    if (!state.resolutions.some((r) => r.requestId === res.requestId)) {
      state.resolutions.push(res);
      if (options.receipt && this.version.tellOwners && !this.version.digests && res.action === 'reassigned' && res.toUserId !== null) this.notices.addReceipt(res.toUserId, res);
    }
    state.pendingItems = state.pendingItems.filter((i) => i.key !== res.itemKey);
    this.progress.publish();
  }

  /** Re-reads the open items from the database; returns the ones that are new. */
  async rescan(): Promise<OpenItem[]> {
    return this.adoptScan(await scans.listOpenItems({ userIds: [this.input.userId] }));
  }

  /** Takes a scan's answer (a re-scan, or the one an inactivation refused with) as the items open; returns the new ones. */
  adoptScan(items: OpenItem[]): OpenItem[] {
    const before = new Set(this.state.pendingItems.map((i) => i.key));
    this.state.pendingItems = items;
    this.progress.publish();
    return items.filter((i) => !before.has(i.key));
  }

  setStage(stage: UserStage): void {
    this.state.stage = stage;
    this.progress.publish();
  }
}
