// A webhook receiver as a real one is written: it verifies each request's signature with the
// `standardwebhooks` package (the secret of the subscription its path stands for), answers 400 to a
// bad one, and otherwise what the test asked of that path (always 2xx, 500 once per webhook-id then
// 204, or always 503). Everything it saw is kept for the test to count.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type ReceivedWebhook = {
  path: string;
  webhookId: string;
  type: string;
  data: Record<string, unknown>;
  verified: boolean;
  answered: number;
  receivedAt: number;
  /** The event's own time (the body's timestamp), for the delay from event to delivery. */
  eventAt: number;
};

export type ReceiverMode = 'ok' | 'fail-once' | 'down';

export type WebhookReceiver = {
  url: string;
  readonly received: ReceivedWebhook[];
  /** The path's behaviour and the secret its signatures must verify with. */
  route(path: string, mode: ReceiverMode, secret: string): void;
  /** Requests of a path that were answered 2xx. */
  delivered(path: string): ReceivedWebhook[];
  close(): Promise<void>;
};

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const routes = new Map<string, { mode: ReceiverMode; secret: string }>();
  const failedOnce = new Set<string>();
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const route = routes.get(path);
      const webhookId = String(req.headers['webhook-id'] ?? '');
      let verified = false;
      let payload: { type?: string; timestamp?: string; data?: Record<string, unknown> } = {};
      if (route) {
        try {
          payload = new Webhook(route.secret).verify(body, {
            'webhook-id': webhookId,
            'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
            'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
          }) as typeof payload;
          verified = true;
        } catch {
          verified = false;
        }
      }
      let answered = 404;
      if (route && !verified) answered = 400;
      else if (route?.mode === 'ok') answered = 200;
      else if (route?.mode === 'down') answered = 503;
      else if (route?.mode === 'fail-once') {
        answered = failedOnce.has(webhookId) ? 204 : 500;
        failedOnce.add(webhookId);
      }
      received.push({
        path,
        webhookId,
        type: payload.type ?? '?',
        data: payload.data ?? {},
        verified,
        answered,
        receivedAt: Date.now(),
        eventAt: payload.timestamp ? Date.parse(payload.timestamp) : NaN,
      });
      res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    route: (path, mode, secret) => routes.set(path, { mode, secret }),
    delivered: (path) => received.filter((r) => r.path === path && r.answered >= 200 && r.answered < 300),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
