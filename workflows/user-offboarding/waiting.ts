// Waiting for the manager: until nothing is open or the offboarding is stopped, with a reminder every
// interval, one escalation after the escalation time, and an optional deadline whose policy either
// escalates or hands everything to the manager. Every wake-up is a durable timer.
import { condition } from '@temporalio/workflow';
import { deadlineTimer, escalationTimer, reminderTimer } from '../summaries';
import { handOver } from './hand-over';
import type { OffboardingRun } from './run';

export async function waitForReassignment(run: OffboardingRun): Promise<void> {
  const { state, input, notices } = run;
  const policy = input.policy;
  run.setStage('awaiting-reassignment');
  const now = Date.now();
  if (!state.waitingSince) state.waitingSince = new Date(now).toISOString();
  run.progress.publish();
  const waitingSinceMs = Date.parse(state.waitingSince);
  let lastNoticeMs = now;
  let deadlineHandled = policy.deadlineMs === null;
  while (state.pendingItems.length > 0 && !run.stopRequest) {
    // Under digests the batch reminds and escalates, one email per manager and per admin.
    const nextReminder = run.version.digests ? Infinity : lastNoticeMs + policy.reminderIntervalMs;
    const escalation = state.escalated || run.version.digests ? Infinity : waitingSinceMs + policy.escalateAfterMs;
    const deadline = deadlineHandled ? Infinity : waitingSinceMs + (policy.deadlineMs ?? 0);
    const wakeUps = [
      { what: reminderTimer(state.remindersSent + 1), at: nextReminder },
      { what: escalationTimer(policy.escalateAfterMs), at: escalation },
      { what: deadlineTimer(policy.deadlineMs ?? 0), at: deadline },
    ].filter((w) => Number.isFinite(w.at));
    run.wakeUps = wakeUps;
    const wakeAt = Math.min(...wakeUps.map((w) => w.at));
    const woken = () => state.pendingItems.length === 0 || run.stopRequest !== undefined || run.recheckRequested;
    // Under digests with no deadline there is nothing to wake up for: only a message ends the wait.
    const settled =
      wakeAt === Infinity
        ? await condition(woken).then(() => true)
        : await condition(
            woken,
            Math.max(1, wakeAt - Date.now()),
            // What this wake-up is for, in the Web UI's timeline: "reminder 2", or "escalation after 7 d + reminder 4".
            { summary: wakeUps.filter((w) => w.at === wakeAt).map((w) => w.what).join(' + ') },
          );
    if (run.recheckRequested) {
      run.recheckRequested = false;
      await run.rescan();
      continue;
    }
    if (settled) continue;
    const t = Date.now();
    const items = state.pendingItems;
    if (t >= deadline) {
      deadlineHandled = true;
      const managerId = run.permissions?.managerId;
      // The deadline's explicit action: every pending item to the manager, where allowed.
      if (policy.deadlineAction === 'reassign-to-manager' && managerId) await handOver(run, managerId, 'deadline', { parallel: false });
      if (state.pendingItems.length > 0) {
        state.escalated = true;
        // In a batch under 'deadline-digest' the admins hear it in the batch's escalation digest.
        if (!run.input.deadlineInDigest) {
          notices.notify({ kind: 'escalation', ...run.common, items: state.pendingItems, waitingSince: state.waitingSince, reason: 'deadline' });
        }
      }
    } else if (t >= escalation) {
      state.escalated = true;
      notices.notify({ kind: 'escalation', ...run.common, items, waitingSince: state.waitingSince, reason: 'escalate-after' });
    }
    if (t >= nextReminder && state.pendingItems.length > 0) {
      state.remindersSent += 1;
      lastNoticeMs = t;
      notices.notify({ kind: 'reminder', ...run.common, items: state.pendingItems, waitingSince: state.waitingSince, reminderNumber: state.remindersSent });
    }
    run.progress.publish();
  }
  run.wakeUps = [];
}
