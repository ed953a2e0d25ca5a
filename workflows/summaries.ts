// The one-line summaries the Web UI shows beside each activity and timer ("reassign rfi:1:manager to
// user 7", "reminder 2"), instead of bare activity names and "1 (2d)". Pure functions of what the
// workflow already knows. They are built from IDs, item keys, counts and dates only, never from names,
// emails, titles or notes, and every input is checked first: a summary must never throw, and a value a
// person typed (a malformed batch ID, say) must not reach the page.
import type { OffboardingActivities } from '../activities';
import { BATCH_ID_PATTERN, isUserId, type Notification, parseItemKey, type UserOffboardingResult } from './contract';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `7 d`, `36 h`, `15 min`, `45 s`: the largest unit that divides the duration. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms >= DAY && ms % DAY === 0) return `${ms / DAY} d`;
  if (ms >= HOUR && ms % HOUR === 0) return `${ms / HOUR} h`;
  if (ms >= MINUTE && ms % MINUTE === 0) return `${ms / MINUTE} min`;
  return `${Math.round(ms / SECOND)} s`;
}

const user = (id: unknown): string => `user ${isUserId(id) ? id : '?'}`;
const itemKey = (key: unknown): string => (parseItemKey(key) ? String(key) : 'an unknown item');
const batch = (id: unknown): string => (typeof id === 'string' && BATCH_ID_PATTERN.test(id) ? `batch ${id}` : 'a batch with an invalid ID');
const count = (list: unknown): number => (Array.isArray(list) ? list.length : 0);
/** 10000 -> `10,000`, without Intl (whose output may differ between Node versions). */
export const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const plural = (n: number, one: string, many = `${one}s`): string => `${thousands(n)} ${n === 1 ? one : many}`;
const OUTCOMES: readonly UserOffboardingResult['outcome'][] = ['inactivated', 'removed', 'cancelled', 'failed'];
const outcome = (o: unknown): string => (OUTCOMES.includes(o as UserOffboardingResult['outcome']) ? String(o) : '?');

/** What an email is and to whom, without the "email: " prefix. */
function emailWhat(n: Notification): string {
  switch (n.kind) {
    case 'items-assigned':
      return n.newSinceLastNotice
        ? `${plural(n.items.length, 'new item')} to reassign, to the manager`
        : `${plural(n.items.length, 'item')} to reassign, to the manager`;
    case 'reminder':
      return `reminder ${n.reminderNumber} to the manager`;
    case 'escalation':
      return n.reason === 'deadline' ? 'deadline passed, to the requester and the admins' : 'escalation to the requester and the admins';
    case 'inactivated':
      return `${user(n.userId)} inactivated, to the manager and the requester`;
    case 'offboarding-stopped':
      return `offboarding ${n.outcome}, to the manager`;
    case 'items-received':
      return `${plural(n.received.length, 'item')} received, to ${user(n.recipientId)}`;
    case 'batch-summary':
      return `batch summary to the requester (${user(n.requestedBy)})`;
    case 'reactivated':
      return `${user(n.userId)} reactivated, to the manager, the admin and the user`;
  }
}

export const emailSummary = (n: Notification): string => `email: ${emailWhat(n)}`;
/** One email as above; several as `2 emails: …; …`. */
export const emailsSummary = (list: readonly Notification[]): string =>
  list.length === 1 && list[0] ? emailSummary(list[0]) : `${plural(list.length, 'email')}: ${list.map(emailWhat).join('; ')}`;

type Summaries<A> = { [K in keyof A]: A[K] extends (...args: infer P) => unknown ? (...args: P) => string : never };

/** Every activity's summary from its input: a new activity does not type-check until it has one. */
export const ACTIVITY_SUMMARIES: Summaries<OffboardingActivities> = {
  validateBatch: (i) => `validate ${batch(i.batchId)}: ${plural(count(i.userIds), 'user')}, requested by ${user(i.requestedBy)}`,
  claimOffboarding: (i) => `claim ${user(i.userId)} for ${i.batchId === null ? 'an offboarding without a batch' : batch(i.batchId)}`,
  finishOffboarding: (i) => `record the outcome of ${user(i.userId)}: ${outcome(i.outcome)}`,
  releaseOffboardings: (i) => `release ${plural(count(i.userIds), 'user')} never started (${outcome(i.outcome)})`,
  loadPermissions: (i) => `load the manager and the admins for ${user(i.userId)}`,
  loadAdmins: () => 'reload the directory admins',
  authorizeBatchActor: (i) => `check that ${user(i.actorId)} is an active directory admin`,
  authorizeItemsActor: (i) => `check that ${user(i.actorId)} may act on the items of ${user(i.userId)}`,
  listOpenItems: (i) => `scan open items of ${count(i.userIds) === 1 ? user(i.userIds[0]) : plural(count(i.userIds), 'user')}`,
  reassignItem: (i) => `reassign ${itemKey(i.itemKey)} to ${user(i.toUserId)} (by ${user(i.actorId)})`,
  reassignItems: (i) => {
    const requests = Array.isArray(i?.requests) ? i.requests : [];
    const targets = [...new Set(requests.map((r) => user(r?.toUserId)))];
    return `reassign ${plural(requests.length, 'item')} of ${user(requests[0]?.fromUserId)} to ${targets.length === 1 ? targets[0] : plural(targets.length, 'user')} in one transaction`;
  },
  beginOffboarding: (i) =>
    `load the manager and the admins, claim ${user(i.userId)} for ${i.batchId === null ? 'an offboarding without a batch' : batch(i.batchId)}, scan the open items` +
    (i.completeIfClear ? `, inactivate ${user(i.userId)} at once if nothing is open` : ''),
  completeOffboarding: (i) =>
    `inactivate ${user(i.userId)}${i.force === true ? ', open items left as they are (policy)' : ''} and record the outcome in one transaction`,
  closeItem: (i) =>
    parseItemKey(i.itemKey)?.tool === 'timecard'
      ? `record the final timecard entry ${itemKey(i.itemKey)} (by ${user(i.actorId)})`
      : `close ${itemKey(i.itemKey)} (by ${user(i.actorId)})`,
  inactivateUser: (i) => `inactivate ${user(i.userId)}${i.force === true ? ', open items left as they are (policy)' : ''}`,
  reactivateUser: (i) => `reactivate ${user(i.userId)} (by ${user(i.actorId)})`,
  sendNotification: (i) => emailSummary(i.notification),
  sendNotifications: (i) => emailsSummary(Array.isArray(i?.notifications) ? i.notifications.map((n) => n.notification) : []),
  sendActionDigests: (i) => `email "Action needed" to the managers of ${plural(count(i.userIds) + count(i.newItems), 'user')} of ${batch(i.batchId)}, one each`,
  sendWaitingDigests: (i) =>
    `email reminder ${Number.isSafeInteger(i.round) ? i.round : '?'} to the managers of ${plural(count(i.waiting), 'waiting user')} of ${batch(i.batchId)}${count(i.escalate) > 0 ? `, and escalate ${plural(count(i.escalate), 'user')} to the admins` : ''}`,
  sendClosingDigests: (i) => `email the managers and new owners of ${plural(count(i.userIds), 'ended offboarding')} of ${batch(i.batchId)}, one each`,
  prepareIntakeBatch: (i) => `prepare ${batch(i.batchId)} of connection ${Number.isSafeInteger(i.connectionId) ? i.connectionId : '?'}: ${plural(count(i.requests), 'request')}`,
  recordIntakeDrop: (i) => `record that ${user(i.userId)} was dropped from the window (rescinded)`,
  purgeExpiredWebRows: () => 'purge expired web sessions, sign-in tokens, rate-limit windows and form nonces, and the webhook log past its retention',
  deliverWebhook: (i) => `POST webhook delivery ${Number.isSafeInteger(i.deliveryId) ? i.deliveryId : '?'}`,
  giveUpWebhookDelivery: (i) => `give up webhook delivery ${Number.isSafeInteger(i.deliveryId) ? i.deliveryId : '?'} (and disable its subscription if its endpoint failed throughout)`,
};

// Timers: what the workflow wakes up for.
export const reminderTimer = (n: number): string => `reminder ${n}`;
export const escalationTimer = (afterMs: number): string => `escalation after ${formatDuration(afterMs)}`;
export const deadlineTimer = (afterMs: number): string => `deadline after ${formatDuration(afterMs)}`;
/** `effective date 2030-01-31` (the day, in UTC; the details give the time). */
export const effectiveDateTimer = (atMs: number): string => `effective date ${new Date(atMs).toISOString().slice(0, 10)}`;
export const receiptsTimer = (quietMs: number): string => `tell new owners after ${formatDuration(quietMs)} without a hand-over`;
export const emailRetryTimer = (n: Notification, nextRound: number, pauseMs: number): string =>
  `email round ${nextRound} in ${formatDuration(pauseMs)}: ${emailWhat(n)}`;
/** `"Action needed" + reminder 2 in 1 minute`: what a batch's digest timer sends when it fires. */
export const digestTimer = (what: string, inMs: number): string => `digests: ${what} in ${formatDuration(Math.max(0, inMs))}`;
