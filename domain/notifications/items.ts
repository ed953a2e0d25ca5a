// Open items and resolutions as the emails list them: grouped by project then tool (domain/item-groups.ts,
// as the page groups them), each item in the page's words (domain/item-words.ts): number, title, tool,
// role and status. No item keys or CLI commands: those are the operators' and live in docs/cli.md and `offboard --help`.
import { TOOL_LABELS, type ItemResolution, type OpenItem } from '../../workflows/contract';
import { groupItems } from '../item-groups';
import { itemLine, toolItemWord } from '../item-words';
import { formatDateTime } from './format';
import { html, type SafeHtml } from './html';
import { S } from './layout';
import { nameOf } from './people';
import type { NotificationPeople } from './render';

export function itemsText(items: readonly OpenItem[]): string {
  const lines: string[] = [];
  for (const group of groupItems(items)) {
    lines.push(`Project: ${group.project}`);
    for (const { tool, items: toolItems } of group.tools) {
      lines.push(`  ${TOOL_LABELS[tool]}`);
      for (const item of toolItems) lines.push(`    - ${itemLine(item)}`);
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

export function itemsHtml(items: readonly OpenItem[]): SafeHtml {
  return html`${groupItems(items).map(
    (group) => html`<h2 style="${S.h2}">Project: ${group.project}</h2>${group.tools.map(
      ({ tool, items: toolItems }) => html`<h3 style="${S.h3}">${TOOL_LABELS[tool]}</h3><ul>${toolItems.map((item) => html`<li>${itemLine(item)}</li>`)}</ul>`,
    )}`,
  )}`;
}

/** A handed-over or closed item, as the emails name it: `Observation: Missing guardrail (Harbor Tower)`. */
export function resolvedItem(r: Pick<ItemResolution, 'tool' | 'title' | 'projectName'>): string {
  const word = toolItemWord(r.tool);
  return `${word.charAt(0).toUpperCase()}${word.slice(1)}: ${r.title}${r.projectName ? ` (${r.projectName})` : ''}`;
}

export function resolutionWhat(people: NotificationPeople, r: ItemResolution): string {
  return r.action === 'reassigned' ? `reassigned to ${nameOf(people, r.toUserId)}` : r.action === 'closed' ? 'closed' : 'final timecard entry recorded';
}

export function resolutionText(people: NotificationPeople, r: ItemResolution): string {
  const note = r.note ? ` — note: ${r.note}` : '';
  return `${resolvedItem(r)}: ${resolutionWhat(people, r)} by ${nameOf(people, r.byUserId)} on ${formatDateTime(r.at)}${note}`;
}
