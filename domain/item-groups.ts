// How a list of open items is laid out wherever people read it (the emails and the leaving person's
// page): grouped by project, then by tool. One order, so the page and the email a manager got list
// the same items in the same places.
import { TOOLS, type OpenItem, type Tool } from '../workflows/contract';

export type ProjectGroup = { project: string; tools: { tool: Tool; items: OpenItem[] }[] };

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
