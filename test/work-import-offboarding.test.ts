// An item imported for someone being offboarded becomes part of their offboarding: the import
// operation (client/operations/work-import.ts, what `offboard import` and the JSON API call) asks the
// running user workflow to re-check, on the time-skipping server with the real activities.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { importWork, type OperationsContext } from '../client/operations';
import { importRecordSchema } from '../domain/work-import-records';
import { projects } from '../db/schema';
import { eq } from 'drizzle-orm';
import { userOffboarding } from '../workflows';
import { type UserOffboardingInput, userWorkflowId } from '../workflows/contract';
import { startTimeSkippingEnvironment } from './helpers/temporal';
import { createWorker, type Harness, policy, startedWorkflows, startHarness, waitForUserStatus } from './helpers/workflow-harness';

let env: TestWorkflowEnvironment;
let h: Harness;
const started = startedWorkflows();

beforeAll(async () => {
  [env, h] = await Promise.all([startTimeSkippingEnvironment(), startHarness()]);
});
afterEach(async () => {
  await started.terminateAll();
});
afterAll(async () => {
  await env?.teardown();
  await h?.close();
});

describe('an item imported for someone being offboarded', () => {
  it('shows on their offboarding at once, and the import says it asked', async () => {
    const { fx } = h;
    const admin = await fx.admin({ name: 'Ada Admin', email: 'ada@wio.test' });
    const manager = await fx.user({ name: 'Max Manager', email: 'max@wio.test' });
    const leaver = await fx.user({ name: 'Lee Leaver', email: 'lee@wio.test', managerId: manager });
    const p = await fx.project('Tower W');
    await fx.member(p, leaver);
    await fx.defect({ projectId: p, assignedToId: leaver });
    const [project] = await h.t.db.select({ number: projects.number }).from(projects).where(eq(projects.id, p));

    const { worker, taskQueue } = await createWorker(env, h.activities);
    const ctx: OperationsContext = { db: async () => h.t.db, temporal: async () => env.client, taskQueue };
    await worker.runUntil(async () => {
      const input: UserOffboardingInput = { userId: leaver, requestedBy: admin, batchId: null, reason: 'left', effectiveAt: null, successorId: null, policy: policy() };
      started.track(await env.client.workflow.start(userOffboarding, { taskQueue, workflowId: userWorkflowId(leaver), args: [input] }));
      await waitForUserStatus(env.client, leaver, (s) => s.stage === 'awaiting-reassignment' && s.pendingItems.length === 1);

      const record = importRecordSchema.parse({
        kind: 'item',
        tool: 'rfi',
        externalId: 'wio-rfi-1',
        project: project?.number,
        number: 'RFI-W-1',
        title: 'Arrived during the offboarding',
        status: 'open',
        people: [{ role: 'assignee', email: 'LEE@wio.test' }],
      });
      const result = await importWork(ctx, admin, [record]);
      expect(result.counts.created).toBe(1);
      expect(result.rechecks).toEqual([{ userId: leaver, workflowId: userWorkflowId(leaver), rechecked: true }]);
      // The re-check ran inside the update the import sent: the item is pending already.
      const s = await waitForUserStatus(env.client, leaver, (st) => st.pendingItems.length === 2);
      expect(s.pendingItems.map((i) => i.title)).toContain('Arrived during the offboarding');
      expect(s.stage).toBe('awaiting-reassignment');
    });
  });
});
