// Fault (2): the Temporal dev server, with its file database, restarted while users wait for
// reassignment. The waits, their timers (reminders) and the pending items survive; managers' updates
// after the restart work and the users are inactivated.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadSettings } from '../../config/settings';
import { users } from '../../db/schema';
import { requireTemporalCli } from '../../launcher/temporal-binaries';
import { type DevServer, startDevServer } from '../../launcher/temporal-dev-server';
import { closeItemUpdate, reassignItemUpdate, userWorkflowId } from '../../workflows/contract';
import { userOffboarding } from '../../workflows';
import { freePort } from '../helpers/free-port';
import { workflowBundle } from '../helpers/temporal';
import { type Harness, mailsAbout, policy, startHarness, waitForUserStatus } from '../helpers/workflow-harness';
import { budget } from '../helpers/time-budget';

type Temporal = { server: DevServer; connection: Connection; native: NativeConnection; client: Client; worker: Worker; running: Promise<void> };

let h: Harness;
let dir: string;
let cliPath: string;
let port: number;
let temporal: Temporal | undefined;
const taskQueue = `faults-temporal-${process.pid}`;

async function up(): Promise<Temporal> {
  const server = await startDevServer({ cliPath, port, uiPort: port + 1, headless: true, dbFile: path.join(dir, 'temporal.db') });
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: workflowBundle(), activities: h.activities });
  const running = worker.run();
  return { server, connection, native, client, worker, running };
}

async function down(t: Temporal | undefined): Promise<void> {
  if (!t) return;
  t.worker.shutdown();
  await t.running.catch(() => undefined);
  await Promise.allSettled([t.native.close(), t.connection.close()]);
  await t.server.stop();
}

beforeAll(async () => {
  h = await startHarness();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-faults-temporal-'));
  cliPath = await requireTemporalCli(loadSettings());
  port = await freePort();
  temporal = await up();
});
afterAll(async () => {
  await down(temporal);
  await h?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Temporal restarted while users wait', () => {
  it('keeps the waits, timers and pending items; updates after the restart work', async () => {
    const admin = await h.fx.admin({ name: 'Ada Admin' });
    const manager = await h.fx.user({ name: 'Max Manager' });
    const colleague = await h.fx.user({ name: 'Col League' });
    const p = await h.fx.project('Tower');
    await h.fx.member(p, colleague);
    const leavers = [await h.fx.user({ managerId: manager }), await h.fx.user({ managerId: manager })];
    const keys = new Map<number, string[]>();
    for (const u of leavers) {
      await h.fx.member(p, u);
      const rfi = await h.fx.rfi({ projectId: p, managerId: u });
      const defect = await h.fx.defect({ projectId: p, assignedToId: u });
      keys.set(u, [`rfi:${rfi}:manager`, `defect:${defect}:assigned-to`]);
    }
    // A reminder every 15 s, so a timer is pending across the restart.
    for (const u of leavers) {
      await temporal!.client.workflow.start(userOffboarding, {
        taskQueue,
        workflowId: userWorkflowId(u),
        args: [{ userId: u, requestedBy: admin, batchId: null, reason: 'restart', effectiveAt: null, successorId: null, policy: policy({ reminderIntervalMs: 15_000 }) }],
      });
    }
    const before = await Promise.all(leavers.map((u) => waitForUserStatus(temporal!.client, u, (s) => s.stage === 'awaiting-reassignment', 60_000)));

    await down(temporal);
    temporal = undefined;
    temporal = await up();

    // The waits and pending items are still there.
    for (const [i, u] of leavers.entries()) {
      const s = await waitForUserStatus(temporal.client, u, () => true, 60_000);
      expect(s.stage).toBe('awaiting-reassignment');
      expect(s.pendingItems.map((x) => x.key).sort()).toEqual([...(keys.get(u) ?? [])].sort());
      expect(s.waitingSince).toBe(before[i]?.waitingSince);
    }
    // The reminder timers fire after the restart.
    for (const u of leavers) await waitForUserStatus(temporal.client, u, (s) => s.remindersSent >= 1, 60_000);
    await vi.waitFor(() => expect(leavers.every((u) => mailsAbout(h.sink, u, 'reminder').length >= 1)).toBe(true), { timeout: budget(30_000) });

    // Managers' updates work after the restart.
    for (const u of leavers) {
      const handle = temporal.client.workflow.getHandle<typeof userOffboarding>(userWorkflowId(u));
      const [rfiKey, defectKey] = keys.get(u) ?? [];
      await handle.executeUpdate(reassignItemUpdate, { args: [{ itemKey: rfiKey ?? '', toUserId: colleague, by: manager }] });
      await handle.executeUpdate(closeItemUpdate, { args: [{ itemKey: defectKey ?? '', by: manager, note: 'done after restart' }] });
      const result = await handle.result();
      expect(result.outcome).toBe('inactivated');
      const [row] = await h.t.db.select().from(users).where(eq(users.id, u));
      expect(row?.status).toBe('inactive');
      expect(mailsAbout(h.sink, u, 'inactivated')).toHaveLength(1);
    }
  });
});
