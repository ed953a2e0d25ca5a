// Everything a workflow test needs with real parts: a database of its own, an SMTP sink, the real
// activities wired to both, and a worker on the given Temporal environment.
import os from 'node:os';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { ne } from 'drizzle-orm';
import { createActivities, type OffboardingActivities } from '../../activities';
import { createMailer } from '../../adapters/mail-transport';
import type { Mailer } from '../../domain/notifications/mail';
import { auditLog } from '../../db/schema';
import { DEFAULT_POLICY, type OffboardingPolicy, type UserOffboardingStatus, userStatusQuery, userWorkflowId } from '../../workflows/contract';
import { createTestDatabase, type TestDatabase } from './database';
import { directoryFixtures, type DirectoryFixtures } from './directory-fixtures';
import { type ReceivedMessage, startSmtpSink, type SmtpSink } from './smtp-sink';
import { workflowBundle } from './temporal';
import { waitForValue } from './wait-until';

export type Harness = {
  t: TestDatabase;
  fx: DirectoryFixtures;
  sink: SmtpSink;
  mailer: Mailer;
  activities: OffboardingActivities;
  close: () => Promise<void>;
};

export async function startHarness(): Promise<Harness> {
  const t = await createTestDatabase();
  const sink = await startSmtpSink();
  const mailer = createMailer({
    smtpUrl: sink.url,
    outboxDir: path.join(os.tmpdir(), 'offboarding-test-outbox'),
    mailFrom: 'Offboarding <offboarding@example.com>',
    log: () => undefined,
  });
  const activities = createActivities({ db: t.db, mailer, clock: () => new Date() });
  return {
    t,
    fx: directoryFixtures(t.db),
    sink,
    mailer,
    activities,
    close: async () => {
      await mailer.close();
      await sink.close();
      await t.drop();
    },
  };
}

/** Where a worker polls: a dev server environment or a TestWorkflowEnvironment (a shared server's namespace is the file's own). */
export type WorkerTarget = { nativeConnection: NativeConnection; namespace?: string | undefined };

let queueSeq = 0;
export async function createWorker(
  temporal: WorkerTarget,
  activities: object,
): Promise<{ worker: Worker; taskQueue: string }> {
  const taskQueue = `test-${process.pid}-${++queueSeq}`;
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace ?? 'default',
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
  });
  return { worker, taskQueue };
}

export const policy = (overrides: Partial<OffboardingPolicy> = {}): OffboardingPolicy => ({ ...DEFAULT_POLICY, ...overrides });

/** Polls the user's status query until `predicate` holds (workflows move on their own). */
export async function waitForUserStatus(
  client: Client,
  userId: number,
  predicate: (s: UserOffboardingStatus) => boolean,
  timeoutMs = 60_000,
): Promise<UserOffboardingStatus> {
  const handle = client.workflow.getHandle(userWorkflowId(userId));
  // A query fails until the workflow has started: waitForValue retries it.
  return waitForValue(`user ${userId} reaching the expected state`, () => handle.query(userStatusQuery), predicate, timeoutMs);
}

/** Audit rows of domain changes (emails write their own rows, asynchronously). */
export async function auditCount(t: TestDatabase): Promise<number> {
  return (await t.db.select().from(auditLog).where(ne(auditLog.entityType, 'notification'))).length;
}

/** Messages the sink received about one user, optionally of one kind. */
export function mailsAbout(sink: SmtpSink, userId: number, kind?: string) {
  return sink.messages.filter(
    (m) =>
      (m.parsed.headers.get('x-offboarding-user-id') === String(userId) || digestUserIds(m).includes(userId)) &&
      (kind === undefined || m.parsed.headers.get('x-offboarding-kind') === kind),
  );
}

/** The people a batch's digest lists, in the order it lists them (X-Offboarding-User-Ids). */
export function digestUserIds(m: ReceivedMessage): number[] {
  const ids = m.parsed.headers.get('x-offboarding-user-ids');
  return typeof ids === 'string' && ids !== '' ? ids.split(',').map(Number) : [];
}

/** The link that opens `userId`'s page from an email: a digest's one team link, or a per-person email's action link. */
export function personalLinkIn(m: ReceivedMessage | undefined, userId: number): string | undefined {
  const text = m?.parsed.text ?? '';
  // A batch's digest has one team link for everyone it lists (issue 25); a per-person email its action link.
  if (m && digestUserIds(m).length > 0) return digestUserIds(m).includes(userId) ? /http:\/\/127\.0\.0\.1:\d+\/team-link\?t=[A-Za-z0-9_.-]+/.exec(text)?.[0] : undefined;
  return /http:\/\/127\.0\.0\.1:\d+\/link\?t=[A-Za-z0-9_.-]+/.exec(text)?.[0];
}

/** A worker running in the background for a whole test file; `stop()` waits for it to drain. */
export async function runWorkerInBackground(
  temporal: WorkerTarget,
  activities: object,
): Promise<{ taskQueue: string; stop: () => Promise<void> }> {
  const { worker, taskQueue } = await createWorker(temporal, activities);
  const running = worker.run();
  return {
    taskQueue,
    stop: async () => {
      worker.shutdown();
      await running;
    },
  };
}

/** Resolves to the value or the error, so several calls can be started before any is awaited. */
export const settle = <T>(p: Promise<T>): Promise<unknown> => p.then((v) => v, (e: unknown) => e);

/** Workflows a test started; terminate the leftovers after each test so none outlives it. */
export function startedWorkflows() {
  const handles: WorkflowHandle[] = [];
  return {
    track: <H extends WorkflowHandle>(handle: H): H => {
      handles.push(handle);
      return handle;
    },
    terminateAll: async () => {
      await Promise.allSettled(handles.splice(0).map((handle) => handle.terminate('test ended')));
    },
  };
}
