// The open-item model: the seven tools, the roles in which a user is responsible, their labels, item
// keys (`rfi:42:assignee`) and what happened to an item.

export const TOOLS = ['rfi', 'submittal', 'observation', 'meeting-item', 'inspection', 'defect', 'timecard'] as const;
export type Tool = (typeof TOOLS)[number];

/** The roles in which a user is responsible for an item, per tool (DESIGN.md's table). */
export const ROLES_BY_TOOL = {
  rfi: ['manager', 'assignee'],
  submittal: ['manager', 'approver'],
  observation: ['assignee'],
  'meeting-item': ['assignee'],
  inspection: ['point-of-contact'],
  defect: ['assigned-to'],
  timecard: ['employee'],
} as const satisfies Record<Tool, readonly string[]>;
export type Role = (typeof ROLES_BY_TOOL)[Tool][number];
/** `<tool>:<role>`: one kind of responsibility; domain/tool-roles.ts maps each to its tables. */
export type ToolRole = { [T in Tool]: `${T}:${(typeof ROLES_BY_TOOL)[T][number]}` }[Tool];
/** Every tool:role, in the order items are listed (tool, then role). */
export const TOOL_ROLES = TOOLS.flatMap((tool) => ROLES_BY_TOOL[tool].map((role) => `${tool}:${role}`)) as ToolRole[];

export const TOOL_LABELS: Record<Tool, string> = {
  rfi: 'RFIs',
  submittal: 'Submittals',
  observation: 'Observations',
  'meeting-item': 'Meeting items',
  inspection: 'Inspections',
  defect: 'Defect (punch) list items',
  timecard: 'Timecards',
};

/** How a person is responsible for an item, in the words of the emails and pages. */
export const ROLE_LABELS: Record<Role, string> = {
  manager: 'manager',
  assignee: 'assignee',
  approver: 'approver (response pending)',
  'point-of-contact': 'point of contact',
  'assigned-to': 'assigned to',
  employee: 'final timecard entry missing',
};

/**
 * An item's status in words, as the pages and the Assignment Report's CSV write it: the tools' codes
 * (`work_required`, `in_review`) are lower-case words joined by underscores.
 */
export const itemStatusWords = (status: string): string => status.replaceAll('_', ' ');

/**
 * One open item a user is responsible for. Key: `<tool>:<id>:<role>`, stable across scans.
 * For timecards the id is the employee's user ID (the item is "their final entry is missing").
 */
export type OpenItem = {
  key: string;
  tool: Tool;
  role: Role;
  itemId: number;
  projectId: number | null;
  projectName: string | null;
  number: string;
  title: string;
  status: string;
  userId: number;
};

export type ItemKey = { tool: Tool; itemId: number; role: Role };

const ITEM_KEY = /^([a-z-]+):([1-9][0-9]{0,9}):([a-z-]+)$/;

/** Parses `rfi:42:assignee`; returns undefined for anything malformed (unknown tool, role, id). */
export function parseItemKey(key: unknown): ItemKey | undefined {
  if (typeof key !== 'string' || key.length > 64) return undefined;
  const m = ITEM_KEY.exec(key);
  if (!m) return undefined;
  const tool = m[1] as Tool;
  const role = m[3] as Role;
  if (!(TOOLS as readonly string[]).includes(tool)) return undefined;
  if (!(ROLES_BY_TOOL[tool] as readonly string[]).includes(role)) return undefined;
  const itemId = Number(m[2]);
  if (!Number.isSafeInteger(itemId) || itemId > 2_147_483_647) return undefined;
  return { tool, itemId, role };
}

export function formatItemKey(k: ItemKey): string {
  return `${k.tool}:${k.itemId}:${k.role}`;
}

export type ResolutionAction = 'reassigned' | 'closed' | 'final-timecard-recorded';

/** What happened to one item, by whom and when (ISO time from the database). */
export type ItemResolution = {
  itemKey: string;
  tool: Tool;
  title: string;
  projectName: string | null;
  action: ResolutionAction;
  fromUserId: number;
  toUserId: number | null;
  byUserId: number;
  at: string;
  note: string | null;
  requestId: string;
};
