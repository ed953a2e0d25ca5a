// Open items and resolutions as the emails list them: grouped by project then tool, with the
// operators' CLI commands under each item.
import { ROLE_LABELS, TOOL_LABELS, TOOLS, type ItemResolution, type OpenItem, type Tool } from '../../workflows/contract';
import { formatDateTime } from './format';
import { html, type SafeHtml } from './html';
import { S } from './layout';
import { nameOf } from './people';
import type { NotificationPeople } from './render';

export function itemLine(item: OpenItem): string {
  const number = item.number ? `#${item.number} ` : '';
  return `${number}${item.title} — ${ROLE_LABELS[item.role]}, status ${item.status}`;
}

type ProjectGroup = { project: string; tools: { tool: Tool; items: OpenItem[] }[] };

/** Items grouped by project (alphabetical, "No project" last) then by tool in TOOLS order. */
export function groupItems(items: readonly OpenItem[]): ProjectGroup[] {
  const byProject = new Map<string, OpenItem[]>();
  for (const item of items) {
    const project = item.projectName ?? 'No project';
    const list = byProject.get(project) ?? [];
    list.push(item);
    byProject.set(project, list);
  }
  const names = [...byProject.keys()].sort((a, b) =>
    a === 'No project' ? 1 : b === 'No project' ? -1 : a.localeCompare(b),
  );
  return names.map((project) => {
    const list = byProject.get(project) ?? [];
    return {
      project,
      tools: TOOLS.map((tool) => ({ tool, items: list.filter((i) => i.tool === tool).sort((a, b) => a.key.localeCompare(b.key)) })).filter(
        (g) => g.items.length > 0,
      ),
    };
  });
}

type Commands = { reassign: string | null; close: string };

function commandsFor(userId: number, item: OpenItem, by: string): Commands {
  return {
    // A missing final timecard entry cannot be handed to someone else: it is recorded (closed).
    reassign: item.tool === 'timecard' ? null : `offboard reassign ${userId} ${item.key} --to <user-id> --by ${by}`,
    close: `offboard close ${userId} ${item.key} --by ${by} [--note "…"]`,
  };
}

export const doneCommand = (userId: number, by: string) => `offboard done ${userId} --by ${by}`;

export function itemsText(userId: number, items: readonly OpenItem[], by: string | null): string {
  const lines: string[] = [];
  for (const group of groupItems(items)) {
    lines.push(`Project: ${group.project}`);
    for (const { tool, items: toolItems } of group.tools) {
      lines.push(`  ${TOOL_LABELS[tool]}`);
      for (const item of toolItems) {
        lines.push(`    - [${item.key}] ${itemLine(item)}`);
        if (by !== null) {
          const c = commandsFor(userId, item, by);
          if (c.reassign) lines.push(`        reassign: ${c.reassign}`);
          lines.push(`        close:    ${c.close}`);
        }
      }
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

export function itemsHtml(userId: number, items: readonly OpenItem[], by: string | null): SafeHtml {
  return html`${groupItems(items).map(
    (group) => html`<h2 style="${S.h2}">Project: ${group.project}</h2>${group.tools.map(
      ({ tool, items: toolItems }) => html`<h3 style="${S.h3}">${TOOL_LABELS[tool]}</h3><ul>${toolItems.map((item) => {
        const c = by === null ? null : commandsFor(userId, item, by);
        return html`<li><code style="${S.code}">${item.key}</code> ${itemLine(item)}${
          c
            ? html`<br><span style="${S.note}">${c.reassign ? html`reassign: <code style="${S.code}">${c.reassign}</code><br>` : ''}close: <code style="${S.code}">${c.close}</code></span>`
            : ''
        }</li>`;
      })}</ul>`,
    )}`,
  )}`;
}

export function resolutionText(people: NotificationPeople, r: ItemResolution): string {
  const where = r.projectName ? ` (${r.projectName})` : '';
  const what =
    r.action === 'reassigned'
      ? `reassigned to ${nameOf(people, r.toUserId)}`
      : r.action === 'closed'
        ? 'closed'
        : 'final timecard entry recorded';
  const note = r.note ? ` — note: ${r.note}` : '';
  return `[${r.itemKey}] ${TOOL_LABELS[r.tool]}: ${r.title}${where}: ${what} by ${nameOf(people, r.byUserId)} on ${formatDateTime(r.at)}${note}`;
}
