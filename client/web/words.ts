// How the pages say things: dates (UTC, labelled), item names, stages in words, and what to do after
// a refusal (refusal-hints.ts), in the words of a manager using the page (not the CLI's).
import type { UserStage } from '../../workflows/contract';
import type { RefusalCode } from '../../workflows/contract';
import { plural } from './plural';
import { webHint } from './refusal-hints';

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

/** What to do next after a refusal, in the page's words (refusal-hints.ts). */
export function refusalHelp(code: RefusalCode | 'UNAVAILABLE'): string {
  return webHint(code);
}
