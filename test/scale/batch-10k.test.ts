// Scale (issue 5): a batch of 10,000 users with nothing open completes on the dev server, its history
// stays well under Temporal's limits (continue-as-new, sliding window), and the state carried from run
// to run stays small. Run with `npm run test:scale` (not part of `npm test`: it takes minutes).
//
// This test is about the engine and the workflows' shape, not the domain: the worker gets FAST
// IN-MEMORY FAKE ACTIVITIES with the real names and shapes (every user is active, nothing is open,
// inactivation always succeeds). The domain activities are tested with PostgreSQL elsewhere and the
// real ones drive the 1,000-user batch in bench/batch.bench.ts.
//
//   SCALE_USERS=2000 npm run test:scale     (a smaller batch, e.g. to try tuning)
import { performance } from 'node:perf_hooks';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OffboardingActivities } from '../../activities';
import type {
  ClaimOffboardingInput,
  FinishOffboardingInput,
  InactivateUserInput,
  InactivateUserResult,
  ListOpenItemsInput,
  LoadPermissionsInput,
  OpenItem,
  ReleaseOffboardingsInput,
  UserPermissions,
  ValidateBatchInput,
  ValidateBatchResult,
} from '../../activities/inputs';
import { offboardingBatch } from '../../workflows';
import { BATCH_WINDOW, CONTINUE_AS_NEW_AT_EVENTS } from '../../workflows/offboarding-batch';
import {
  BATCH_WORKFLOW_TASK_TIMEOUT,
  batchStatusQuery,
  batchWorkflowId,
  type BatchSummary,
  type SendNotificationInput,
  type SendNotificationResult,
} from '../../workflows/definitions';
import { kib, runChainStats, runTable, type RunStats } from '../helpers/history-stats';
import { type DevServerEnvironment, startDevServerEnvironment, workflowBundle } from '../helpers/temporal';

const USERS = Number(process.env.SCALE_USERS ?? 10_000);
const ADMIN = 1_000_000;
const HISTORY_WARNING = 10_240;
const TWO_MB = 2 * 1024 * 1024;

type ScaleActivities = Pick<
  OffboardingActivities,
  | 'validateBatch'
  | 'loadPermissions'
  | 'claimOffboarding'
  | 'listOpenItems'
  | 'inactivateUser'
  | 'finishOffboarding'
  | 'releaseOffboardings'
  | 'sendNotification'
>;

/** In-memory stand-ins for the activities a nothing-open offboarding calls (see the header). */
function fakeActivities() {
  const inactivated = new Set<number>();
  const calls: Record<string, number> = {};
  const count = (name: string) => {
    calls[name] = (calls[name] ?? 0) + 1;
  };
  const activities: ScaleActivities = {
    async validateBatch(input: ValidateBatchInput): Promise<ValidateBatchResult> {
      count('validateBatch');
      const accepted = [...new Set(input.userIds)].filter((id) => id !== input.requestedBy);
      return { accepted, rejected: [], adminIds: [input.requestedBy] };
    },
    async loadPermissions(input: LoadPermissionsInput): Promise<UserPermissions> {
      count('loadPermissions');
      return { userId: input.userId, status: 'active', managerId: null, adminIds: [ADMIN] };
    },
    async claimOffboarding(_input: ClaimOffboardingInput): Promise<{ alreadyClaimed: boolean }> {
      count('claimOffboarding');
      return { alreadyClaimed: false };
    },
    async listOpenItems(_input: ListOpenItemsInput): Promise<OpenItem[]> {
      count('listOpenItems');
      return [];
    },
    async inactivateUser(input: InactivateUserInput): Promise<InactivateUserResult> {
      count('inactivateUser');
      const alreadyDone = inactivated.has(input.userId);
      inactivated.add(input.userId);
      return { inactivatedAt: new Date().toISOString(), itemsLeftOpen: [], alreadyDone };
    },
    async finishOffboarding(_input: FinishOffboardingInput): Promise<{ ended: boolean }> {
      count('finishOffboarding');
      return { ended: true };
    },
    async releaseOffboardings(input: ReleaseOffboardingsInput): Promise<{ released: number }> {
      count('releaseOffboardings');
      return { released: input.userIds.length };
    },
    async sendNotification(_input: SendNotificationInput): Promise<SendNotificationResult> {
      count('sendNotification');
      return { status: 'no-recipients', messageId: null, recipients: [] };
    },
  };
  return { activities, inactivated, calls };
}

let env: DevServerEnvironment | undefined;
let worker: Worker | undefined;
let running: Promise<void> | undefined;
const fake = fakeActivities();
const taskQueue = `scale-${process.pid}`;
let peakRss = 0;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 500);

beforeAll(async () => {
  env = await startDevServerEnvironment();
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: fake.activities,
    // Throughput: the batch keeps BATCH_WINDOW (200) children running, each wakes up ~8 times; keep
    // them all cached (no replays from the start) and let several workflow tasks run at once.
    maxCachedWorkflows: 1_000,
    maxConcurrentWorkflowTaskExecutions: 100,
    maxConcurrentActivityTaskExecutions: 200,
    maxConcurrentWorkflowTaskPolls: 8,
    maxConcurrentActivityTaskPolls: 8,
  });
  running = worker.run();
}, 180_000);

afterAll(async () => {
  clearInterval(rssTimer);
  if (worker && worker.getState() === 'RUNNING') worker.shutdown();
  await running?.catch(() => undefined);
  await env?.stop();
}, 120_000);

describe(`a batch of ${USERS.toLocaleString('en')} users with nothing open`, () => {
  it('completes, inactivates everyone, continues as new and keeps every run small', async () => {
    if (!env) throw new Error('no dev server');
    const client = env.client;
    const batchId = `scale-${process.pid}`;
    const userIds = Array.from({ length: USERS }, (_, i) => i + 1);

    const t0 = performance.now();
    const handle = await client.workflow.start(offboardingBatch, {
      taskQueue,
      workflowId: batchWorkflowId(batchId),
      workflowTaskTimeout: BATCH_WORKFLOW_TASK_TIMEOUT,
      args: [{ batchId, userIds, requestedBy: ADMIN, reason: 'scale test', effectiveAt: null, successors: {}, policy: {} }],
    });
    const firstRunId = handle.firstExecutionRunId;

    // Progress once a minute, so a slow run shows where it is.
    const progress = setInterval(() => {
      handle
        .query(batchStatusQuery)
        .then((s) =>
          console.log(
            `[scale] ${((performance.now() - t0) / 1000).toFixed(0)} s: run ${s.run}, ${s.counts.inactivated} inactivated, ` +
              `${s.counts.queued} queued, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
          ),
        )
        .catch(() => undefined);
    }, 60_000);
    // SCALE_TIME_LIMIT_MIN: give up after that long, but still print the runs completed so far.
    const limitMs = Number(process.env.SCALE_TIME_LIMIT_MIN ?? 0) * 60_000;
    let summary: BatchSummary | 'timed-out';
    let limitTimer: NodeJS.Timeout | undefined;
    try {
      summary = await Promise.race([
        handle.result(),
        new Promise<'timed-out'>((resolve) => {
          if (limitMs > 0) limitTimer = setTimeout(() => resolve('timed-out'), limitMs);
        }),
      ]);
    } finally {
      clearInterval(progress);
      clearTimeout(limitTimer);
    }
    const wallMs = performance.now() - t0;
    if (summary === 'timed-out') {
      const s = await handle.query(batchStatusQuery);
      const sofar = await runChainStats(client, handle.workflowId, firstRunId);
      await handle.terminate('scale test time limit');
      console.log(
        `\n[scale] TIME LIMIT after ${(wallMs / 1000).toFixed(0)} s: run ${s.run}, ${s.counts.inactivated} of ${USERS} inactivated ` +
          `(${(s.counts.inactivated / (wallMs / 1000)).toFixed(2)} users/s); runs so far (the last one was still running):\n${runTable(sofar)}\n`,
      );
      throw new Error(`the batch did not complete within SCALE_TIME_LIMIT_MIN=${limitMs / 60_000}: ${s.counts.inactivated} of ${USERS} inactivated`);
    }

    expect(summary.failed).toEqual([]);
    expect(summary.rejected).toEqual([]);
    expect(summary.inactivated).toHaveLength(USERS);
    expect(new Set(summary.inactivated)).toEqual(new Set(userIds));
    expect(fake.inactivated.size).toBe(USERS);

    const runs: RunStats[] = await runChainStats(client, handle.workflowId, firstRunId);
    const maxEvents = Math.max(...runs.map((r) => r.events));
    const carried = runs.flatMap((r) => (r.continueAsNewInputBytes === null ? [] : [r.continueAsNewInputBytes]));
    const maxCarried = Math.max(0, ...carried);
    const totalEvents = runs.reduce((n, r) => n + r.events, 0);
    const totalBytes = runs.reduce((n, r) => n + r.bytes, 0);

    console.log(
      [
        '',
        `[scale] ${USERS} users, window ${BATCH_WINDOW}, continue-as-new at ${CONTINUE_AS_NEW_AT_EVENTS} events`,
        `[scale] wall time ${(wallMs / 1000).toFixed(1)} s (${(USERS / (wallMs / 1000)).toFixed(1)} users/s), ${runs.length} runs`,
        `[scale] parent history: ${totalEvents} events / ${kib(totalBytes)} in total; largest run ${maxEvents} events; ` +
          `largest continue-as-new input ${kib(maxCarried)}`,
        `[scale] worker process peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB; activity calls ${JSON.stringify(fake.calls)}`,
        runTable(runs),
        '',
      ].join('\n'),
    );

    // What a cache miss costs (a worker restart, or an eviction under load): the largest run replayed
    // from its first event. It must also replay cleanly — the same code, no nondeterminism at scale.
    const largest = runs.reduce((a, b) => (b.events > a.events ? b : a));
    const largestHistory = await client.workflow.getHandle(handle.workflowId, largest.runId).fetchHistory();
    const replayStart = performance.now();
    await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, largestHistory, handle.workflowId);
    console.log(`[scale] replaying run ${largest.run} (${largest.events} events) from scratch: ${((performance.now() - replayStart) / 1000).toFixed(1)} s`);

    expect(runs.length).toBeGreaterThan(1);
    // Every run well under the 10,240-event warning.
    // Measured: a run ends a little past the threshold (it checks between windows, and the window's
    // reports keep arriving while children start), so allow the threshold plus 3,000 events.
    for (const r of runs) expect(r.events).toBeLessThan(Math.min(CONTINUE_AS_NEW_AT_EVENTS + 3_000, HISTORY_WARNING));
    expect(carried.length).toBe(runs.length - 1);
    expect(maxCarried).toBeLessThan(TWO_MB);
    const status = await handle.query(batchStatusQuery);
    expect(status.run).toBe(runs.length);
  }, 60 * 60_000);
});
