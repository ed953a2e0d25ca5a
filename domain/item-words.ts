// How an open item is named and described to people, on the pages and in the emails alike: its number
// (`RFI-001`, or `RFI #7` for a bare number), else its title; its tool, role and status in words
// ("observation, assignee · initiated"). No item keys, which are the operators' (CLI) handles.
import { itemStatusWords, type OpenItem, ROLE_LABELS, type Tool } from '../workflows/contract';

const TOOL_ITEM: Record<Tool, string> = {
  rfi: 'RFI',
  submittal: 'Submittal',
  observation: 'Observation',
  'meeting-item': 'Meeting item',
  inspection: 'Inspection',
  defect: 'Punch item',
  timecard: 'Timecard',
};

/** One item of a tool, as a sentence says it: `RFI`, `observation`, `punch item`. */
export function toolItemWord(tool: Tool): string {
  const word = TOOL_ITEM[tool];
  return tool === 'rfi' ? word : word.toLowerCase();
}

/** What a person calls the item: its number (`RFI-001`, or `RFI #7` for a bare number), else its title. */
export function itemName(item: Pick<OpenItem, 'tool' | 'number' | 'title'>): string {
  if (item.tool === 'timecard') return 'The final timecard entry';
  const n = item.number.trim();
  if (n === '') return item.title;
  return /^[0-9]+$/.test(n) ? `${TOOL_ITEM[item.tool]} #${n}` : n;
}

/** The name, then the title when the name is not already the title: `OBS-001 Missing guardrail`. */
export function itemNameAndTitle(item: Pick<OpenItem, 'tool' | 'number' | 'title'>): string {
  const name = itemName(item);
  return item.tool === 'timecard' || name === item.title ? name : `${name} ${item.title}`;
}


/** How the user holds the item and where it stands: `assignee · initiated`; a timecard `not recorded yet`. */
export function itemState(item: Pick<OpenItem, 'tool' | 'role' | 'status'>): string {
  return item.tool === 'timecard' ? 'not recorded yet' : `${ROLE_LABELS[item.role]} · ${itemStatusWords(item.status)}`;
}

/** The whole line of an email: `OBS-001 Missing guardrail — observation, assignee · initiated`. */
export function itemLine(item: Pick<OpenItem, 'tool' | 'role' | 'status' | 'number' | 'title'>): string {
  return `${itemNameAndTitle(item)} — ${toolItemWord(item.tool)}, ${itemState(item)}`;
}
