// One specification per <tool>:<role> (DESIGN.md's table of what blocks an inactivation): which table
// holds the item, which column or assignment row makes a user responsible, when the item is open, and
// what closing it writes. The open-item scan (open-items.ts) and the item lock and writes
// (item-resolution.ts) are built from it; the schema's partial indexes use the same open predicates
// (db/open-status.ts); the names and labels are the contract's (ROLES_BY_TOOL, TOOL_LABELS, ROLE_LABELS).
// Adding a role to the contract does not compile until it has an entry here.
import { eq, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { meetingItemOpen, notClosed, responsePending, rfiOpen } from '../db/open-status';
import {
  defectItems,
  inspections,
  meetingItemAssignees,
  meetingItems,
  meetings,
  observations,
  rfiAssignees,
  rfis,
  submittalApprovers,
  submittals,
} from '../db/schema';
import { type Role, ROLES_BY_TOOL, type Tool, type ToolRole, TOOLS } from '../workflows/contract';

/** The table an item lives in, and how to read it. */
export type ItemTable = {
  table: PgTable;
  id: AnyPgColumn;
  number: AnyPgColumn;
  title: AnyPgColumn;
  status: AnyPgColumn;
  updatedAt: AnyPgColumn;
  /** The item's project column; meeting items reach it through their meeting (`via`). */
  projectId: AnyPgColumn;
  via?: { table: PgTable; on: SQL };
  /** DESIGN.md's "open while", over this table's status. */
  open: SQL;
  /** What closing the item sets its status to. */
  closedStatus: string;
};

/** The user in one column of the item row is responsible (an RFI's manager). */
export type HeldByColumn = { kind: 'column'; item: ItemTable; holder: AnyPgColumn };

/** Each row of an assignment table makes its user responsible (an RFI's assignees). */
export type HeldByRow = {
  kind: 'row';
  item: ItemTable;
  rows: PgTable;
  itemRef: AnyPgColumn;
  user: AnyPgColumn;
  /** The row holds the item only while this holds (an approver's response is pending). */
  pending?: SQL;
  /**
   * Closing answers on the holder's behalf instead of closing the item: a submittal approver's
   * pending response is answered 'revise_and_resubmit' (never an approval nobody gave), and the
   * submittal goes back for a real review.
   */
  closeAnswer?: { column: AnyPgColumn; value: string; at: AnyPgColumn };
};

/** An employee owes their final timecard entry; the item is the employee (timecard:<userId>:employee). */
export type HeldAsEmployee = { kind: 'employee' };

export type ToolRoleSpec = HeldByColumn | HeldByRow | HeldAsEmployee;

/** The answer recorded when an approver's pending response is closed (see HeldByRow.closeAnswer). */
export const APPROVER_CLOSE_RESPONSE = 'revise_and_resubmit';

const rfiItem: ItemTable = {
  table: rfis,
  id: rfis.id,
  number: rfis.number,
  title: rfis.subject,
  status: rfis.status,
  updatedAt: rfis.updatedAt,
  projectId: rfis.projectId,
  open: rfiOpen(rfis.status),
  closedStatus: 'closed',
};
const submittalItem: ItemTable = {
  table: submittals,
  id: submittals.id,
  number: submittals.number,
  title: submittals.title,
  status: submittals.status,
  updatedAt: submittals.updatedAt,
  projectId: submittals.projectId,
  open: notClosed(submittals.status),
  closedStatus: 'closed',
};
const observationItem: ItemTable = {
  table: observations,
  id: observations.id,
  number: observations.number,
  title: observations.title,
  status: observations.status,
  updatedAt: observations.updatedAt,
  projectId: observations.projectId,
  open: notClosed(observations.status),
  closedStatus: 'closed',
};
const meetingItem: ItemTable = {
  table: meetingItems,
  id: meetingItems.id,
  number: meetingItems.number,
  title: meetingItems.title,
  status: meetingItems.status,
  updatedAt: meetingItems.updatedAt,
  projectId: meetings.projectId,
  via: { table: meetings, on: eq(meetings.id, meetingItems.meetingId) },
  open: meetingItemOpen(meetingItems.status),
  closedStatus: 'closed',
};
const inspectionItem: ItemTable = {
  table: inspections,
  id: inspections.id,
  number: inspections.number,
  title: inspections.title,
  status: inspections.status,
  updatedAt: inspections.updatedAt,
  projectId: inspections.projectId,
  open: notClosed(inspections.status),
  closedStatus: 'closed',
};
const defectItem: ItemTable = {
  table: defectItems,
  id: defectItems.id,
  number: defectItems.number,
  title: defectItems.title,
  status: defectItems.status,
  updatedAt: defectItems.updatedAt,
  projectId: defectItems.projectId,
  open: notClosed(defectItems.status),
  closedStatus: 'closed',
};

export const TOOL_ROLE_SPECS: Readonly<Record<ToolRole, ToolRoleSpec>> = {
  'rfi:manager': { kind: 'column', item: rfiItem, holder: rfis.managerId },
  'rfi:assignee': { kind: 'row', item: rfiItem, rows: rfiAssignees, itemRef: rfiAssignees.rfiId, user: rfiAssignees.userId },
  'submittal:manager': { kind: 'column', item: submittalItem, holder: submittals.managerId },
  'submittal:approver': {
    kind: 'row',
    item: submittalItem,
    rows: submittalApprovers,
    itemRef: submittalApprovers.submittalId,
    user: submittalApprovers.userId,
    pending: responsePending(submittalApprovers.response),
    closeAnswer: { column: submittalApprovers.response, value: APPROVER_CLOSE_RESPONSE, at: submittalApprovers.respondedAt },
  },
  'observation:assignee': { kind: 'column', item: observationItem, holder: observations.assigneeId },
  'meeting-item:assignee': {
    kind: 'row',
    item: meetingItem,
    rows: meetingItemAssignees,
    itemRef: meetingItemAssignees.meetingItemId,
    user: meetingItemAssignees.userId,
  },
  'inspection:point-of-contact': { kind: 'column', item: inspectionItem, holder: inspections.pointOfContactId },
  'defect:assigned-to': { kind: 'column', item: defectItem, holder: defectItems.assignedToId },
  'timecard:employee': { kind: 'employee' },
};

export function toolRoleSpec(tool: Tool, role: Role): ToolRoleSpec | undefined {
  const key = `${tool}:${role}`;
  return Object.prototype.hasOwnProperty.call(TOOL_ROLE_SPECS, key) ? TOOL_ROLE_SPECS[key as ToolRole] : undefined;
}

/** The listing order: tools in TOOLS order, roles in ROLES_BY_TOOL order. */
export function toolRoleOrder(tool: Tool, role: Role): { toolOrder: number; roleOrder: number } {
  return { toolOrder: TOOLS.indexOf(tool), roleOrder: (ROLES_BY_TOOL[tool] as readonly Role[]).indexOf(role) };
}
