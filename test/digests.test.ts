// A batch's digests (issue 25) on the time-skipping server with the real activities, PostgreSQL and
// SMTP: one "Action needed" per manager for all their leavers, one reminder digest per interval, one
// escalation digest per admin, one email per new owner per batch, and for HR the summary alone.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import { startBatchWorkflow } from '../client/start-batch';
import { listOffboardings } from '../domain/offboardings-list';
import { createDigestSender } from '../domain/notifications/digests';
import { verifyTeamLink } from '../domain/team-links';
import { sql } from 'drizzle-orm';
import { closeItemUpdate, type OffboardingBatchInput, userWorkflowId } from '../workflows/contract';
import { recordHistory } from './helpers/histories';
import type { ReceivedMessage } from './helpers/smtp-sink';
import { startTimeSkippingEnvironment } from './helpers/temporal';
import { createWorker, type Harness, startHarness, waitForUserStatus } from './helpers/workflow-harness';

const DAY = 24 * 60 * 60 * 1000;
const LINK_SECRET = 's'.repeat(32);
let env: TestWorkflowEnvironment;
let h: Harness;
let activities: ReturnType<typeof createActivities>;

beforeAll(async () => {
  [env, h] = await Promise.all([startTimeSkippingEnvironment(), startHarness()]);
  // Personal links on, as with a web app.
  activities = createActivities({ db: h.t.db, mailer: h.mailer, clock: () => new Date(), links: { publicUrl: 'http://web.test', secret: LINK_SECRET } });
});
afterAll(async () => {
  await env?.teardown();
  await h?.close();
});

const kindOf = (m: ReceivedMessage) => m.parsed.headers.get('x-offboarding-kind');
const to = (m: ReceivedMessage) => m.envelope.to.join(',');
const listed = (m: ReceivedMessage) => {
  const ids = m.parsed.headers.get('x-offboarding-user-ids');
  return (typeof ids === 'string' ? ids : '').split(',').map(Number).sort((a, b) => a - b);
};
const emailOf = async (id: number) => (await h.t.db.query.users.findFirst({ where: (u, { eq }) => eq(u.id, id) }))?.email ?? '';

/** The team links of a digest (text and HTML part alike), as their verified claims. */
function teamLinksIn(m: ReceivedMessage): { recipientId: number; batchId: string }[] {
  const found = (body: string) => [...body.matchAll(/http:\/\/web\.test\/team-link\?t=([A-Za-z0-9_.-]+)/g)].map((x) => x[1]!);
  const text = found(m.parsed.text ?? '');
  expect(found(typeof m.parsed.html === 'string' ? m.parsed.html : '')).toEqual(text);
  expect(m.parsed.text ?? '').not.toContain('/link?t=');
  return text.map((t) => {
    const v = verifyTeamLink(LINK_SECRET, t, new Date());
    if (!v.ok) throw new Error(`team link ${v.why}`);
    return { recipientId: v.claims.recipientId, batchId: v.claims.batchId };
  });
}

let seq = 0;
function batchInput(input: Partial<OffboardingBatchInput> & { userIds: number[]; requestedBy: number }): OffboardingBatchInput {
  return { batchId: `d${process.pid}-${++seq}`, reason: 'restructuring', effectiveAt: null, successors: {}, policy: {}, ...input };
}

describe('a batch’s digests', () => {
  it('asks a manager once for three leavers, reminds once per interval, escalates once per admin, and tells HR only the summary', async () => {
    h.sink.clear();
    const admin = await h.fx.admin({ name: 'Ada Admin' });
    const manager = await h.fx.user({ name: 'Max Manager' });
    const other = await h.fx.user({ name: 'Olga Other' });
    const p = await h.fx.project('Tower');
    const leavers: number[] = [];
    const defects: number[] = [];
    for (let i = 0; i < 3; i++) {
      const u = await h.fx.user({ name: `Leaver ${i}`, managerId: manager });
      await h.fx.member(p, u);
      defects.push(await h.fx.defect({ projectId: p, assignedToId: u }));
      leavers.push(u);
    }
    const elsewhere = await h.fx.user({ name: 'Ela Elsewhere', managerId: other });
    defects.push(await h.fx.defect({ projectId: p, assignedToId: elsewhere }));
    const everyone = [...leavers, elsewhere];
    const [managerEmail, otherEmail, adminEmail] = await Promise.all([emailOf(manager), emailOf(other), emailOf(admin)]);

    const { worker, taskQueue } = await createWorker(env, activities);
    await worker.runUntil(async () => {
      const input = batchInput({ userIds: everyone, requestedBy: admin });
      const handle = await startBatchWorkflow(env.client, taskQueue, input);
      for (const u of everyone) await waitForUserStatus(env.client, u, (s) => s.stage === 'awaiting-reassignment');
      await env.sleep(60_000); // past the digest's quiet time
      const asked = (await h.sink.waitFor(2)).filter((m) => kindOf(m) === 'action-needed-digest');
      expect(asked.map(to).sort()).toEqual([managerEmail, otherEmail].sort());
      const mine = asked.find((m) => to(m) === managerEmail)!;
      expect(listed(mine)).toEqual([...leavers].sort((a, b) => a - b));
      const text = mine.parsed.text ?? '';
      for (let i = 0; i < 3; i++) expect(text).toContain(`Leaver ${i} — 1 open item`);
      // One signed link for the manager and the batch, not one per person (issue 25).
      expect(teamLinksIn(mine)).toEqual([{ recipientId: manager, batchId: input.batchId }]);
      expect(text).not.toContain('/link?t=');
      expect(text).toContain('Open your team’s offboardings to hand each item over or close it');
      expect(mine.parsed.subject).toBe('Action needed: 3 people leaving, with open items to reassign or close');

      // Reminders: one per manager per interval (2 days), listing everyone still waiting.
      await env.sleep(2 * DAY);
      await h.sink.waitFor(4);
      const reminders = h.sink.messages.filter((m) => kindOf(m) === 'reminder-digest');
      expect(reminders.map(to).sort()).toEqual([managerEmail, otherEmail].sort());
      expect(listed(reminders.find((m) => to(m) === managerEmail)!)).toEqual([...leavers].sort((a, b) => a - b));
      expect(teamLinksIn(reminders.find((m) => to(m) === managerEmail)!)).toEqual([{ recipientId: manager, batchId: input.batchId }]);
      expect(teamLinksIn(reminders.find((m) => to(m) === otherEmail)!)).toEqual([{ recipientId: other, batchId: input.batchId }]);

      // Escalation after 7 days: one email per admin (the requester is the admin here), listing all four.
      await env.sleep(5 * DAY + 60_000);
      await h.sink.waitFor(2 + 6 + 1);
      const escalations = h.sink.messages.filter((m) => kindOf(m) === 'escalation-digest');
      expect(escalations.map(to)).toEqual([adminEmail]);
      expect(listed(escalations[0]!)).toEqual([...everyone].sort((a, b) => a - b));
      expect(teamLinksIn(escalations[0]!)).toEqual([{ recipientId: admin, batchId: input.batchId }]);
      expect(h.sink.messages.filter((m) => kindOf(m) === 'reminder-digest')).toHaveLength(2 * 3); // days 2, 4, 6

      // "People leaving your team" counts each person's reminders and escalation from the digests.
      const list = await listOffboardings(h.t.db, { id: manager, isAdmin: false }, { ended: false, page: 1, scopeUserId: null });
      expect(list.rows.map((r) => [r.userId, r.reminders, r.escalated, r.waitingSince !== null])).toEqual(
        [...leavers].sort((a, b) => a - b).map((u) => [u, 3, true, true]),
      );

      // The manager closes everything: one line per person in one digest, and HR gets the summary.
      for (const [i, u] of everyone.entries()) {
        await env.client.workflow.getHandle(userWorkflowId(u)).executeUpdate(closeItemUpdate, { args: [{ itemKey: `defect:${defects[i]}:assigned-to`, by: admin, note: null }] });
      }
      const summary = await handle.result();
      expect(summary.inactivated.sort()).toEqual([...everyone].sort());
      await recordHistory(handle, 'v5-batch-digests');
    });
    const kinds = h.sink.messages.map(kindOf);
    for (const perPerson of ['items-assigned', 'reminder', 'escalation', 'inactivated', 'items-received']) expect(kinds).not.toContain(perPerson);
    const inactivated = h.sink.messages.filter((m) => kindOf(m) === 'inactivated-digest');
    expect(inactivated.map(to).sort()).toEqual([managerEmail, otherEmail].sort());
    expect(listed(h.sink.messages.find((m) => kindOf(m) === 'inactivated-digest' && to(m) === managerEmail)!)).toEqual([...leavers].sort((a, b) => a - b));
    expect(h.sink.messages.filter((m) => to(m) === adminEmail).map(kindOf).sort()).toEqual(['batch-summary', 'escalation-digest']);
  });

  it('on the successor path: one line per person to the manager, one email to the successor, the summary to HR', async () => {
    h.sink.clear();
    const admin = await h.fx.admin({ name: 'Hana HR' });
    const manager = await h.fx.user({ name: 'Mia Manager' });
    const successor = await h.fx.user({ name: 'Sam Successor' });
    const p = await h.fx.project('Depot');
    await h.fx.member(p, successor);
    const leavers: number[] = [];
    for (let i = 0; i < 3; i++) {
      const u = await h.fx.user({ name: `Goer ${i}`, managerId: manager });
      await h.fx.member(p, u);
      await h.fx.defect({ projectId: p, assignedToId: u });
      await h.fx.defect({ projectId: p, assignedToId: u });
      leavers.push(u);
    }
    const [managerEmail, successorEmail, adminEmail] = await Promise.all([emailOf(manager), emailOf(successor), emailOf(admin)]);
    const { worker, taskQueue } = await createWorker(env, activities);
    await worker.runUntil(async () => {
      const handle = await startBatchWorkflow(
        env.client,
        taskQueue,
        batchInput({ userIds: leavers, requestedBy: admin, successors: Object.fromEntries(leavers.map((u) => [String(u), successor])) }),
      );
      expect((await handle.result()).inactivated.sort()).toEqual([...leavers].sort());
      await recordHistory(handle, 'v5-batch-digests-successor');
    });
    const byRecipient = (email: string) => h.sink.messages.filter((m) => to(m) === email).map(kindOf);
    expect(byRecipient(managerEmail)).toEqual(['inactivated-digest']);
    expect(byRecipient(successorEmail)).toEqual(['items-received-digest']);
    expect(byRecipient(adminEmail)).toEqual(['batch-summary']);
    const received = h.sink.messages.find((m) => kindOf(m) === 'items-received-digest')!;
    expect(received.parsed.subject).toBe('You now own 6 items from 3 people who are leaving');
    expect(listed(received)).toEqual([...leavers].sort((a, b) => a - b));
    const lines = h.sink.messages.find((m) => kindOf(m) === 'inactivated-digest')!.parsed.text ?? '';
    for (let i = 0; i < 3; i++) expect(lines).toContain(`Goer ${i}: inactivated on`);
    expect(lines).toContain('2 items handed over, 0 closed');
  });
  it('at the deadline: the people hand their items to the manager, and the admin hears once of all who still hold items', async () => {
    h.sink.clear();
    const admin = await h.fx.admin({ name: 'Dora Deadline' });
    const manager = await h.fx.user({ name: 'Dan Manager' });
    const p = await h.fx.project('Quay');
    await h.fx.member(p, manager);
    const leavers: number[] = [];
    for (let i = 0; i < 3; i++) {
      const u = await h.fx.user({ name: `Late ${i}`, managerId: manager });
      await h.fx.member(p, u);
      await h.fx.defect({ projectId: p, assignedToId: u });
      leavers.push(u);
    }
    // The manager is not on Pier: these two still hold an item there after the deadline's action.
    const [heldOn, alsoHeldOn, defectOnly] = leavers as [number, number, number];
    const pier = await h.fx.project('Pier');
    const onPier = new Map<number, number>();
    for (const u of [heldOn, alsoHeldOn]) {
      await h.fx.member(pier, u);
      onPier.set(u, await h.fx.defect({ projectId: pier, assignedToId: u }));
    }
    const adminEmail = await emailOf(admin);
    const policy = { deadlineMs: 3 * DAY, deadlineAction: 'reassign-to-manager' as const, escalateAfterMs: 30 * DAY, reminderIntervalMs: 10 * DAY };
    const { worker, taskQueue } = await createWorker(env, activities);
    await worker.runUntil(async () => {
      const handle = await startBatchWorkflow(env.client, taskQueue, batchInput({ userIds: leavers, requestedBy: admin, policy }));
      for (const u of leavers) await waitForUserStatus(env.client, u, (s) => s.stage === 'awaiting-reassignment');
      await env.sleep(3 * DAY + 5 * 60_000); // past the deadline and its settling minute
      await waitForUserStatus(env.client, defectOnly, (s) => s.result?.outcome === 'inactivated');
      await expect.poll(() => h.sink.messages.map(kindOf)).toContain('escalation-digest');
      const escalations = h.sink.messages.filter((m) => kindOf(m) === 'escalation-digest');
      // One each for every admin (the earlier tests' admins too), this batch's requester among them.
      expect(escalations.map(to)).toContain(adminEmail);
      expect(new Set(escalations.map(to)).size).toBe(escalations.length);
      for (const e of escalations) {
        expect(listed(e)).toEqual([heldOn, alsoHeldOn].sort((a, b) => a - b));
        expect(e.parsed.subject).toMatch(/^Escalation: 2 people waiting past the batch’s deadline/);
        expect(e.parsed.text ?? '').toContain('past the deadline');
      }
      // The defects went to the manager at the deadline, in the audit log.
      const moved = await h.t.db.execute<{ n: number }>(
        sql`select count(*)::int as n from audit_log where action = 'item.reassigned' and (after ->> 'toUserId')::int = ${manager} and workflow_id in ${leavers.map(userWorkflowId)}`,
      );
      expect(moved[0]?.n).toBe(3);
      // An admin closes what the deadline could not hand over; the batch ends.
      for (const [u, defect] of onPier) {
        await env.client.workflow.getHandle(userWorkflowId(u)).executeUpdate(closeItemUpdate, { args: [{ itemKey: `defect:${defect}:assigned-to`, by: admin, note: null }] });
      }
      expect((await handle.result()).inactivated.sort()).toEqual([...leavers].sort());
      await recordHistory(handle, 'v6-batch-deadline-digest');
      await recordHistory(env.client.workflow.getHandle(userWorkflowId(heldOn)), 'v6-user-offboarding-deadline-digest');
    });
    // No per-person escalation: the batch's one digest said it.
    expect(h.sink.messages.map(kindOf)).not.toContain('escalation');
    expect(h.sink.messages.filter((m) => kindOf(m) === 'escalation-digest' && to(m) === adminEmail)).toHaveLength(1);
  });
});

describe('the digest rounds, read from the database', () => {
  async function claim(userId: number, batchId: string, requestedBy: number): Promise<void> {
    await h.t.db.execute(sql`insert into offboardings (user_id, batch_id, workflow_id, requested_by) values (${userId}, ${batchId}, ${userWorkflowId(userId)}, ${requestedBy})`);
  }

  it('sends a round once however often it is retried, leaves out who no longer runs, and falls back to the requester', async () => {
    h.sink.clear();
    const sender = createDigestSender({ db: h.t.db, mailer: h.mailer, clock: () => new Date() });
    const admin = await h.fx.admin({ name: 'Rita Requester' });
    const unreachable = await h.fx.user({ name: 'Nora No-Email', email: null });
    const p = await h.fx.project('Yard');
    const [a, b, gone] = [await h.fx.user({ managerId: unreachable }), await h.fx.user({ managerId: unreachable }), await h.fx.user({ managerId: unreachable })];
    for (const u of [a, b, gone]) await h.fx.defect({ projectId: p, assignedToId: u });
    const batchId = `rounds-${process.pid}`;
    for (const u of [a, b, gone]) await claim(u, batchId, admin);
    await h.t.db.execute(sql`update offboardings set ended_at = now(), outcome = 'removed' where user_id = ${gone}`);
    const round = { batchId, workflowId: `offboarding-batch-${batchId}`, key: `${batchId}:1`, requestedBy: admin, userIds: [a, b, gone], newItems: [], effectiveAt: null };

    expect(await sender.sendActionDigests(round)).toEqual({ emails: 1 });
    expect(await sender.sendActionDigests(round)).toEqual({ emails: 1 }); // the retry finds it sent
    const [m] = await h.sink.waitFor(1);
    expect(h.sink.messages).toHaveLength(1);
    expect(to(m!)).toBe(await emailOf(admin));
    expect(listed(m!)).toEqual([a, b].sort((x, y) => x - y));
    expect(m!.parsed.text).toContain('You receive this because the manager, Nora No-Email, has no email address');
  });

  it('refuses a malformed round with INVALID_INPUT and sends nothing', async () => {
    h.sink.clear();
    const sender = createDigestSender({ db: h.t.db, mailer: h.mailer, clock: () => new Date() });
    const bad = { batchId: 'no spaces allowed', workflowId: 'w', key: 'k', requestedBy: 1, userIds: [1.5], newItems: [], effectiveAt: null };
    await expect(sender.sendActionDigests(bad)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(sender.sendClosingDigests({ batchId: 'b', workflowId: 'w', key: 'k'.repeat(201), requestedBy: 1, userIds: [] })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(h.sink.messages).toHaveLength(0);
  });
});
