// The "who may take over an item" rule is one function: the people the web page offers are exactly
// the people the reassignment activity accepts, candidate by candidate.
import { ApplicationFailure } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, defectItems, observations, offboardings, projects, users } from '../db/schema';
import { seedDemoDirectory } from '../db/seed';
import { eligibleAssignees } from '../domain/assignee-eligibility';
import { createDomainActivities } from '../activities/domain';
import type { Database } from '../db/client';
import type { ReassignItemInput, ValidateBatchInput } from '../workflows/contract';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { directoryFixtures } from './helpers/directory-fixtures';

// Through the activities: the failures asserted are the ones the workflows receive.
const reassignItem = (deps: { db: Database; clock: () => Date }, input: ReassignItemInput) => createDomainActivities(deps).reassignItem(input);
const validateBatch = (deps: { db: Database }, input: ValidateBatchInput) => createDomainActivities({ ...deps, clock: () => new Date() }).validateBatch(input);

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

it('offers exactly the candidates the reassignment activity accepts', async () => {
  const f = directoryFixtures(t.db);
  const p = await f.project('Harbor Tower');
  const q = await f.project('Airport Annex');
  const admin = await f.admin();
  const from = await f.user({ name: 'Leaving' });
  const zoe = await f.user({ name: 'Zoe Staying', jobTitle: 'Engineer' });
  const amy = await f.user({ name: 'Amy Staying' });
  const gone = await f.user({ name: 'Gone', status: 'inactive', inactivatedAt: new Date() });
  const leaving = await f.user({ name: 'Also Leaving' });
  const elsewhere = await f.user({ name: 'Only on Q' });
  const mute = await f.user({ name: 'No Email', email: null });
  for (const u of [from, zoe, amy, gone, leaving, mute]) await f.member(p, u);
  await f.member(q, elsewhere);
  await t.db.insert(offboardings).values({ userId: leaving, workflowId: `offboarding-user-${leaving}`, requestedBy: admin });

  const offered = await eligibleAssignees(t.db, [p, q], from);
  expect(offered.get(p)?.map((x) => x.name)).toEqual(['Amy Staying', 'Zoe Staying']);
  expect(offered.get(p)?.[1]?.jobTitle).toBe('Engineer');
  expect(offered.get(q)?.map((x) => x.id)).toEqual([elsewhere]);

  const accepted: number[] = [];
  for (const candidate of [from, zoe, amy, gone, leaving, elsewhere, mute]) {
    const key = `observation:${await f.observation({ projectId: p, assigneeId: from })}:assignee`;
    const r = await reassignItem(
      { db: t.db, clock: () => new Date() },
      { requestId: `r-${candidate}`, itemKey: key, fromUserId: from, toUserId: candidate, actorId: admin, workflowId: 'wf' },
    ).then(
      () => 'ok',
      (e: unknown) => (e instanceof ApplicationFailure ? e.type : String(e)),
    );
    if (r === 'ok') accepted.push(candidate);
  }
  expect(accepted.sort()).toEqual(offered.get(p)?.map((x) => x.id).sort());
});

// Issue 21, item 12: a receiver must be someone who can be told. Carlos Mendes and Jin Park (and Luis
// Romero) of the demo directory have no email address: an item handed to them is orphaned again.
describe('on the demo directory, people without an email address', () => {
  let demo: TestDatabase;
  const id: Record<string, number> = {};
  beforeAll(async () => {
    demo = await createTestDatabase();
    await seedDemoDirectory(demo.db);
    for (const u of await demo.db.select({ id: users.id, name: users.name }).from(users)) id[u.name] = u.id;
  });
  afterAll(async () => {
    await demo?.drop();
  });

  it('are not offered, are refused by the reassignment activity and as a successor, and nothing changes', async () => {
    const [harbor, riverside] = await Promise.all(
      ['Harbor View Medical Center', 'Riverside Elementary Expansion'].map(async (name) => (await demo.db.select({ id: projects.id }).from(projects).where(eq(projects.name, name)))[0]!.id),
    );
    const aisha = id['Aisha Bello']!;
    const offered = await eligibleAssignees(demo.db, [harbor!, riverside!], aisha);
    const names = (p: number) => (offered.get(p) ?? []).map((x) => x.name);
    expect(names(harbor!)).toContain('Grace Liu');
    expect(names(harbor!)).not.toContain('Carlos Mendes');
    expect(names(harbor!)).not.toContain('Luis Romero');
    expect(names(riverside!)).not.toContain('Jin Park');

    const [obs] = await demo.db.select({ id: observations.id, assignee: observations.assigneeId }).from(observations).where(eq(observations.title, 'Missing guardrail at level 3 east stair'));
    const [punch] = await demo.db.select({ id: defectItems.id, to: defectItems.assignedToId }).from(defectItems).where(eq(defectItems.title, 'Corridor B: ceiling tile stained'));
    expect([obs?.assignee, punch?.to]).toEqual([aisha, aisha]);
    const audits = async () => (await demo.db.select({ id: auditLog.id }).from(auditLog)).length;
    const auditsBefore = await audits();
    const admin = id['Helen Park']!;
    const attempt = (itemKey: string, to: number) =>
      reassignItem({ db: demo.db, clock: () => new Date() }, { requestId: `r-${itemKey}-${to}`, itemKey, fromUserId: aisha, toUserId: to, actorId: admin, workflowId: 'wf' }).then(
        () => 'ok',
        (e: unknown) => (e instanceof ApplicationFailure ? `${e.type}: ${e.message}` : String(e)),
      );
    expect(await attempt(`observation:${obs!.id}:assignee`, id['Carlos Mendes']!)).toMatch(/^TARGET_NO_EMAIL: User \d+ \(Carlos Mendes\) has no email address/);
    expect(await attempt(`defect:${punch!.id}:assigned-to`, id['Jin Park']!)).toMatch(/^TARGET_NO_EMAIL: User \d+ \(Jin Park\) has no email address/);
    const [obsAfter] = await demo.db.select({ assignee: observations.assigneeId }).from(observations).where(eq(observations.id, obs!.id));
    const [punchAfter] = await demo.db.select({ to: defectItems.assignedToId }).from(defectItems).where(eq(defectItems.id, punch!.id));
    expect([obsAfter?.assignee, punchAfter?.to]).toEqual([aisha, aisha]);
    expect(await audits()).toBe(auditsBefore);

    // As a successor, the batch is refused before it claims anybody.
    const successor = await validateBatch(
      { db: demo.db },
      { batchId: 'no-email-successor', workflowId: 'offboarding-batch-no-email-successor', requestedBy: admin, userIds: [aisha], successors: { [String(aisha)]: id['Carlos Mendes']! } },
    ).then(
      () => 'ok',
      (e: unknown) => (e instanceof ApplicationFailure ? `${e.type}: ${e.message}` : String(e)),
    );
    expect(successor).toBe(`TARGET_NO_EMAIL: Successor ${id['Carlos Mendes']} has no email address, so nobody could tell them about the items; choose someone who has one.`);
    expect(await demo.db.select().from(offboardings)).toEqual([]);
  });
});
