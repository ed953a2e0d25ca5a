// Limits and the offboarding policy (reminders, escalation, deadline), shared by the CLI, the web,
// the validators and the activities.
import type { TextRule } from './text';


export const MAX_BATCH_SIZE = 10_000;
/** How far ahead an effective date may be: a batch waits for it, and a wait of years is a typo. */
export const MAX_EFFECTIVE_DELAY_DAYS = 365;
export const MAX_NOTE_LENGTH = 2_000;
export const MAX_REASON_LENGTH = 500;
/** A note may run over several lines; a reason is one line (text.ts counts and checks). */
export const NOTE_RULE: TextRule = { what: 'The note', max: MAX_NOTE_LENGTH, lineBreaks: true };
export const REASON_RULE: TextRule = { what: 'The reason', max: MAX_REASON_LENGTH, lineBreaks: false };

export const DEADLINE_ACTIONS = ['escalate-only', 'reassign-to-manager'] as const;
export type DeadlineAction = (typeof DEADLINE_ACTIONS)[number];

/** Durations are milliseconds (validated at the edge). */
export type OffboardingPolicy = {
  reminderIntervalMs: number;
  escalateAfterMs: number;
  deadlineMs: number | null;
  deadlineAction: DeadlineAction;
  /** Domain rule 2's explicit exception: inactivate even with open items (they stay as they are). */
  inactivateWithOpenItems: boolean;
};

const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_POLICY: OffboardingPolicy = {
  reminderIntervalMs: 2 * DAY_MS,
  escalateAfterMs: 7 * DAY_MS,
  deadlineMs: null,
  deadlineAction: 'escalate-only',
  inactivateWithOpenItems: false,
};
