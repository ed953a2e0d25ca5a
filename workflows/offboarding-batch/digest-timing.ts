// When a batch's digest rounds are due: the quiet times and caps of the gathered rounds, and the small
// arithmetic of due times (null: nothing gathered, nothing due).
/** "Action needed" goes once nobody started waiting for this long… */
export const ACTION_QUIET_MS = 5 * 1000;
/** …or this long after the first one waiting, whichever comes first. */
export const ACTION_MAX_MS = 2 * 60 * 1000;
/**
 * Ended offboardings are told once none ended for this long… (10 s was measured too short: on a loaded
 * 2-core machine the 1,000-user bench had gaps that long, and its managers got 2–3 rounds each.)
 */
export const CLOSING_QUIET_MS = 5 * 60 * 1000;
/** …or this long after the first of them ended (and, at the latest, when the batch ends). */
export const CLOSING_MAX_MS = 60 * 60 * 1000;

/**
 * Past a deadline the batch waits this long before telling the admins: the people's own workflows hand
 * their items to their managers at that moment, and only what is still open after it is escalated.
 */
export const DEADLINE_SETTLE_MS = 60 * 1000;

/** Arrivals gathered since `first`, the newest at `last` (workflow time, ms). */
export type Gathered = { first: number; last: number } | null;
export const dueOf = (g: Gathered, quietMs: number, maxMs: number): number | null => (g === null ? null : Math.min(g.last + quietMs, g.first + maxMs));
export const arrive = (g: Gathered, now: number): Gathered => (g === null ? { first: now, last: now } : { first: g.first, last: now });

export const min = (...xs: (number | null)[]): number => Math.min(...xs.map((x) => x ?? Infinity));
