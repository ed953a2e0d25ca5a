// A connection's webhook delivery log as a table, for HR's Connections page (which includes it with
// the rows of recentWebhookDeliveries from domain/webhooks/delivery-log.ts): when, which event, to
// which URL, what the receiver answered and how long it took. The URL and the error come from
// outside (a subscription and a receiver's answer): JSX escapes them, and long ones are cut.
import type { WebhookDeliveryLogEntry } from '../../../domain/webhooks/delivery-log';
import { when } from '../words';

const OUTCOME = { pending: 'retrying', delivered: 'delivered', failed: 'given up', skipped: 'skipped' } as const;

const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function WebhookDeliveries(props: { rows: readonly WebhookDeliveryLogEntry[]; caption?: string }) {
  if (props.rows.length === 0) return <p class="webhook-deliveries-empty">No webhook deliveries yet.</p>;
  return (
    <div class="overflow-auto">
      <table class="webhook-deliveries striped">
        <caption>{props.caption ?? 'Webhook deliveries, newest first'}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Event</th>
            <th scope="col">URL</th>
            <th scope="col">Answer</th>
            <th scope="col" class="num">
              Time
            </th>
            <th scope="col">Delivery</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr>
              <td>
                <time datetime={r.at.toISOString()}>{when(r.at)}</time>
              </td>
              <td>
                {r.eventType}
                <br />
                <small>
                  <code>{r.webhookId}</code>
                </small>
              </td>
              <td>
                <code title={r.url}>{cut(r.url, 80)}</code>
              </td>
              <td>{r.ok ? `${r.statusCode ?? ''} OK` : cut(r.error ?? (r.statusCode !== null ? `HTTP ${r.statusCode}` : 'failed'), 160)}</td>
              <td class="num">{`${r.durationMs} ms`}</td>
              <td>{OUTCOME[r.deliveryStatus]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
