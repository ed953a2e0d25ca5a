// A batch's "Current Details" in the Web UI: the counts by stage, the window, the oldest wait and who
// started it, in the words of the user workflows' details (current-details.ts). A pure function of the
// batch's state.
import { USER_STAGES, type UserStage } from './contract';
import { formatTime, markdownText, plural, STAGE_WORDS } from './current-details';
import { thousands } from './summaries';

export type BatchDetailsView = {
  batchId: string;
  phase: 'validating' | 'running' | 'finished';
  requestedBy: number;
  /** When the batch (its first run) started. */
  startedAt: string;
  run: number;
  counts: Record<UserStage | 'queued', number>;
  rejected: number;
  running: number;
  window: number;
  queued: number;
  /** The user waiting longest for reassignment, if anyone is. */
  oldestWait: { userId: number; since: string } | null;
  cancelledBy: number | null;
};

/** A batch, as the Web UI shows it. */
export function renderBatchDetails(v: BatchDetailsView): string {
  const total = Object.values(v.counts).reduce((a, b) => a + b, 0);
  const lines: string[] = [];
  if (v.phase === 'validating') lines.push('### Validating', 'Checking the requester, the users and the successors.');
  else if (v.phase === 'running') lines.push(`### Running: ${plural(total, 'user')}`);
  else lines.push(`### Finished: ${plural(total, 'user')}`, `The summary was emailed to user ${v.requestedBy}.`);
  if (v.cancelledBy !== null) lines.push('', `**Cancelled** by user ${v.cancelledBy}: queued users are released, running ones asked to stop.`);
  if (v.phase !== 'validating') {
    lines.push('', '| stage | users |', '|---|---:|');
    for (const stage of ['queued', ...USER_STAGES] as const) lines.push(`| ${STAGE_WORDS[stage]} | ${thousands(v.counts[stage])} |`);
    lines.push('', `**Window:** ${thousands(v.running)} running (at most ${thousands(v.window)} at once), ${thousands(v.queued)} queued.`);
    lines.push(
      v.oldestWait === null
        ? '**Oldest wait:** nobody is waiting for reassignment.'
        : `**Oldest wait:** user ${v.oldestWait.userId}, awaiting reassignment since ${formatTime(v.oldestWait.since)}.`,
    );
  }
  if (v.rejected > 0) lines.push(`**Rejected at validation:** ${plural(v.rejected, 'user')} (see the batchStatus query).`);
  lines.push(
    '',
    `_Batch ${markdownText(v.batchId)} · started by user ${v.requestedBy} on ${formatTime(v.startedAt)} · run ${v.run}${v.run > 1 ? ` (continued as new ${plural(v.run - 1, 'time')})` : ''}_`,
  );
  return lines.join('\n');
}
