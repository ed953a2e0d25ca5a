// How the pages say things: dates (UTC, labelled), item names, stages in words, and what to do after
// a refusal, in the words of a manager using the page (not the CLI's).
import type { UserStage } from '../../workflows/contract';
import { REFUSALS, type RefusalCode } from '../../workflows/contract';
import { plural } from './plural';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** `30 Nov 2026, 14:02 UTC`. */
export function when(value: string | Date | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return String(value);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** `3 days`, `5 hours`, `less than an hour`. */
export function waited(since: string | Date | null | undefined, now: Date): string {
  if (!since) return '—';
  const hours = Math.floor(Math.max(0, now.getTime() - new Date(since).getTime()) / 3_600_000);
  if (hours < 1) return 'less than an hour';
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}

export { plural, pluralWord } from './plural';

// Item names and states are the emails' words too: one source, in domain/.
export { itemName, itemState } from '../../domain/item-words';

export function stageWords(stage: UserStage | 'ended', itemsLeft: number | null, managerName: string | null): string {
  switch (stage) {
    case 'validating':
      return 'Starting';
    case 'awaiting-reassignment':
      return itemsLeft === 0 || itemsLeft === null
        ? 'Nothing left to hand over; checking'
        : `Waiting for ${managerName ?? 'the manager'} to hand over ${plural(itemsLeft, 'item')}`;
    case 'waiting-effective-date':
      return 'All items handled; waiting for the effective date';
    case 'inactivating':
      return 'Being inactivated now';
    case 'inactivated':
      return 'Inactivated';
    case 'removed':
      return 'Removed from the offboarding';
    case 'cancelled':
      return 'Offboarding cancelled';
    case 'failed':
      return 'Failed — an admin has to look at it';
    case 'ended':
      return 'Ended';
  }
}

const WEB_HINTS: Partial<Record<RefusalCode, string>> = {
  PERMISSION_DENIED: 'Only the person’s manager or a company directory admin may do this.',
  OFFBOARDING_NOT_WAITING: 'The offboarding is not waiting for hand-overs any more; this page shows where it is.',
  OFFBOARDING_NOT_FOUND: 'There is no offboarding of this person to act on.',
  ITEM_NOT_PENDING: 'The item is not open in this offboarding any more; the list below is what is left.',
  ITEM_NOT_OPEN: 'Someone closed the item meanwhile; the list below is what is left.',
  ITEM_NOT_HELD_BY_USER: 'Someone changed the item meanwhile; the list below is what is left.',
  ITEM_NOT_FOUND: 'The item does not exist any more; the list below is what is left.',
  ITEM_KEY_MALFORMED: 'Use the forms on this page to choose an item.',
  TARGET_NOT_FOUND: 'Choose someone from the list.',
  TARGET_SAME_USER: 'Choose someone else from the list.',
  TARGET_INACTIVE: 'Choose someone else from the list.',
  TARGET_NOT_PROJECT_MEMBER: 'Choose someone else from the list: only members of the item’s project can take it.',
  TARGET_BEING_OFFBOARDED: 'Choose someone who is staying.',
  TARGET_NO_EMAIL: 'Choose someone from the list: only people with an email address can be told about the item.',
  NOTE_TOO_LONG: 'Shorten the note to 2,000 characters and close the item again.',
  INVALID_INPUT: 'Check what you entered and try again.',
};

/** What to do next after a refusal, in the page's words. */
export function refusalHelp(code: RefusalCode | 'UNAVAILABLE'): string {
  if (code === 'UNAVAILABLE') return 'Nothing was changed. Try again in a minute; if it keeps failing, tell an operator.';
  return WEB_HINTS[code] ?? REFUSALS[code];
}
