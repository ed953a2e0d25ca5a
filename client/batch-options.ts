// What a person gives when starting a batch, checked the same way wherever it is given: the CLI's
// `offboard start` flags and the web's review form. Each check throws the refusal the batch itself
// would answer (INVALID_INPUT, EFFECTIVE_DATE_IN_PAST, TARGET_SAME_USER, …), in words naming the
// field as the caller calls it (`--effective-at`, "The effective date").
import { z } from 'zod';
import {
  DEADLINE_ACTIONS,
  DEFAULT_POLICY,
  MAX_EFFECTIVE_DELAY_DAYS,
  type OffboardingPolicy,
  REASON_RULE,
  refuse,
  textProblem,
} from '../workflows/contract';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A future ISO date-time with a zone (Z or ±hh:mm), as the workflow waits for it. */
export function parseEffectiveAt(text: string | undefined, now = Date.now(), label = '--effective-at'): string | null {
  if (text === undefined) return null;
  if (!z.iso.datetime({ offset: true }).safeParse(text).success || !Number.isFinite(Date.parse(text))) {
    refuse('INVALID_INPUT', `${label} "${text.slice(0, 60)}" is not an ISO date-time with a zone, like 2030-01-31T17:00:00Z.`);
  }
  const at = new Date(text);
  if (at.getTime() <= now) refuse('EFFECTIVE_DATE_IN_PAST', `${label} ${at.toISOString()} is not in the future.`);
  if (at.getTime() > now + MAX_EFFECTIVE_DELAY_DAYS * DAY_MS) {
    refuse('EFFECTIVE_DATE_TOO_FAR', `${label} ${at.toISOString()} is more than ${MAX_EFFECTIVE_DELAY_DAYS} days away.`);
  }
  return at.toISOString();
}

/** The reason, trimmed; refused when it breaks REASON_RULE, or is missing where it is required. */
export function checkReason(text: string | undefined, options: { required: boolean; label?: string }): string | null {
  const reason = text?.trim() ?? '';
  if (reason === '') {
    if (options.required) refuse('INVALID_INPUT', `${options.label ?? '--reason'} is required: say why these people are offboarded.`);
    return null;
  }
  const problem = textProblem(reason, REASON_RULE);
  if (problem) refuse('INVALID_INPUT', `${options.label ? `${options.label}: ` : '--reason: '}${problem.message}`);
  return reason;
}

const days = (max: number) =>
  z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.coerce.number({ error: `must be a whole number of days (1 to ${max})` }).int(`must be a whole number of days (1 to ${max})`).min(1, `must be at least 1 day`).max(max, `must be at most ${max} days`).optional(),
  );

/**
 * The policy options (as flags, and as the review form's fields of the same names): reminder
 * interval, escalation, deadline and its action, and `force` — domain rule 2's explicit exception,
 * "inactivate even with open items" (they stay assigned to the person, recorded in the result).
 */
export const policyFields = z.object({
  'remind-every': days(30),
  'escalate-after': days(90),
  deadline: days(365),
  'deadline-action': z.preprocess((v) => (v === '' ? undefined : v), z.enum(DEADLINE_ACTIONS, { error: `must be ${DEADLINE_ACTIONS.join(' or ')}` }).optional()),
  force: z.boolean().default(false),
});
export type PolicyFields = z.infer<typeof policyFields>;

/** The batch's policy from the options: only what was given (the batch fills in DEFAULT_POLICY). */
export function policyOf(f: PolicyFields): Partial<OffboardingPolicy> {
  const policy: Partial<OffboardingPolicy> = {};
  if (f['remind-every'] !== undefined) policy.reminderIntervalMs = f['remind-every'] * DAY_MS;
  if (f['escalate-after'] !== undefined) policy.escalateAfterMs = f['escalate-after'] * DAY_MS;
  if (f.deadline !== undefined) policy.deadlineMs = f.deadline * DAY_MS;
  if (f['deadline-action'] !== undefined) policy.deadlineAction = f['deadline-action'];
  if (f.force) policy.inactivateWithOpenItems = true;
  const reminder = policy.reminderIntervalMs ?? DEFAULT_POLICY.reminderIntervalMs;
  const escalate = policy.escalateAfterMs ?? DEFAULT_POLICY.escalateAfterMs;
  if (policy.deadlineAction !== undefined && policy.deadlineMs === undefined) {
    refuse('INVALID_INPUT', 'A deadline action needs a deadline (in days).');
  }
  if (policy.deadlineMs != null && policy.deadlineMs < escalate) {
    refuse('INVALID_INPUT', `The deadline (${policy.deadlineMs / DAY_MS} days) comes before the escalation (${escalate / DAY_MS} days); make it later.`);
  }
  if (reminder > escalate) refuse('INVALID_INPUT', `Reminders every ${reminder / DAY_MS} days would start after the escalation (${escalate / DAY_MS} days); remind more often.`);
  return policy;
}

/**
 * Successor pairs (leaving user -> who takes their items), checked against the batch: the leaving
 * user is in it, the successor is not, nobody succeeds themselves, one successor per user. `label`
 * names a pair in messages (the CLI's `--successor a=b`), `name` where two pairs are compared (`a=b`).
 */
export function checkSuccessors(
  userIds: readonly number[],
  pairs: readonly { from: number; to: number; label: string; name?: string }[],
  field = '--successor',
): Record<string, number> {
  const successors: Record<string, number> = {};
  const pairOf = new Map<number, string>();
  for (const { from, to, label, name = label } of pairs) {
    if (!userIds.includes(from)) refuse('INVALID_INPUT', `${label}: user ${from} is not in this batch.`);
    if (userIds.includes(to)) refuse('TARGET_BEING_OFFBOARDED', `${label}: user ${to} is in this batch too; choose someone staying.`);
    if (from === to) refuse('TARGET_SAME_USER', `${label}: a user cannot succeed themselves.`);
    // A second pair for the same user would silently replace the first (the last one won).
    const earlier = pairOf.get(from);
    if (earlier !== undefined) refuse('INVALID_INPUT', `${field} names user ${from} twice (${earlier.slice(0, 80)} and ${name.slice(0, 80)}); give each user one successor.`);
    pairOf.set(from, name);
    successors[String(from)] = to;
  }
  return successors;
}
