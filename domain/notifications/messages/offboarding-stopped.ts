// The "offboarding-stopped" email.
import type { Notification } from '../../../workflows/contract';
import { formatDateTime, plural } from '../format';
import { html } from '../html';
import { fallbackHtml, fallbackText } from '../layout';
import { greeting, nameOf } from '../people';
import type { NotificationPeople, RenderContext, Rendered } from '../render';

export function offboardingStopped(n: Extract<Notification, { kind: 'offboarding-stopped' }>, people: NotificationPeople, ctx: RenderContext): Rendered {
  const user = nameOf(people, n.userId);
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
