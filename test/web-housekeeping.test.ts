// The hourly purge of the web app's dead rows, on real PostgreSQL and a real Temporal dev server: the
// activity deletes exactly the dead rows (expired or idle sessions, sessions of ended offboardings,
// used or expired sign-in tokens, old rate-limit windows, expired link counts, old form nonces) in
// bounded chunks and keeps the live ones; the worker's schedule is created once, starts the workflow,
// and that run purges.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offboardings, webActionLinkUses, webFormUses, webRateLimits, webSessions, webSignInTokens } from '../db/schema';
import { purgeExpiredWebRows, type WebPurgeCounts } from '../domain/web-housekeeping';
import { ensureHousekeepingSchedule } from '../worker/housekeeping-schedule';
import { WEB_HOUSEKEEPING_SCHEDULE_ID } from '../workflows/contract';
import { type DevServerEnvironment, sharedDevServerEnvironment } from './helpers/temporal';
import { type Harness, runWorkerInBackground, startHarness } from './helpers/workflow-harness';
import { budget } from './helpers/time-budget';

let h: Harness;
let env: DevServerEnvironment;
let worker: { taskQueue: string; stop: () => Promise<void> };
let mia: number, uma: number;

beforeAll(async () => {
  [h, env] = await Promise.all([startHarness(), sharedDevServerEnvironment()]);
  worker = await runWorkerInBackground(env, h.activities);
  mia = await h.fx.user({ name: 'Mia Manager', email: 'mia@example.com' });
  uma = await h.fx.user({ name: 'Uma Leaving', managerId: mia });
});
afterAll(async () => {
  await worker?.stop();
  await Promise.allSettled([env?.stop(), h?.close()]);
});

const db = () => h.t.db;
const ago = (interval: string) => sql`now() - ${interval}::interval`;
const ahead = (interval: string) => sql`now() + ${interval}::interval`;

/** Two of every kind of web row, one dead and one alive; the dead ones' keys start with "dead". */
async function seed(n: number): Promise<void> {
  const [ended] = await db()
    .insert(offboardings)
    .values({ userId: uma, workflowId: `wf-ended-${n}`, requestedBy: mia, endedAt: new Date(), outcome: 'removed' })
    .returning();
  const [running] = await db().select().from(offboardings).where(sql`${offboardings.userId} = ${uma} and ${offboardings.endedAt} is null`);
  const open = running ?? (await db().insert(offboardings).values({ userId: uma, workflowId: 'wf-open', requestedBy: mia }).returning())[0]!;
  const session = (id: string, values: Partial<typeof webSessions.$inferInsert>) =>
    db()
      .insert(webSessions)
      .values({ idHash: `${id}-${n}`, userId: mia, via: 'email-link', expiresAt: ahead('1 day'), ...values });
  await session('dead-expired', { expiresAt: new Date(Date.now() - 60_000) });
  await session('dead-idle', { lastSeenAt: new Date(Date.now() - 9 * 3_600_000) });
  await session('dead-ended', { via: 'action-link', scopeUserId: uma, offboardingId: ended!.id });
  await session('live', {});
  await session('live-link', { via: 'action-link', scopeUserId: uma, offboardingId: open.id });
  await db()
    .insert(webSignInTokens)
    .values([
      { tokenHash: `dead-used-${n}`, userId: mia, expiresAt: ahead('10 minutes'), usedAt: new Date() },
      { tokenHash: `dead-expired-${n}`, userId: mia, expiresAt: ago('1 minute') },
      { tokenHash: `live-${n}`, userId: mia, expiresAt: ahead('10 minutes') },
    ]);
  await db().execute(sql`insert into web_rate_limits (bucket, window_start, count) values
    (${`dead-${n}`}, now() - interval '25 hours', 3), (${`live-${n}`}, now(), 1)`);
  await db().execute(sql`insert into web_action_link_uses (link_hash, uses, expires_at) values
    (${`dead-${n}`}, 5, now() - interval '1 second'), (${`live-${n}`}, 1, now() + interval '1 day')`);
  await db().execute(sql`insert into web_form_uses (actor_id, request_id, action_hash, used_at) values
    (${mia}, ${`dead-${n}`}, 'h', now() - interval '8 days'), (${mia}, ${`live-${n}`}, 'h', now())`);
}

async function keys(): Promise<string[]> {
  const rows = [
    ...(await db().select({ k: webSessions.idHash }).from(webSessions)),
    ...(await db().select({ k: webSignInTokens.tokenHash }).from(webSignInTokens)),
    ...(await db().select({ k: webRateLimits.bucket }).from(webRateLimits)),
    ...(await db().select({ k: webActionLinkUses.linkHash }).from(webActionLinkUses)),
    ...(await db().select({ k: webFormUses.requestId }).from(webFormUses)),
  ];
  return rows.map((r) => r.k).sort();
}

describe('the web purge', () => {
  it('deletes the dead rows in bounded chunks and keeps the live ones', async () => {
    for (let n = 0; n < 3; n++) await seed(n);
    const chunks: WebPurgeCounts[] = [];
    const counts = await purgeExpiredWebRows(db(), { chunk: 2, afterChunk: (c) => chunks.push({ ...c }) });
    expect(counts).toEqual({ sessions: 9, signInTokens: 6, rateLimits: 3, actionLinkUses: 3, formUses: 3 });
    expect((await keys()).filter((k) => k.startsWith('dead'))).toEqual([]);
    expect(await keys()).toHaveLength(3 * 5 + 3);
    // Two rows per statement: 9 sessions take 5 chunks, and so on (the last, short one ends each table).
    expect(chunks.length).toBe(5 + 4 + 2 + 2 + 2);
    // Nothing left to do: a second run deletes nothing.
    expect(await purgeExpiredWebRows(db())).toEqual({ sessions: 0, signInTokens: 0, rateLimits: 0, actionLinkUses: 0, formUses: 0 });
  });

  it('the worker’s schedule is created once, runs webHousekeeping every hour, and a run purges', async () => {
    expect(await ensureHousekeepingSchedule(env.client, worker.taskQueue)).toBe(true);
    // Every worker start calls it: the schedule that exists is kept.
    expect(await ensureHousekeepingSchedule(env.client, worker.taskQueue)).toBe(false);
    const schedule = env.client.schedule.getHandle(WEB_HOUSEKEEPING_SCHEDULE_ID);
    const described = await schedule.describe();
    expect(described.spec.intervals?.map((i) => i.every)).toEqual([3_600_000]);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'webHousekeeping', taskQueue: worker.taskQueue });
    expect(described.policies.overlap).toBe('SKIP');

    await seed(9);
    await schedule.trigger();
    await expect.poll(async () => (await schedule.describe()).info.recentActions.length, { timeout: budget(30_000) }).toBeGreaterThan(0);
    const [first] = (await schedule.describe()).info.recentActions;
    const run = env.client.workflow.getHandle(first!.action.workflow.workflowId);
    expect(await run.result()).toEqual({ sessions: 3, signInTokens: 2, rateLimits: 1, actionLinkUses: 1, formUses: 1 });
    expect((await keys()).filter((k) => k.startsWith('dead'))).toEqual([]);
    expect(await db().select().from(webSessions).where(eq(webSessions.idHash, 'live-link-9'))).toHaveLength(1);
    await schedule.delete();
  });
});
