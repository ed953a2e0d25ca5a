// Visibility on PostgreSQL (the production topology's temporal_visibility database): for batches whose
// users are in every stage, list queries by each of the five custom search attributes return what the
// workflows themselves report (their userStatus queries), both through the SDK's count and through the
// Web UI server's API (what its filter box calls). The database agrees on who is inactive.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBatchWorkflow } from '../../client/start-batch';
import { connectDatabase, type DatabaseHandle } from '../../db/client';
import {
  batchWorkflowId,
  cancelBatchUpdate,
  removeUserUpdate,
  type UserOffboardingStatus,
  userStatusQuery,
  userWorkflowId,
} from '../../workflows/contract';
import { directoryFixtures } from '../helpers/directory-fixtures';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitForUserStatus } from '../helpers/workflow-harness';

let sink: SmtpSink;
let stack: TestStack;
let db: DatabaseHandle;

beforeAll(async () => {
  sink = await startSmtpSink();
  stack = await startTestStack({ smtpUrl: sink.url });
  db = connectDatabase(stack.databaseUrl, { max: 2 });
});
afterAll(async () => {
  await db?.close();
  await stack?.close();
  await sink?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('visibility on PostgreSQL, as the Web UI filters', () => {
  it('counts by stage, batch ID, user ID, open items and waiting-since match the workflows', async () => {
    const fx = directoryFixtures(db.db);
    const admin = await fx.admin({ name: 'Ada Admin' });
    const manager = await fx.user({ name: 'Max Manager' });
    const p = await fx.project('Tower');
    const leaver = async (items: number) => {
      const u = await fx.user({ managerId: manager });
      await fx.member(p, u);
      for (let i = 0; i < items; i++) await fx.defect({ projectId: p, assignedToId: u });
      return u;
    };
    const done = [await leaver(0), await leaver(0)];
    const waiting = [await leaver(1), await leaver(2), await leaver(3)];
    const removed = await leaver(1);
    const later = [await leaver(0), await leaver(0)];
    const cancelled = await leaver(2);
    const everyone = [...done, ...waiting, removed, ...later, cancelled];

    const b = `vis-${process.pid}`;
    const start = (batchId: string, userIds: number[], effectiveAt: string | null = null) =>
      startBatchWorkflow(stack.client, stack.taskQueue, { batchId, userIds, requestedBy: admin, reason: 'visibility', effectiveAt, successors: {}, policy: {} });
    await start(b, [...done, ...waiting, removed]);
    await start(`${b}-later`, later, new Date(Date.now() + 24 * 3600_000).toISOString());
    const toCancel = await start(`${b}-cancel`, [cancelled]);

    const waitStage = (u: number, stage: string) => waitForUserStatus(stack.client, u, (s) => s.stage === stage, 120_000);
    for (const u of done) await waitStage(u, 'inactivated');
    for (const u of [...waiting, removed, cancelled]) await waitStage(u, 'awaiting-reassignment');
    for (const u of later) await waitStage(u, 'waiting-effective-date');
    await stack.client.workflow.getHandle(batchWorkflowId(b)).executeUpdate(removeUserUpdate, { args: [{ userId: removed, by: admin }] });
    await toCancel.executeUpdate(cancelBatchUpdate, { args: [{ by: admin }] });
    await waitStage(removed, 'removed');
    await waitStage(cancelled, 'cancelled');

    // What each workflow says about itself: the truth the search attributes must reflect.
    const status = new Map<number, UserOffboardingStatus>();
    for (const u of everyone) status.set(u, await stack.client.workflow.getHandle(userWorkflowId(u)).query(userStatusQuery));
    const cutoff = new Date(Date.now() + 60_000).toISOString();
    const users = [...status.values()];
    const stageCount = (stage: string) => users.filter((s) => s.stage === stage).length;
    const running = (s: UserOffboardingStatus) => s.result === null;
    const expected: [string, number][] = [
      ...(['inactivated', 'awaiting-reassignment', 'waiting-effective-date', 'removed', 'cancelled'] as const).map(
        (stage): [string, number] => [`OffboardingStage = '${stage}'`, stageCount(stage)],
      ),
      // Each batch: its users, and the batch workflow itself.
      [`OffboardingBatchId = '${b}'`, 6 + 1],
      [`OffboardingBatchId = '${b}-later'`, 2 + 1],
      [`OffboardingBatchId = '${b}-cancel'`, 1 + 1],
      ...everyone.map((u): [string, number] => [`OffboardingUserId = ${u}`, 1]),
      [`OffboardingOpenItems > 0 AND ExecutionStatus = 'Running'`, users.filter((s) => running(s) && s.pendingItems.length > 0).length],
      [`OffboardingOpenItems = 2`, users.filter((s) => s.pendingItems.length === 2).length],
      [`OffboardingOpenItems >= 2 AND ExecutionStatus = 'Running'`, users.filter((s) => running(s) && s.pendingItems.length >= 2).length],
      [`OffboardingWaitingSince < '${cutoff}'`, users.filter((s) => s.waitingSince !== null && s.waitingSince < cutoff).length],
      [`OffboardingStage = 'awaiting-reassignment' AND OffboardingWaitingSince < '${cutoff}'`, users.filter((s) => s.stage === 'awaiting-reassignment' && s.waitingSince !== null).length],
    ];
    // The stages this test set up, so a wrong status query cannot make the expectations agree by accident.
    expect(expected.slice(0, 5)).toEqual([
      ["OffboardingStage = 'inactivated'", 2],
      ["OffboardingStage = 'awaiting-reassignment'", 3],
      ["OffboardingStage = 'waiting-effective-date'", 2],
      ["OffboardingStage = 'removed'", 1],
      ["OffboardingStage = 'cancelled'", 1],
    ]);

    // Visibility is written asynchronously, and the frontend allows 10 visibility requests a second
    // per namespace by default: poll, paced, until every query agrees (or time runs out).
    const viaSdk = async (query: string) => (await stack.client.workflow.count(query)).count;
    const viaUi = async (query: string) => {
      const r = await fetch(`${stack.uiUrl}/api/v1/namespaces/${stack.namespace}/workflows?pageSize=100&query=${encodeURIComponent(query)}`);
      if (!r.ok) throw new Error(`Web UI API: ${r.status} ${await r.text()}`);
      return ((await r.json()) as { executions?: unknown[] }).executions?.length ?? 0;
    };
    let got: [string, number, number][];
    const deadline = Date.now() + 120_000;
    for (;;) {
      got = [];
      for (const [query] of expected) {
        const sdk = await viaSdk(query).catch(() => -1);
        await sleep(150);
        const ui = await viaUi(query).catch(() => -1);
        await sleep(150);
        got.push([query, sdk, ui]);
      }
      if (got.every(([, sdk, ui], i) => sdk === expected[i]![1] && ui === expected[i]![1]) || Date.now() > deadline) break;
      await sleep(1_000);
    }
    expect(got).toEqual(expected.map(([q, n]) => [q, n, n]));

    // The database agrees: exactly the finished ones are inactive.
    const inactive = await db.db.execute<{ id: number }>(sql`select id from users where status = 'inactive' order by id`);
    expect(inactive.map((r) => r.id)).toEqual([...done].sort((a, b2) => a - b2));
    console.log(`[stack] ${expected.length} visibility queries agree (SDK count and Web UI API): ${expected.map(([q, n]) => `${q} → ${n}`).join('; ')}`);
  });
});
