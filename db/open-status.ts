// What "open" means in each tool, as SQL over the status column: DESIGN.md's table, written once.
// The schema's partial indexes and the open-item scan (domain/tool-roles.ts) both use these, so the
// planner can always answer a scan branch from its index.
import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';

/** RFIs: open while draft or open. */
export const rfiOpen = (status: SQLWrapper): SQL => sql`${status} in ('draft', 'open')`;
/** Submittals, observations, inspections and defect items: open until closed. */
export const notClosed = (status: SQLWrapper): SQL => sql`${status} <> 'closed'`;
/** Meeting items: open while open. */
export const meetingItemOpen = (status: SQLWrapper): SQL => sql`${status} = 'open'`;
/** A submittal approver holds the item while their response is pending. */
export const responsePending = (response: SQLWrapper): SQL => sql`${response} = 'pending'`;
