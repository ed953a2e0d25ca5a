// What HR has chosen and typed on the way to an offboarding, carried between the directory and the
// review: the people, and the review's options as typed (reason, dates, successor, policy, force).
// "Add more people" on the review takes both to the directory and "Offboard selected" brings them
// back, so nothing is typed twice, with JavaScript off too.
//
// Both pages are answered by a 303 to a GET address holding this state (POST, redirect, GET), so the
// browser's Back and Reload draw them again instead of an "ERR_CACHE_MISS / resubmit the form?" page
// (every signed-in page is no-store, so a page that was a POST's answer cannot be shown again). A
// state too large for an address (hundreds of people) is drawn in the POST's answer, as before.
import { parseIdText } from '../../workflows/contract';
import { allValues, oneValue } from './views/hr';

export type FormSource = Record<string, string | File | (string | File)[]>;

/** The review's option fields, by their form names. */
export const REVIEW_OPTION_FIELDS = ['reason', 'effective', 'successor', 'remind-every', 'escalate-after', 'deadline', 'deadline-action'] as const;

/** The options as typed, before they are checked (client/batch-options.ts checks them on the review). */
export type TypedOptions = { typed: Record<string, string>; force: boolean };

/** Longest address a redirect is made to; browsers and proxies take 8 KB without fuss. */
export const MAX_STATE_URL = 6_000;

const MAX_TYPED = 1_000;

export function typedOptionsOf(source: FormSource): TypedOptions {
  const typed = Object.fromEntries(REVIEW_OPTION_FIELDS.map((f) => [f, (oneValue(source, f) ?? '').slice(0, MAX_TYPED)]));
  return { typed, force: oneValue(source, 'force') !== undefined };
}

export const hasTypedOptions = (o: TypedOptions): boolean => o.force || Object.values(o.typed).some((v) => v !== '');

/** The typed options as address parameters (only those given). */
export function appendTypedOptions(params: URLSearchParams, o: TypedOptions): void {
  for (const f of REVIEW_OPTION_FIELDS) if (o.typed[f]) params.set(f, o.typed[f]);
  if (o.force) params.set('force', '1');
}

/** `12.45.78`: people in an address, in their order (the review's seal covers the order). */
export const idsParam = (ids: readonly number[]): string => ids.join('.');

/** The people of an address or a form: `people=12.45.78`, and repeated `name` fields. Invalid IDs are dropped. */
export function idsOf(source: FormSource, ...names: string[]): { ids: number[]; invalid: number } {
  const raw = [...(oneValue(source, 'people') ?? '').split('.').filter((v) => v !== ''), ...names.flatMap((n) => allValues(source, n))];
  const ids: number[] = [];
  let invalid = 0;
  for (const v of raw) {
    const id = parseIdText(v);
    if (id === undefined) invalid += 1;
    else ids.push(id);
  }
  return { ids, invalid };
}

/** `path?params`, or undefined when it would be too long to redirect to. */
export function stateUrl(path: string, params: URLSearchParams): string | undefined {
  const query = params.toString();
  const url = query === '' ? path : `${path}?${query}`;
  return url.length <= MAX_STATE_URL ? url : undefined;
}
