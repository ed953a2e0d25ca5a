import { ApplicationFailure } from '@temporalio/common';

// One list of domain refusal codes, shared by the domain (a plain Refusal), activities (raised as
// non-retryable ApplicationFailures whose `type` is the code), workflow validators, and the front
// ends, each of which says what to do next in its own words: client/refusal-hints.ts (the CLI) and
// client/web/refusal-hints.ts (the web). Pure data: safe to import from workflow code.

export const REFUSAL_CODES = [
  'INVALID_INPUT',
  'USER_NOT_FOUND',
  'PERMISSION_DENIED',
  'REQUESTER_INACTIVE',
  'REQUESTER_IN_BATCH',
  'DUPLICATE_USER',
  'USER_ALREADY_INACTIVE',
  'USER_ALREADY_ACTIVE',
  'ALREADY_IN_OFFBOARDING',
  'BATCH_EMPTY',
  'BATCH_TOO_LARGE',
  'BATCH_NOT_FOUND',
  'BATCH_ID_TAKEN',
  'BATCH_FINISHED',
  'USER_NOT_IN_BATCH',
  'USER_ALREADY_INACTIVATED',
  'OFFBOARDING_NOT_FOUND',
  'OFFBOARDING_NOT_WAITING',
  'EFFECTIVE_DATE_IN_PAST',
  'EFFECTIVE_DATE_TOO_FAR',
  'NOTE_TOO_LONG',
  'ITEM_KEY_MALFORMED',
  'ITEM_NOT_FOUND',
  'ITEM_NOT_PENDING',
  'ITEM_NOT_OPEN',
  'ITEM_NOT_HELD_BY_USER',
  'TARGET_NOT_FOUND',
  'TARGET_SAME_USER',
  'TARGET_INACTIVE',
  'TARGET_NOT_PROJECT_MEMBER',
  'TARGET_BEING_OFFBOARDED',
  'TARGET_NO_EMAIL',
  'OPEN_ITEMS_REMAIN',
  'PROJECT_NOT_FOUND',
  'ROLE_NOT_IN_TOOL',
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];

const CODES: ReadonlySet<string> = new Set(REFUSAL_CODES);

export function isRefusalCode(value: unknown): value is RefusalCode {
  return typeof value === 'string' && CODES.has(value);
}

// A refusal is a Temporal failure: non-retryable, `type` = the code, `details[0]` = what the refused
// party may want (the open items, the current admins). Everything raises it the same way — workflow
// validators, the domain, activities, the CLI and the web — and finds it the same way, however deep
// in a chain of causes (an activity failure in an update failure in a workflow failure) it sits.

export function refusal(code: RefusalCode, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true, details: details === undefined ? [] : [details] });
}

/** Throws the refusal: `message` is a sentence a person can act on, naming the IDs involved. */
export function refuse(code: RefusalCode, message: string, details?: unknown): never {
  throw refusal(code, message, details);
}

export type Refusal = { code: RefusalCode; message: string; details: readonly unknown[] };

/** The refusal anywhere in an error's chain of causes, or undefined when it is not one. */
export function refusalOf(err: unknown): Refusal | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 8 && e instanceof Error; depth++) {
    if (e instanceof ApplicationFailure && isRefusalCode(e.type)) return { code: e.type, message: e.message, details: e.details ?? [] };
    e = e.cause;
  }
  return undefined;
}

/**
 * An update handler must fail with an ApplicationFailure to fail only the update (any other error
 * would fail the workflow task): refusals keep their code, anything else becomes a retryable one.
 */
export function asUpdateFailure(err: unknown): ApplicationFailure {
  const r = refusalOf(err);
  if (r) return refusal(r.code, r.message, r.details[0]);
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({ type: 'UNAVAILABLE', message: `could not complete the request: ${message}`, nonRetryable: false });
}
