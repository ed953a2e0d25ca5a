// The Markdown the Web UI shows as a workflow's "Current Details" (setCurrentDetails): for a user, the
// stage in words, what it waits for and until when, the open items, who may act and what is resolved
// (a batch's are in batch-details.ts, in the same words). Pure functions of the workflows' state, so
// they are tested without Temporal.
//
// People appear as user IDs only, as in the search attributes. Item titles, numbers and project names
// come from the directory and are escaped, cut short and kept on one line, so a title cannot break the
// table or turn into a link. The details are payloads: with a payload key they are encrypted like
// every other payload (docs/operations.md).
import {
  FINAL_STAGES,
  neutralizeControls,
  type OpenItem,
  type ResolutionAction,
  TOOL_LABELS,
  type UserOffboardingStatus,
  type UserStage,
} from './contract';
import { thousands } from './summaries';

/** The open items listed in full; the rest are counted. */
export const MAX_LISTED_ITEMS = 50;
const MAX_CELL = 80;

/** A moment the workflow will wake up for, e.g. `{ what: 'reminder 2', at: <ms> }`. */
export type WakeUp = { what: string; at: number };

/** `2026-12-02 13:25 UTC`. */
export function formatTime(at: number | string): string {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return '?';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Directory text as one Markdown table cell: one line, no controls, at most `max` code points, and
 * every character Markdown or a table would read (`| * _ [ ] < > ` … `) backslash-escaped.
 */
export function markdownText(text: string | null | undefined, max = MAX_CELL): string {
  if (text === null || text === undefined || text === '') return '—';
  const line = neutralizeControls(String(text)).replace(/\s+/g, ' ').trim();
  const points = [...line];
  const cut = points.length > max ? `${points.slice(0, max - 1).join('')}…` : line;
  return cut.replace(/[\\`*_{}[\]()<>#+!|~&]/g, (c) => `\\${c}`);
}

export const STAGE_WORDS: Record<UserStage | 'queued', string> = {
  queued: 'queued',
  validating: 'checking',
  'awaiting-reassignment': 'awaiting reassignment',
  'waiting-effective-date': 'waiting for the effective date',
  inactivating: 'inactivating',
  inactivated: 'inactivated',
  removed: 'removed from the batch',
  cancelled: 'cancelled',
  failed: 'failed',
};

const ACTION_WORDS: Record<ResolutionAction, string> = {
  reassigned: 'reassigned',
  closed: 'closed',
  'final-timecard-recorded': 'final timecard entry recorded',
};

export const plural = (n: number, one: string, many = `${one}s`): string => `${thousands(n)} ${n === 1 ? one : many}`;

function itemTable(items: readonly OpenItem[]): string[] {
  const lines = ['| key | tool | project | number | title |', '|---|---|---|---|---|'];
  for (const i of items.slice(0, MAX_LISTED_ITEMS)) {
    lines.push(`| \`${i.key}\` | ${TOOL_LABELS[i.tool] ?? markdownText(i.tool)} | ${markdownText(i.projectName)} | ${markdownText(i.number)} | ${markdownText(i.title)} |`);
  }
  if (items.length > MAX_LISTED_ITEMS) lines.push('', `_and ${thousands(items.length - MAX_LISTED_ITEMS)} more_`);
  return lines;
}

export type UserDetailsView = {
  status: UserOffboardingStatus;
  requestedBy: number;
  effectiveAt: string | null;
  /** undefined until the permissions are loaded; null when the user has no manager on record. */
  managerId: number | null | undefined;
  /** What the current wait ends with, soonest first (empty when not waiting on a timer). */
  wakeUps: readonly WakeUp[];
  /** Who asked to stop, while the stop is being carried out. */
  stopRequestedBy: number | null;
};

function whoMayAct(v: UserDetailsView): string {
  if (v.managerId === undefined) return '**Who may act:** not known yet (loading the permissions).';
  if (v.managerId === null) return `**Who may act:** the directory admins (user ${v.status.userId} has no manager on record).`;
  return `**Who may act:** the manager, user ${v.managerId}, and the directory admins.`;
}

function resolvedLine(v: UserDetailsView): string {
  const { resolutions } = v.status;
  if (resolutions.length === 0) return '**Resolved:** nothing yet.';
  const byAction = new Map<ResolutionAction, number>();
  const byOwner = new Map<number, number>();
  for (const r of resolutions) {
    byAction.set(r.action, (byAction.get(r.action) ?? 0) + 1);
    if (r.action === 'reassigned' && r.toUserId !== null) byOwner.set(r.toUserId, (byOwner.get(r.toUserId) ?? 0) + 1);
  }
  const parts = [...byAction].map(([action, n]) => `${thousands(n)} ${ACTION_WORDS[action]}`);
  const owners = [...byOwner].sort((a, b) => b[1] - a[1]);
  const ownersText = owners.length === 0 ? '' : ` (to ${owners.slice(0, 5).map(([id, n]) => `user ${id}: ${thousands(n)}`).join(', ')}${owners.length > 5 ? `, and ${owners.length - 5} more people` : ''})`;
  return `**Resolved: ${thousands(resolutions.length)}** — ${parts.join(', ')}${ownersText}.`;
}

function headline(v: UserDetailsView): string[] {
  const s = v.status;
  const open = s.pendingItems.length;
  switch (s.stage) {
    case 'validating':
      return ['### Checking', 'Loading the permissions, scanning the open items and handing them to the successor, if there is one.'];
    case 'awaiting-reassignment':
      return [
        `### Awaiting reassignment: ${plural(open, 'open item')}`,
        `Waiting for the manager or a directory admin to reassign or close ${open === 1 ? 'it' : 'them'} (or to say "done" after doing it in the tools).`,
      ];
    case 'waiting-effective-date':
      return ['### Waiting for the effective date', `Nothing is open; user ${s.userId} is inactivated on ${formatTime(v.effectiveAt ?? '')}, after a last check.`];
    case 'inactivating':
      return ['### Inactivating', 'Inactivating the user in one transaction that checks the open items again.'];
    case 'inactivated':
      return [`### Inactivated on ${formatTime(s.result?.inactivatedAt ?? '')}`, 'The user is inactive; nothing more to do.'];
    case 'removed':
    case 'cancelled':
      return [
        `### ${s.stage === 'removed' ? 'Removed from the batch' : 'Cancelled'}${v.stopRequestedBy === null ? '' : ` by user ${v.stopRequestedBy}`}`,
        `User ${s.userId} stays active; open items stay as they are.`,
      ];
    case 'failed':
      return ['### Failed', markdownText(s.result?.reason ?? 'no reason recorded', 300)];
  }
}

/** A user's offboarding, as the Web UI shows it. */
export function renderUserDetails(v: UserDetailsView): string {
  const s = v.status;
  const lines = headline(v);
  const running = !FINAL_STAGES.includes(s.stage);
  if (running && v.stopRequestedBy !== null) lines.push('', `**Stopping:** user ${v.stopRequestedBy} asked to stop this offboarding.`);
  if (v.wakeUps.length > 0) {
    lines.push('', `**Next:** ${v.wakeUps.map((w) => `${w.what} on ${formatTime(w.at)}`).join(' · ')}`);
  }
  if (s.stage === 'awaiting-reassignment' && s.waitingSince) {
    lines.push(`Waiting since ${formatTime(s.waitingSince)} · ${plural(s.remindersSent, 'reminder')} sent · ${s.escalated ? 'escalated' : 'not escalated'}`);
  }
  if (running) lines.push('', whoMayAct(v));
  if (s.pendingItems.length > 0) lines.push('', ...itemTable(s.pendingItems));
  lines.push('', resolvedLine(v));
  if (s.emailsPending > 0 || s.emailFailures > 0) {
    lines.push('', `**Emails:** ${thousands(s.emailsPending)} being delivered, ${plural(s.emailFailures, 'failed round')} so far (see the outbox).`);
  }
  const context = [`User ${s.userId}`, s.batchId === null ? 'no batch' : `batch ${markdownText(s.batchId)}`, `requested by user ${v.requestedBy}`];
  if (v.effectiveAt) context.push(`effective date ${formatTime(v.effectiveAt)}`);
  lines.push('', `_${context.join(' · ')}_`);
  return lines.join('\n');
}
