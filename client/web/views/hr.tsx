// Pieces HR's pages share: the open items per tool (a short column heading with the tool's full
// name for screen readers and on hover), counted from a list of items or given as counts, and the
// signature that ties a review form to the admin who drew it, its batch ID and its people.
import type { OpenItem, Tool } from '../../../workflows/contract';
import { TOOL_LABELS, TOOLS } from '../../../workflows/contract';
import { hmac, sameSecret, type WebKeys } from '../keys';

export const TOOL_SHORT: Record<Tool, string> = {
  rfi: 'RFI',
  submittal: 'Sub',
  observation: 'Obs',
  'meeting-item': 'Mtg',
  inspection: 'Ins',
  defect: 'Pch',
  timecard: 'Tc',
};

export const countByTool = (items: readonly Pick<OpenItem, 'tool'>[]): Record<Tool, number> => {
  const counts = Object.fromEntries(TOOLS.map((t) => [t, 0])) as Record<Tool, number>;
  for (const i of items) counts[i.tool] += 1;
  return counts;
};

/** The seven column headings. */
export const ToolHeadings = () => (
  <>
    {TOOLS.map((t) => (
      <th scope="col" class="num">
        <abbr title={TOOL_LABELS[t]}>{TOOL_SHORT[t]}</abbr>
      </th>
    ))}
  </>
);

/** The seven cells; zeros are muted so the work stands out. */
export const ToolCells = (props: { counts: Record<Tool, number> }) => (
  <>
    {TOOLS.map((t) => (
      <td class={props.counts[t] === 0 ? 'num zero' : 'num'} data-label={TOOL_LABELS[t]}>
        {props.counts[t]}
      </td>
    ))}
  </>
);

/**
 * The review form's seal: who drew it, the batch ID fixed then, and the people in it (the ✕ redraws
 * it with a new seal). A form changed in the browser (another batch ID, another person) fails it.
 */
export function reviewSeal(keys: WebKeys, viewerId: number, batchId: string, userIds: readonly number[]): string {
  return hmac(keys.review, `review:${viewerId}:${batchId}:${userIds.join(',')}`);
}

export function reviewSealValid(keys: WebKeys, viewerId: number, batchId: string, userIds: readonly number[], sent: unknown): boolean {
  return typeof sent === 'string' && sent.length > 0 && sent.length <= 100 && sameSecret(sent, reviewSeal(keys, viewerId, batchId, userIds));
}

/** Form values that may be given once or many times (checkboxes, hidden lists), as strings. */
export function allValues(body: Record<string, string | File | (string | File)[]>, name: string): string[] {
  const v = body[name] ?? body[`${name}[]`];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** The first string value of a field, or undefined. */
export function oneValue(body: Record<string, string | File | (string | File)[]>, name: string): string | undefined {
  const v = body[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : undefined;
}

