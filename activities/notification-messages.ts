// Pure rendering of every notification kind into subject, plain text, HTML and tracing headers.
// No I/O: the activity looks people up and passes them in, with the clock's `now`.
//
// HTML safety: every value interpolated into HTML goes through the `html` tagged template, which
// escapes it with `escapeHtml` unless it is already-built SafeHtml. Nothing from the database is
// ever concatenated into markup by hand.
import {
  ROLE_LABELS,
  TOOL_LABELS,
  TOOLS,
  type BatchRejection,
  type ItemNotTaken,
  type ItemResolution,
  type Notification,
  type OpenItem,
  type Tool,
} from '../workflows/definitions';
import { isRefusalCode, refusalHint } from '../workflows/refusals';
import { neutralizeControls } from '../workflows/text';

export type Person = { id: number; name: string; email: string | null };

export type NotificationPeople = {
  /** The user the notification is about (absent for batch summaries). */
  user: Person | null;
  manager: Person | null;
  requester: Person | null;
  /** Reactivation: the admin who reactivated. */
  actor: Person | null;
  /** Display names of every user ID referenced (resolutions, summaries, rejections). */
  names: Record<number, string>;
  /** Set when the message goes to someone other than its natural recipient, with the reason. */
  fallback: { to: 'requester' | 'admins'; why: string } | null;
};

export type RenderContext = { workflowId: string; now: Date };

export type RenderedNotification = {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
};

// ---------------------------------------------------------------------------------------------
// Escaping

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type HtmlValue = SafeHtml | string | number | null | undefined | readonly HtmlValue[];

function fragment(value: HtmlValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(fragment).join('');
  return escapeHtml(String(value));
}

/** Tagged template: literal markup stays, every interpolated value is escaped. */
function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += fragment(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers

const pad = (n: number) => String(n).padStart(2, '0');

/** `2025-03-01 14:05 UTC` — one unambiguous form for every reader. */
export function formatDateTime(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** `4 days 3 hours`, `5 hours`, `less than an hour`. */
export function formatWaited(fromIso: string, now: Date): string {
  const ms = Math.max(0, now.getTime() - new Date(fromIso).getTime());
  const hours = Math.floor(ms / 3_600_000);
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (days === 0) return hours === 0 ? 'less than an hour' : plural(hours, 'hour');
  return rest === 0 ? plural(days, 'day') : `${plural(days, 'day')} ${plural(rest, 'hour')}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function nameOf(people: NotificationPeople, id: number | null | undefined): string {
  if (id === null || id === undefined) return 'nobody';
  if (people.user?.id === id) return people.user.name;
  if (people.manager?.id === id) return people.manager.name;
  if (people.requester?.id === id) return people.requester.name;
  if (people.actor?.id === id) return people.actor.name;
  return people.names[id] ?? `user #${id}`;
}

/** `Ana Ortiz (user 12)`, or `user 12` when the ID is unknown to the directory. */
function userLabel(people: NotificationPeople, id: number): string {
  const name = nameOf(people, id);
  return name === `user #${id}` ? `user ${id}` : `${name} (user ${id})`;
}


function itemLine(item: OpenItem): string {
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

const doneCommand = (userId: number, by: string) => `offboard done ${userId} --by ${by}`;

/** Who the commands are written for: the manager, or the fallback recipient. */
function actingBy(people: NotificationPeople): string {
  if (people.fallback?.to === 'admins') return '<your-user-id>';
  if (people.fallback?.to === 'requester' && people.requester) return String(people.requester.id);
  if (people.manager) return String(people.manager.id);
  return '<your-user-id>';
}

function itemsText(userId: number, items: readonly OpenItem[], by: string | null): string {
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

const S = {
  body: 'font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; font-size: 14px; color: #1f2933; line-height: 1.45;',
  h2: 'font-size: 16px; margin: 18px 0 6px;',
  h3: 'font-size: 14px; margin: 12px 0 4px; color: #52606d;',
  code: 'font-family: SFMono-Regular, Consolas, monospace; font-size: 12px; background: #f0f4f8; padding: 1px 4px; border-radius: 3px;',
  note: 'color: #7b8794; font-size: 12px;',
  warn: 'background: #fff8e1; border: 1px solid #f0c36d; padding: 8px 12px; border-radius: 4px;',
  banner: 'background: #e3f9e5; border: 1px solid #57ae5b; color: #0e5814; padding: 10px 14px; border-radius: 4px; font-size: 15px; font-weight: bold;',
  td: 'padding: 4px 8px; border-bottom: 1px solid #e4e7eb; vertical-align: top;',
};

function itemsHtml(userId: number, items: readonly OpenItem[], by: string | null): SafeHtml {
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

function wrapHtml(title: string, body: SafeHtml): string {
  return html`<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="${S.body}">${body}<p style="${S.note}">Sent by the offboarding worker. Reply to the requester if something looks wrong.</p></body></html>`.value;
}

function fallbackText(people: NotificationPeople): string {
  return people.fallback ? `\nYou receive this because ${people.fallback.why}.\n` : '';
}

function fallbackHtml(people: NotificationPeople): SafeHtml | string {
  return people.fallback ? html`<p style="${S.warn}">You receive this because ${people.fallback.why}.</p>` : '';
}

function greeting(people: NotificationPeople, natural: Person | null): string {
  if (people.fallback?.to === 'admins') return 'Hello,';
  if (people.fallback?.to === 'requester') return `Hello ${people.requester?.name ?? ''},`.replace(' ,', ',');
  return natural ? `Hello ${natural.name},` : 'Hello,';
}

function headersFor(n: Notification, ctx: RenderContext): Record<string, string> {
  const headers: Record<string, string> = { 'X-Offboarding-Kind': n.kind, 'X-Offboarding-Workflow-Id': ctx.workflowId };
  if ('batchId' in n && n.batchId) headers['X-Offboarding-Batch-Id'] = n.batchId;
  if ('userId' in n) headers['X-Offboarding-User-Id'] = String(n.userId);
  return headers;
}

function userName(people: NotificationPeople, id: number): string {
  return nameOf(people, id);
}

function resolutionText(people: NotificationPeople, r: ItemResolution): string {
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

// ---------------------------------------------------------------------------------------------
// The kinds

type Rendered = { subject: string; text: string; body: SafeHtml };

/** Why a successor could not take an item, in the manager's words. */
function whyNotTaken(people: NotificationPeople, successorId: number, x: ItemNotTaken): string {
  const successor = nameOf(people, successorId);
  switch (x.code) {
    case 'TARGET_NOT_PROJECT_MEMBER':
      return `${successor} is not a member of ${x.item.projectName ?? 'its project'}`;
    case 'TARGET_BEING_OFFBOARDED':
      return `${successor} is being offboarded too`;
    case 'TARGET_INACTIVE':
      return `${successor} is inactive`;
    case 'PERMISSION_DENIED':
    case 'REQUESTER_INACTIVE':
      return 'the requester may no longer hand items over';
    case 'INVALID_INPUT':
      return x.item.tool === 'timecard' ? 'a final timecard entry is recorded, not handed over' : x.message;
    default:
      return `${x.code}: ${x.message}`;
  }
}

function successorText(people: NotificationPeople, s: NonNullable<Extract<Notification, { kind: 'items-assigned' }>['successor']>): string[] {
  const successor = nameOf(people, s.userId);
  const lines: string[] = [];
  if (s.took.length > 0) {
    lines.push(`${successor}, the successor, already took over ${plural(s.took.length, 'item')}:`);
    for (const r of s.took) lines.push(`  - [${r.itemKey}] ${TOOL_LABELS[r.tool]}: ${r.title}${r.projectName ? ` (${r.projectName})` : ''}`);
  } else {
    lines.push(`${successor}, the successor, could take over none of the items.`);
  }
  if (s.notTaken.length > 0) {
    lines.push(`${successor} could not take ${plural(s.notTaken.length, 'item')}, listed below with the rest:`);
    for (const x of s.notTaken) lines.push(`  - [${x.item.key}] ${x.item.title}: ${whyNotTaken(people, s.userId, x)}`);
  }
  return [...lines, ''];
}

function successorHtml(people: NotificationPeople, s: NonNullable<Extract<Notification, { kind: 'items-assigned' }>['successor']>): SafeHtml {
  const successor = nameOf(people, s.userId);
  return html`${
    s.took.length > 0
      ? html`<p>${successor}, the successor, already took over ${plural(s.took.length, 'item')}:</p><ul>${s.took.map(
          (r) => html`<li><code style="${S.code}">${r.itemKey}</code> ${TOOL_LABELS[r.tool]}: ${r.title}${r.projectName ? ` (${r.projectName})` : ''}</li>`,
        )}</ul>`
      : html`<p>${successor}, the successor, could take over none of the items.</p>`
  }${
    s.notTaken.length > 0
      ? html`<p>${successor} could not take ${plural(s.notTaken.length, 'item')}, listed below with the rest:</p><ul>${s.notTaken.map(
          (x) => html`<li><code style="${S.code}">${x.item.key}</code> ${x.item.title}: ${whyNotTaken(people, s.userId, x)}</li>`,
        )}</ul>`
      : ''
  }`;
}

function itemsAssigned(n: Extract<Notification, { kind: 'items-assigned' }>, people: NotificationPeople): Rendered {
  const user = userName(people, n.userId);
  const requester = nameOf(people, n.requestedBy);
  const by = actingBy(people);
  const count = plural(n.items.length, 'open item');
  const subject = n.newSinceLastNotice
    ? `New open items for ${user}: ${count} more to reassign or close`
    : `Action needed: reassign or close ${count} of ${user} before offboarding`;
  const intro = n.newSinceLastNotice
    ? `Since the last notice, ${count} appeared for ${user}, whose offboarding ${requester} started. These must also be reassigned or closed.`
    : `${requester} started the offboarding of ${user}. ${user} is inactivated once none of the items below is open.`;
  const effective = n.effectiveAt ? `Effective date: not before ${formatDateTime(n.effectiveAt)}.` : 'Effective date: as soon as the items are handled.';
  const batch = n.batchId ? `Batch: ${n.batchId}.` : '';
  const email = people.user?.email ? ` <${people.user.email}>` : '';
  const text = [
    greeting(people, people.manager),
    '',
    intro,
    `User: ${user} (user ${n.userId})${email}`,
    `Requested by: ${requester}`,
    effective,
    batch,
    fallbackText(people),
    ...(n.successor ? successorText(people, n.successor) : []),
    `Open items (${n.items.length}), grouped by project and tool. For each, reassign it to an active member of its project, or close it:`,
    '',
    itemsText(n.userId, n.items, by),
    '',
    'When everything is handled (also directly in the tools), say so and the system re-checks:',
    `    ${doneCommand(n.userId, by)}`,
  ]
    .filter((l, i, all) => !(l === '' && all[i - 1] === ''))
    .join('\n');
  const body = html`<p>${greeting(people, people.manager)}</p>
<p>${intro}</p>
<table>
<tr><td style="${S.td}">User</td><td style="${S.td}">${user} (user ${n.userId})${email}</td></tr>
<tr><td style="${S.td}">Requested by</td><td style="${S.td}">${requester}</td></tr>
<tr><td style="${S.td}">Effective date</td><td style="${S.td}">${n.effectiveAt ? `not before ${formatDateTime(n.effectiveAt)}` : 'as soon as the items are handled'}</td></tr>
${n.batchId ? html`<tr><td style="${S.td}">Batch</td><td style="${S.td}">${n.batchId}</td></tr>` : ''}
</table>
${fallbackHtml(people)}
${n.successor ? successorHtml(people, n.successor) : ''}
<p>Open items (${n.items.length}), grouped by project and tool. For each, reassign it to an active member of its project, or close it:</p>
${itemsHtml(n.userId, n.items, by)}
<p>When everything is handled (also directly in the tools), say so and the system re-checks:<br><code style="${S.code}">${doneCommand(n.userId, by)}</code></p>`;
  return { subject, text, body };
}

function reminder(n: Extract<Notification, { kind: 'reminder' }>, people: NotificationPeople, ctx: RenderContext): Rendered {
  const user = userName(people, n.userId);
  const waited = formatWaited(n.waitingSince, ctx.now);
  const by = actingBy(people);
  const count = plural(n.items.length, 'open item');
  const subject = `Reminder ${n.reminderNumber}: ${count} of ${user} still open (waiting ${waited})`;
  const intro = `This is reminder ${n.reminderNumber}. The offboarding of ${user}, requested by ${nameOf(people, n.requestedBy)}, has been waiting ${waited} (since ${formatDateTime(n.waitingSince)}) for these items to be reassigned or closed.`;
  const text = [
    greeting(people, people.manager),
    '',
    intro,
    fallbackText(people),
    `Still open (${n.items.length}):`,
    '',
    itemsText(n.userId, n.items, by),
    '',
    'When everything is handled, say so and the system re-checks:',
    `    ${doneCommand(n.userId, by)}`,
  ].join('\n');
  const body = html`<p>${greeting(people, people.manager)}</p><p>${intro}</p>${fallbackHtml(people)}
<p>Still open (${n.items.length}):</p>${itemsHtml(n.userId, n.items, by)}
<p>When everything is handled, say so and the system re-checks:<br><code style="${S.code}">${doneCommand(n.userId, by)}</code></p>`;
  return { subject, text, body };
}

function escalation(n: Extract<Notification, { kind: 'escalation' }>, people: NotificationPeople, ctx: RenderContext): Rendered {
  const user = userName(people, n.userId);
  const waited = formatWaited(n.waitingSince, ctx.now);
  const manager = people.manager ? people.manager.name : 'no manager on record';
  const why = n.reason === 'deadline' ? 'the deadline for reassignment has passed' : 'the wait passed the escalation time';
  const count = plural(n.items.length, 'open item');
  const subject = `Escalation: offboarding of ${user} waiting ${waited} on ${count}`;
  const intro = `The offboarding of ${user} (user ${n.userId}) has been waiting since ${formatDateTime(n.waitingSince)} (${waited}) and ${why}. The manager asked to act is ${manager}. An admin can reassign or close the items below, or remove the user from the batch.`;
  const by = '<your-user-id>';
  const text = [
    'Hello,',
    '',
    intro,
    n.batchId ? `Batch: ${n.batchId}` : '',
    '',
    `Still open (${n.items.length}):`,
    '',
    itemsText(n.userId, n.items, by),
    '',
    `When everything is handled: ${doneCommand(n.userId, by)}`,
  ].join('\n');
  const body = html`<p>Hello,</p><p>${intro}</p>${n.batchId ? html`<p>Batch: ${n.batchId}</p>` : ''}
<p>Still open (${n.items.length}):</p>${itemsHtml(n.userId, n.items, by)}
<p>When everything is handled: <code style="${S.code}">${doneCommand(n.userId, by)}</code></p>`;
  return { subject, text, body };
}

function inactivated(n: Extract<Notification, { kind: 'inactivated' }>, people: NotificationPeople): Rendered {
  const user = userName(people, n.userId);
  const subject = `${user} was inactivated`;
  const intro = `${user} (user ${n.userId}) was inactivated on ${formatDateTime(n.inactivatedAt)}. The account is kept (never deleted) and can be reactivated by an admin.`;
  const resolved = n.resolutions.map((r) => resolutionText(people, r));
  const text = [
    'Hello,',
    '',
    intro,
    n.batchId ? `Batch: ${n.batchId}` : '',
    fallbackText(people),
    resolved.length > 0 ? `What was reassigned or closed (${resolved.length}):` : 'No items had to be reassigned or closed.',
    ...resolved.map((l) => `  - ${l}`),
    ...(n.itemsLeftOpen.length > 0
      ? ['', `Items left open, as they were (${n.itemsLeftOpen.length}):`, '', itemsText(n.userId, n.itemsLeftOpen, null)]
      : []),
  ].join('\n');
  const body = html`<p>Hello,</p><p>${intro}</p>${n.batchId ? html`<p>Batch: ${n.batchId}</p>` : ''}${fallbackHtml(people)}
${
  n.resolutions.length > 0
    ? html`<h2 style="${S.h2}">What was reassigned or closed (${n.resolutions.length})</h2>
<table><tr><th style="${S.td}">Item</th><th style="${S.td}">Project</th><th style="${S.td}">What</th><th style="${S.td}">By</th><th style="${S.td}">When</th></tr>${n.resolutions.map(
        (r) => html`<tr><td style="${S.td}"><code style="${S.code}">${r.itemKey}</code> ${TOOL_LABELS[r.tool]}: ${r.title}${r.note ? html`<br><span style="${S.note}">Note: ${r.note}</span>` : ''}</td><td style="${S.td}">${r.projectName ?? '—'}</td><td style="${S.td}">${
          r.action === 'reassigned' ? `reassigned to ${nameOf(people, r.toUserId)}` : r.action === 'closed' ? 'closed' : 'final timecard entry recorded'
        }</td><td style="${S.td}">${nameOf(people, r.byUserId)}</td><td style="${S.td}">${formatDateTime(r.at)}</td></tr>`,
      )}</table>`
    : html`<p>No items had to be reassigned or closed.</p>`
}
${n.itemsLeftOpen.length > 0 ? html`<h2 style="${S.h2}">Items left open, as they were (${n.itemsLeftOpen.length})</h2>${itemsHtml(n.userId, n.itemsLeftOpen, null)}` : ''}`;
  return { subject, text, body };
}

function batchSummary(n: Extract<Notification, { kind: 'batch-summary' }>, people: NotificationPeople): Rendered {
  const s = n.summary;
  // Like the green banner of the original process: "3 users were inactivated".
  const banner = `${plural(s.inactivated.length, 'user was', 'users were')} inactivated`;
  const subject = `Offboarding batch ${n.batchId} finished: ${banner}`;
  const list = (ids: number[]) => ids.map((id) => userLabel(people, id));
  const failed = s.failed.map((f) => `${userLabel(people, f.userId)}: ${f.reason}`);
  const rejected = s.rejected.map((r: BatchRejection) => `${userLabel(people, r.userId)}: ${r.code} — ${r.message}`);
  const section = (title: string, lines: string[]) => (lines.length > 0 ? [`${title} (${lines.length}):`, ...lines.map((l) => `  - ${l}`), ''] : []);
  const counts = `Inactivated ${s.inactivated.length} · Removed ${s.removed.length} · Cancelled ${s.cancelled.length} · Failed ${s.failed.length} · Rejected ${s.rejected.length}`;
  const text = [
    'Hello,',
    '',
    `${banner}.`,
    `The offboarding batch ${n.batchId}, requested by ${nameOf(people, n.requestedBy)}, has finished.`,
    counts,
    fallbackText(people),
    ...section('Inactivated', list(s.inactivated)),
    ...section('Removed from the batch', list(s.removed)),
    ...section('Cancelled', list(s.cancelled)),
    ...section('Failed', failed),
    ...section('Rejected at validation', rejected),
  ].join('\n');
  const sectionHtml = (title: string, lines: string[]) =>
    lines.length > 0 ? html`<h2 style="${S.h2}">${title} (${lines.length})</h2><ul>${lines.map((l) => html`<li>${l}</li>`)}</ul>` : '';
  const hints = s.rejected.map((r) => r.code).filter((c, i, all) => all.indexOf(c) === i && isRefusalCode(c));
  const body = html`<p>Hello,</p><p style="${S.banner}">${banner}</p>
<p>The offboarding batch ${n.batchId}, requested by ${nameOf(people, n.requestedBy)}, has finished.</p>
<p>${counts}</p>${fallbackHtml(people)}
${sectionHtml('Inactivated', list(s.inactivated))}${sectionHtml('Removed from the batch', list(s.removed))}${sectionHtml('Cancelled', list(s.cancelled))}${sectionHtml('Failed', failed)}${sectionHtml('Rejected at validation', rejected)}
${hints.length > 0 ? html`<p style="${S.note}">${hints.map((c) => html`${c}: ${refusalHint(c)}<br>`)}</p>` : ''}`;
  return { subject, text, body };
}

function reactivated(n: Extract<Notification, { kind: 'reactivated' }>, people: NotificationPeople, ctx: RenderContext): Rendered {
  const user = userName(people, n.userId);
  const by = nameOf(people, n.by);
  const subject = `${user} was reactivated`;
  const intro = `${user} (user ${n.userId}) was reactivated by ${by} on ${formatDateTime(ctx.now)}. The account is active again and can be chosen as an assignee.`;
  const reason = n.reason ? `Reason: ${n.reason}` : '';
  const text = ['Hello,', '', intro, reason, fallbackText(people)].join('\n').trimEnd();
  const body = html`<p>Hello,</p><p>${intro}</p>${n.reason ? html`<p>Reason: ${n.reason}</p>` : ''}${fallbackHtml(people)}`;
  return { subject, text, body };
}

function offboardingStopped(n: Extract<Notification, { kind: 'offboarding-stopped' }>, people: NotificationPeople, ctx: RenderContext): Rendered {
  const user = userName(people, n.userId);
  const how = n.outcome === 'removed' ? 'was taken out of its batch' : 'was cancelled';
  const by = n.by === null ? '' : ` by ${nameOf(people, n.by)}`;
  const subject = `No longer needed: the offboarding of ${user} ${how}`;
  const intro = `The offboarding of ${user} (user ${n.userId}) ${how}${by} on ${formatDateTime(ctx.now)}. ${user} stays active, and nothing more is needed from you for it.`;
  const left =
    n.itemsLeft.length > 0
      ? `The ${plural(n.itemsLeft.length, 'item')} still open when it stopped stay${n.itemsLeft.length === 1 ? 's' : ''} with ${user}, as they are.`
      : '';
  const text = [greeting(people, people.manager), '', intro, left, n.batchId ? `Batch: ${n.batchId}` : '', fallbackText(people)].join('\n');
  const body = html`<p>${greeting(people, people.manager)}</p><p>${intro}</p>${left ? html`<p>${left}</p>` : ''}${
    n.batchId ? html`<p>Batch: ${n.batchId}</p>` : ''
  }${fallbackHtml(people)}`;
  return { subject, text, body };
}

function itemsReceived(n: Extract<Notification, { kind: 'items-received' }>, people: NotificationPeople): Rendered {
  const user = userName(people, n.userId);
  const count = plural(n.received.length, 'item');
  const subject = `You now own ${count} from ${user}, who is leaving`;
  const intro = `${user} (user ${n.userId}) is being offboarded, and ${n.received.length === 1 ? 'this item was' : 'these items were'} handed over to you. Please carry ${n.received.length === 1 ? 'it' : 'them'} on in the tools.`;
  const line = (r: ItemResolution) =>
    `${TOOL_LABELS[r.tool]}: ${r.title}${r.projectName ? ` (${r.projectName})` : ''} — handed over by ${nameOf(people, r.byUserId)} on ${formatDateTime(r.at)}`;
  const text = [`Hello ${nameOf(people, n.recipientId)},`, '', intro, '', ...n.received.map((r) => `  - [${r.itemKey}] ${line(r)}`)].join('\n');
  const body = html`<p>Hello ${nameOf(people, n.recipientId)},</p><p>${intro}</p><ul>${n.received.map(
    (r) => html`<li><code style="${S.code}">${r.itemKey}</code> ${line(r)}</li>`,
  )}</ul>`;
  return { subject, text, body };
}

export function renderNotification(notification: Notification, people: NotificationPeople, ctx: RenderContext): RenderedNotification {
  let r: Rendered;
  switch (notification.kind) {
    case 'items-assigned':
      r = itemsAssigned(notification, people);
      break;
    case 'reminder':
      r = reminder(notification, people, ctx);
      break;
    case 'escalation':
      r = escalation(notification, people, ctx);
      break;
    case 'inactivated':
      r = inactivated(notification, people);
      break;
    case 'batch-summary':
      r = batchSummary(notification, people);
      break;
    case 'reactivated':
      r = reactivated(notification, people, ctx);
      break;
    case 'offboarding-stopped':
      r = offboardingStopped(notification, people, ctx);
      break;
    case 'items-received':
      r = itemsReceived(notification, people);
      break;
  }
  // Subjects are one line no matter what a name contains. Names, titles, notes and reasons reach
  // mail clients (and terminals, for the text part) with their control characters neutralised.
  const subject = neutralizeControls(r.subject.replace(/[\r\n]+/g, ' ')).slice(0, 250);
  return {
    subject,
    text: neutralizeControls(`${r.text.replace(/\n{3,}/g, '\n\n').trimEnd()}\n`),
    html: neutralizeControls(wrapHtml(subject, r.body)),
    headers: headersFor(notification, ctx),
  };
}
