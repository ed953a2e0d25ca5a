// What to do after a refusal, in the words of an operator at the command line: the `offboard`
// commands that show or fix what was refused. The web says it in its own words
// (client/web/refusal-hints.ts); both are keyed by the same codes (workflows/contract/refusals.ts).
import type { RefusalCode } from '../../workflows/contract';

export const CLI_HINTS: Record<RefusalCode, string> = {
  INVALID_INPUT: 'Check the command or input against `offboard --help` and try again.',
  USER_NOT_FOUND: 'Check the user ID or email with `offboard users`.',
  PERMISSION_DENIED: 'Ask a company directory admin (or the user’s manager, for items) to do this.',
  REQUESTER_INACTIVE: 'The requester is inactive; an active directory admin must start this.',
  REQUESTER_IN_BATCH: 'You cannot offboard yourself; ask another admin.',
  DUPLICATE_USER: 'Each user is offboarded once per batch; the duplicate was ignored.',
  USER_ALREADY_INACTIVE: 'Nothing to do: the user is already inactive (see `offboard users --inactive`).',
  USER_ALREADY_ACTIVE: 'Nothing to do: the user is already active.',
  ALREADY_IN_OFFBOARDING: 'The user is already being offboarded; see `offboard list`.',
  BATCH_EMPTY: 'Name at least one user to offboard.',
  BATCH_TOO_LARGE: 'Split the users into several batches.',
  BATCH_NOT_FOUND: 'Check the batch ID with `offboard list`.',
  BATCH_ID_TAKEN: 'Choose another batch ID, or leave out --batch for a new one; `offboard status <batchId>` shows the existing batch.',
  BATCH_FINISHED: 'The batch has already ended; start a new one if needed.',
  USER_NOT_IN_BATCH: 'Check `offboard status <batchId>` for the users in this batch.',
  USER_ALREADY_INACTIVATED: 'The user was already inactivated; reactivate with `offboard reactivate` if this was a mistake.',
  OFFBOARDING_NOT_FOUND: 'The user has no offboarding in progress; see `offboard list`.',
  OFFBOARDING_NOT_WAITING: 'The offboarding is not waiting for reassignment right now; check `offboard items <user>`.',
  EFFECTIVE_DATE_IN_PAST: 'Give a future date-time, or leave it out to inactivate as soon as items are cleared.',
  EFFECTIVE_DATE_TOO_FAR: 'Give a date-time within a year from now; start the offboarding closer to the date if it is later.',
  NOTE_TOO_LONG: 'Shorten the note.',
  ITEM_KEY_MALFORMED: 'Item keys look like rfi:42:assignee; copy one from `offboard items <user>`.',
  ITEM_NOT_FOUND: 'Copy the item key from `offboard items <user>`.',
  ITEM_NOT_PENDING: 'That item is not pending in this offboarding; see `offboard items <user>`.',
  ITEM_NOT_OPEN: 'The item is already closed; nothing to do.',
  ITEM_NOT_HELD_BY_USER: 'The item is no longer held by this user (someone else changed it); refresh with `offboard items <user>`.',
  TARGET_NOT_FOUND: 'Check the target user with `offboard users --project <id>`.',
  TARGET_SAME_USER: 'Choose a different user to take over the item.',
  TARGET_INACTIVE: 'Choose an active user (`offboard users --project <id>` lists who can be chosen).',
  TARGET_NOT_PROJECT_MEMBER: 'Choose a member of the item’s project (`offboard users --project <id>`).',
  TARGET_BEING_OFFBOARDED: 'That user is being offboarded too; choose someone staying.',
  TARGET_NO_EMAIL: 'That user has no email address, so nobody could tell them about the item; choose someone who has one.',
  OPEN_ITEMS_REMAIN: 'Reassign or close the listed items first.',
  PROJECT_NOT_FOUND: 'Check the project ID against the projects listed.',
  ROLE_NOT_IN_TOOL: 'Name each person in one of the tool’s roles (docs/import.md lists them: rfi manager or assignee, …).',
};

export function cliHint(code: RefusalCode): string {
  return CLI_HINTS[code];
}
