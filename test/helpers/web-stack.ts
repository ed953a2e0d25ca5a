// The web app end to end, for browser tests: a Temporal dev server, a worker with the real activities
// (their emails carry personal links to this web app), a database of the file's own, an SMTP sink,
// and the web server — all on free ports, stopped by close().
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import type { WebhookActivitySettings } from '../../activities/webhooks';
import type { WebSettings } from '../../config/settings';
import { startWebServer, type WebServer } from '../../client/web/server';
import type { DownloadLimits } from '../../client/web/csv-downloads';
import type { ManagerActions } from '../../client/web/manager-actions';
import { createMailer } from '../../adapters/mail-transport';
import { type UserOffboardingInput, userWorkflowId } from '../../workflows/contract';
import { userOffboarding } from '../../workflows/user-offboarding';
import { reservePort } from './free-port';
import { type DevServerEnvironment, sharedDevServerEnvironment } from './temporal';
import { type Harness, policy, runWorkerInBackground, startedWorkflows, startHarness } from './workflow-harness';

export const WEB_TEST_SECRET = 'web-test-secret-0123456789-abcdefghijklmnop';

export type WebStack = {
  env: DevServerEnvironment;
  h: Harness;
  web: WebServer;
  /** WEB_PUBLIC_URL of this web server. */
  url: string;
  settings: WebSettings & { linkSecret: string };
  taskQueue: string;
  /** Starts one user's offboarding on this stack's worker (as a batch's child would). */
  offboard(userId: number, requestedBy: number, extra?: Partial<UserOffboardingInput>): Promise<WorkflowHandle<typeof userOffboarding>>;
  /** Logs of the web server, for assertions on refusals. */
  logs: string[];
  close(): Promise<void>;
};

export async function startWebStack(
  options: {
    settings?: Partial<WebSettings>;
    actions?: (s: Omit<WebStack, 'close' | 'web'>) => ManagerActions;
    /** Send the worker's and the web app's emails to this SMTP server (e.g. Mailpit) instead of the harness's sink. */
    smtpUrl?: string;
    csvDownloads?: DownloadLimits;
    /** The worker's webhook delivery settings (a local receiver needs allowPrivateTargets). */
    webhooks?: WebhookActivitySettings;
  } = {},
): Promise<WebStack> {
  const [env, h, reserved] = await Promise.all([sharedDevServerEnvironment(), startHarness(), reservePort()]);
  const { port } = reserved;
  const mailer = options.smtpUrl
    ? createMailer({ smtpUrl: options.smtpUrl, outboxDir: path.join(os.tmpdir(), 'offboarding-test-outbox'), mailFrom: 'Offboarding <offboarding@example.com>', log: () => undefined })
    : h.mailer;
  const url = `http://127.0.0.1:${port}`;
  const settings: WebSettings & { linkSecret: string } = {
    port,
    host: '127.0.0.1',
    publicUrl: url,
    linkSecret: WEB_TEST_SECRET,
    auth: 'email-link',
    trustedHeader: 'X-Auth-Request-Email',
    trustedProxies: [],
    ...options.settings,
  };
  const activities = createActivities({
    db: h.t.db,
    mailer,
    clock: () => new Date(),
    links: { publicUrl: url, secret: WEB_TEST_SECRET },
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
  });
  const worker = await runWorkerInBackground(env, activities);
  const started = startedWorkflows();
  const logs: string[] = [];
  const partial = {
    env,
    h,
    url,
    settings,
    taskQueue: worker.taskQueue,
    logs,
    offboard: async (userId: number, requestedBy: number, extra: Partial<UserOffboardingInput> = {}) =>
      started.track(
        await env.client.workflow.start(userOffboarding, {
          taskQueue: worker.taskQueue,
          workflowId: userWorkflowId(userId),
          args: [{ userId, requestedBy, batchId: null, reason: 'leaving', effectiveAt: null, successorId: null, policy: policy(), ...extra }],
        }),
      ),
  };
  await reserved.release();
  const web = await startWebServer({
    settings,
    db: h.t.db,
    temporal: env.client,
    taskQueue: worker.taskQueue,
    mailer,
    log: (level, message) => logs.push(`${level}: ${message}`),
    ...(options.actions ? { actions: options.actions(partial) } : {}),
    ...(options.csvDownloads ? { csvDownloads: options.csvDownloads } : {}),
  });
  return {
    ...partial,
    web,
    close: async () => {
      await web.close();
      await started.terminateAll();
      await worker.stop();
      if (mailer !== h.mailer) await mailer.close();
      await Promise.allSettled([env.stop(), h.close()]);
    },
  };
}
