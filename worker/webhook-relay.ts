// The webhook relay, in every worker process: turns undelivered (event, subscription) pairs
// (webhook_deliveries with no dispatched_at) into one webhookDelivery workflow each, under the ID
// webhook-delivery-<event's message ID>-<subscription> with REJECT_DUPLICATE, so a pair started
// twice — by two workers, or by one that died between the start and marking it dispatched — runs
// once. It is woken at once by the NOTIFY the event's transaction sends on commit, and looks
// anyway every WEBHOOK_RELAY_INTERVAL_MS (a NOTIFY sent while no relay listened is not lost: the
// row waits). The deliveries themselves are Temporal's: retried, durable, visible in the Web UI.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type postgres from 'postgres';
import type { WebhookSettings } from '../config/settings';
import type { Database } from '../db/client';
import { WEBHOOK_CHANNEL } from '../domain/webhooks/events';
import { markDispatched, undispatchedDeliveries } from '../domain/webhooks/delivery';
import { type WebhookDeliveryInput, webhookDeliveryWorkflowId } from '../workflows/contract';

/** Deliveries started per round; the next round follows at once while there are more. */
const ROUND = 200;

export type WebhookRelay = {
  /** Looks now rather than at the next tick (tests, and the NOTIFY). */
  kick(): void;
  stop(): Promise<void>;
};

export type RelayLog = (level: 'info' | 'warn' | 'error', message: string, meta?: Record<string, unknown>) => void;

export async function startWebhookRelay(o: {
  db: Database;
  /** The pool's client, to LISTEN; absent = polling only. */
  sql?: postgres.Sql;
  client: Client;
  taskQueue: string;
  settings: Pick<WebhookSettings, 'retry' | 'relayIntervalMs'>;
  log: RelayLog;
}): Promise<WebhookRelay> {
  let stopped = false;
  let wake: (() => void) | undefined;
  let pending = false;
  const kick = () => {
    pending = true;
    wake?.();
  };
  const listener = o.sql ? await o.sql.listen(WEBHOOK_CHANNEL, kick) : undefined;

  async function dispatchRound(): Promise<number> {
    const due = await undispatchedDeliveries(o.db, ROUND);
    const started: number[] = [];
    await Promise.all(
      due.map(async (d) => {
        const input: WebhookDeliveryInput = { deliveryId: d.deliveryId, retry: o.settings.retry };
        try {
          await o.client.workflow.start('webhookDelivery', {
            taskQueue: o.taskQueue,
            workflowId: webhookDeliveryWorkflowId(d.messageId, d.subscriptionId),
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            args: [input],
          });
          started.push(d.deliveryId);
        } catch (e) {
          if (e instanceof WorkflowExecutionAlreadyStartedError) started.push(d.deliveryId);
          else o.log('warn', `webhook relay: delivery ${d.deliveryId} not started yet: ${e instanceof Error ? e.message : String(e)}`);
        }
      }),
    );
    await markDispatched(o.db, started);
    return due.length;
  }

  const loop = (async () => {
    while (!stopped) {
      pending = false;
      try {
        while (!stopped && (await dispatchRound()) === ROUND);
      } catch (e) {
        o.log('warn', `webhook relay: ${e instanceof Error ? e.message : String(e)}; trying again`);
      }
      if (stopped || pending) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.settings.relayIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  })();

  return {
    kick,
    stop: async () => {
      stopped = true;
      wake?.();
      await loop;
      await listener?.unlisten().catch(() => undefined);
    },
  };
}
