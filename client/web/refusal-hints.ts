// What to do after a refusal, in the words of a person using the pages (never a CLI command: those
// are the operators', client/refusal-hints.ts). Keyed by the same codes; a code may say it otherwise
// on a page where the general words would not fit (HR changing a batch, HR reactivating someone).
import { type BatchRejectionCode, MAX_NOTE_LENGTH, type RefusalCode } from '../../workflows/contract';

/** The pages whose refusals read differently from the manager's page. */
export type HintPage = 'batch' | 'reactivation';

type Hint = string | ({ any: string } & Partial<Record<HintPage, string>>);

/** UNAVAILABLE is the web's own: Temporal or the worker did not answer, so nothing was decided. */
export const WEB_HINTS: Record<RefusalCode | 'UNAVAILABLE', Hint> = {
  UNAVAILABLE: { any: 'Nothing was changed. Try again in a minute; if it keeps failing, tell an operator.', batch: 'Nothing was changed. Try again in a minute.' },
  INVALID_INPUT: { any: 'Check what you entered and try again.', reactivation: 'Nothing was changed. Write a reason and press Reactivate again.' },
  USER_NOT_FOUND: { any: 'Choose the person from the directory.', reactivation: 'Nothing was changed. Use the Reactivate button next to a person on this list.' },
  PERMISSION_DENIED: {
    any: 'Only the person’s manager or a company directory admin may do this.',
    batch: 'Only company directory admins can change a batch.',
    reactivation: 'Nothing was changed. Only an active company directory admin may reactivate people.',
  },
  REQUESTER_INACTIVE: 'The requester is inactive; an active directory admin must start this.',
  REQUESTER_IN_BATCH: 'You cannot offboard yourself; ask another admin.',
  DUPLICATE_USER: 'Each user is offboarded once per batch; the duplicate was ignored.',
  USER_ALREADY_INACTIVE: 'Nothing to do: the person is already inactive (see Inactive users).',
  USER_ALREADY_ACTIVE: { any: 'Nothing to do: the user is already active.', reactivation: 'Nothing was changed; they no longer appear on this list.' },
  ALREADY_IN_OFFBOARDING: 'The person is already being offboarded; their page shows where it is.',
  BATCH_EMPTY: 'Name at least one user to offboard.',
  BATCH_TOO_LARGE: 'Split the users into several batches.',
  BATCH_NOT_FOUND: 'Open the batch from the list of batches.',
  BATCH_ID_TAKEN: 'Start the review again for a new batch ID; the list of batches shows the existing batch.',
  BATCH_FINISHED: 'The batch has ended; this page shows how.',
  USER_NOT_IN_BATCH: 'The person is not in this batch any more; the list below is what it holds.',
  USER_ALREADY_INACTIVATED: 'They were inactivated already; reactivate them from Inactive users if this was a mistake.',
  OFFBOARDING_NOT_FOUND: 'There is no offboarding of this person to act on.',
  OFFBOARDING_NOT_WAITING: 'The offboarding is not waiting for hand-overs any more; this page shows where it is.',
  EFFECTIVE_DATE_IN_PAST: 'Give a future date-time, or leave it out to inactivate as soon as items are cleared.',
  EFFECTIVE_DATE_TOO_FAR: 'Give a date-time within a year from now; start the offboarding closer to the date if it is later.',
  NOTE_TOO_LONG: `Shorten the note to ${MAX_NOTE_LENGTH.toLocaleString('en-US')} characters and close the item again.`,
  ITEM_KEY_MALFORMED: 'Use the forms on this page to choose an item.',
  ITEM_NOT_FOUND: 'The item does not exist any more; the list below is what is left.',
  ITEM_NOT_PENDING: 'The item is not open in this offboarding any more; the list below is what is left.',
  ITEM_NOT_OPEN: 'Someone closed the item meanwhile; the list below is what is left.',
  ITEM_NOT_HELD_BY_USER: 'Someone changed the item meanwhile; the list below is what is left.',
  TARGET_NOT_FOUND: 'Choose someone from the list.',
  TARGET_SAME_USER: 'Choose someone else from the list.',
  TARGET_INACTIVE: 'Choose someone else from the list.',
  TARGET_NOT_PROJECT_MEMBER: 'Choose someone else from the list: only members of the item’s project can take it.',
  TARGET_BEING_OFFBOARDED: 'Choose someone who is staying.',
  TARGET_NO_EMAIL: 'Choose someone from the list: only people with an email address can be told about the item.',
  OPEN_ITEMS_REMAIN: 'Reassign or close the listed items first.',
  PROJECT_NOT_FOUND: 'Choose a project from the list.',
  ROLE_NOT_IN_TOOL: 'Name each person in one of the tool’s own roles; the import guide lists them.',
};

/** The hint for `code` as `page` says it (the manager's page when none is named). */
export function webHint(code: RefusalCode | 'UNAVAILABLE', page?: HintPage): string {
  const hint = WEB_HINTS[code];
  return typeof hint === 'string' ? hint : ((page ? hint[page] : undefined) ?? hint.any);
}

/** Why someone chosen is not in the batch, in the review's and the batch page's words (every code batch validation gives). */
export const REJECTION_WORDS: Record<BatchRejectionCode, string> = {
  USER_ALREADY_INACTIVE: 'already inactive',
  ALREADY_IN_OFFBOARDING: 'already being offboarded',
  USER_NOT_FOUND: 'not found in the directory',
  REQUESTER_IN_BATCH: 'that is you: another admin has to offboard you',
  DUPLICATE_USER: 'chosen twice; offboarded once',
  INVALID_INPUT: 'not a user of the directory',
};
