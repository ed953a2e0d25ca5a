// The "who may take over an item" rule is one function: the people the web page offers are exactly
// the people the reassignment activity accepts, candidate by candidate.
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { reassignItem } from '../domain/item-resolution';
import { offboardings } from '../db/schema';
import { eligibleAssignees } from '../domain/assignee-eligibility';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { directoryFixtures } from './helpers/directory-fixtures';

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
  for (const u of [from, zoe, amy, gone, leaving]) await f.member(p, u);
  await f.member(q, elsewhere);
  await t.db.insert(offboardings).values({ userId: leaving, workflowId: `offboarding-user-${leaving}`, requestedBy: admin });

  const offered = await eligibleAssignees(t.db, [p, q], from);
  expect(offered.get(p)?.map((x) => x.name)).toEqual(['Amy Staying', 'Zoe Staying']);
  expect(offered.get(p)?.[1]?.jobTitle).toBe('Engineer');
  expect(offered.get(q)?.map((x) => x.id)).toEqual([elsewhere]);

  const accepted: number[] = [];
  for (const candidate of [from, zoe, amy, gone, leaving, elsewhere]) {
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
