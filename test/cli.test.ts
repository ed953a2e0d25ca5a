// The `offboard` CLI end to end, as a new user runs it: a Temporal dev server, a worker with the real
// activities (PostgreSQL + an SMTP sink), a small directory. The binary runs as a subprocess
// (`node scripts/run-ts.mjs client/cli/offboard.ts …`, configured only through its environment) where the
// process itself is what is tested: the first start, a `status --watch` that must end, services that
// are down (exit 3), a reader that goes away. The other commands run in-process (`run()` from
// client/cli/cli.ts, which offboard.ts calls with the process's argv, environment and streams, and
// whose exit code it sets) against the same servers: a subprocess costs ~2.3 CPU-s to start.
import type { offboardingBatch } from '../workflows';
import { spawn } from 'node:child_process';
import { eq, sql } from 'drizzle-orm';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusOf } from '../client/operations';
import { assignmentReportCsv, REPORT_CSV_HEADER } from '../client/report-csv';
import { projectRoot } from '../config/settings';
import { defectItems, observations, offboardings, rfis, users } from '../db/schema';
import { batchWorkflowId, userStatusQuery, userWorkflowId } from '../workflows/contract';
import { cliHint as refusalHint } from '../client/cli/refusal-hints';
import { type CliResult, FailingStream, runCli } from './helpers/cli';
import { freePort } from './helpers/free-port';
import { type DevServerEnvironment, sharedDevServerEnvironment } from './helpers/temporal';
import { auditCount, createWorker, type Harness, startHarness, waitForUserStatus } from './helpers/workflow-harness';
import { budget } from './helpers/time-budget';
import { tsEntryArgs } from '../launcher/ts-entry';

type Run = { code: number | null; stdout: string; stderr: string; json: <T>() => T; lastJson: <T>() => T };

let env: DevServerEnvironment;
let h: Harness;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;

function cli(args: string[], overrides: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, tsEntryArgs('client/cli/offboard.ts', ...args), {
      cwd: projectRoot,
      env: { ...process.env, ...cliEnv(), ...overrides },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', reject);
    const t0 = Date.now();
    child.on('close', (code) => {
      clearTimeout(timer);
      if (process.env.CLI_TEST_TRACE) console.error(`[cli ${Date.now() - t0}ms] ${args.join(' ')} -> ${code} ${stderr.trim().slice(0, 200)}`);
      if (process.env.CLI_TEST_TRACE === 'stdout' && !args.includes('--json')) console.error(stdout);
      const lines = () => stdout.split('\n').filter((l) => l.trim() !== '');
      resolve({
        code,
        stdout,
        stderr,
        json: <T>() => JSON.parse(stdout) as T,
        lastJson: <T>() => JSON.parse(lines().at(-1) ?? 'null') as T,
      });
    });
  });
}

/** The environment of the CLI runs: this file's database, Temporal and task queue. */
const cliEnv = () => ({ DATABASE_URL: h.t.url, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace, TEMPORAL_TASK_QUEUE: taskQueue });
/** The CLI in this process (test/helpers/cli.ts), configured like the subprocesses. */
const offboard = (args: string[]) => runCli(args, cliEnv());

/**
 * Runs independent CLI invocations in this process, at most `limit` at a time (each opens its own
 * connections), results in order. The checks around a command's main run (refusals, reads) need no
 * process of their own; a subprocess costs seconds on a busy machine.
 */
async function parallel<const T extends readonly (readonly string[])[]>(calls: T, limit = 4): Promise<{ -readonly [K in keyof T]: CliResult }> {
  const results: CliResult[] = new Array<CliResult>(calls.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < calls.length) {
      const i = next++;
      results[i] = await offboard([...(calls[i] ?? [])]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, calls.length) }, lane));
  return results as { -readonly [K in keyof T]: CliResult };
}

/** Exit 1, the code first, its hint on the next line, and never a stack trace. */
function expectRefusal(r: Pick<Run, 'code' | 'stderr'>, code: string): void {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 1, stderr: expect.stringMatching(new RegExp(`^${code}: `)) });
  expect(r.stderr.trim().split('\n')).toHaveLength(2);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

// The directory.
let admin: number, admin2: number, manager: number, outsider: number, staying: number, nonMember: number, inactive: number;
let u1: number, u2: number, u3: number, u4: number, u5: number;
let projectP: number, projectQ: number;
let rfiKey: string, defectKey: string, u1Email: string;

beforeAll(async () => {
  [env, h] = await Promise.all([sharedDevServerEnvironment(), startHarness()]);
  ({ worker, taskQueue } = await createWorker(env, h.activities));
  running = worker.run();
  const fx = h.fx;
  admin = await fx.admin({ name: 'Ada Admin', email: 'ada@example.com' });
  admin2 = await fx.admin({ name: 'Abe Admin' });
  manager = await fx.user({ name: 'Mia Manager' });
  outsider = await fx.user({ name: 'Olly Outsider' });
  staying = await fx.user({ name: 'Sam Staying' });
  nonMember = await fx.user({ name: 'Nina Nonmember' });
  inactive = await fx.user({ name: 'Ian Inactive', status: 'inactive', inactivatedAt: new Date(), inactivatedBy: admin, inactivationReason: 'left' });
  u1Email = 'uma@example.com';
  u1 = await fx.user({ name: 'Uma One', email: u1Email, managerId: manager });
  u2 = await fx.user({ name: 'Udo Two', managerId: manager });
  u3 = await fx.user({ name: 'Ulf Three', managerId: manager });
  u4 = await fx.user({ name: 'Ute Four', managerId: manager });
  u5 = await fx.user({ name: 'Uwe Five', email: 'uwe@example.com', managerId: manager });
  projectP = await fx.project('Harbor Tower');
  projectQ = await fx.project('Airport Annex');
  for (const u of [u1, u2, staying, inactive, u5, manager]) await fx.member(projectP, u);
  for (const u of [u3, u4, staying]) await fx.member(projectQ, u);
  rfiKey = `rfi:${await fx.rfi({ projectId: projectP, managerId: u1 })}:manager`;
  defectKey = `defect:${await fx.defect({ projectId: projectP, assignedToId: u1 })}:assigned-to`;
  await fx.observation({ projectId: projectP, assigneeId: u2 });
  await fx.inspection({ projectId: projectQ, pocId: u3 });
  await fx.defect({ projectId: projectQ, assignedToId: u4 });
  await fx.defect({ projectId: projectP, assignedToId: u5 });
}, budget(180_000));

afterAll(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await env?.stop();
  await h?.close();
}, budget(60_000));

describe('offboard CLI', () => {
  it('reads the directory before any offboarding: report, users, --help', async () => {
    const [reportOne, reportAll, members, gone, help] = await parallel([
      ['report', u1Email, '--json'],
      ['report'],
      ['users', '--project', String(projectP), '--json'],
      ['users', '--inactive', '--json'],
      ['--help'],
    ]);
    expect(reportOne.code).toBe(0);
    const rows = reportOne.json<{ userId: number; items: { key: string }[] }[]>();
    expect(rows).toEqual([expect.objectContaining({ userId: u1, items: [expect.objectContaining({ key: rfiKey }), expect.objectContaining({ key: defectKey })] })]);
    expect(reportAll.code).toBe(0);
    expect(reportAll.stdout).toContain('Uma One');
    expect(reportAll.stdout).toContain(rfiKey);
    expect(reportAll.stdout).toContain('Ulf Three');
    expect(members.code).toBe(0);
    const listed = members.json<{ id: number; manager: { id: number } | null }[]>();
    expect(listed.map((u) => u.id).sort((a, b) => a - b)).toEqual([manager, staying, u1, u2, u5].sort((a, b) => a - b));
    expect(listed.find((u) => u.id === u1)?.manager?.id).toBe(manager);
    expect(gone.code).toBe(0);
    expect(gone.json<{ id: number; reason: string }[]>()).toEqual([expect.objectContaining({ id: inactive, reason: 'left' })]);
    expect(help.code).toBe(0);
    for (const c of ['start', 'status', 'items', 'reassign', 'close', 'done', 'remove', 'cancel', 'report', 'users', 'reactivate', 'list', 'codec-tokens']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
  }, budget(120_000));

  it('start --dry-run shows the review with the validation codes and starts and claims nothing; start refusals; usage exits 2', async () => {
    const [dry, unknown, notAdmin, past, badDate, noBy, zeroDays, actionAlone, forced] = await parallel([
      ['start', String(u1), String(u5), String(inactive), 'ada@example.com', u1Email, '--by', String(admin), '--batch', 'dry', '--dry-run', '--json'],
      ['start', 'nobody@example.com', '--by', String(admin)],
      ['start', String(u5), '--by', String(outsider)],
      ['start', String(u5), '--by', String(admin), '--effective-at', '2001-01-01T00:00:00Z'],
      ['start', String(u5), '--by', String(admin), '--effective-at', 'tomorrow'],
      ['start', String(u5)],
      ['start', String(u5), '--by', String(admin), '--remind-every', '0'],
      ['start', String(u5), '--by', String(admin), '--deadline-action', 'reassign-to-manager'],
      ['start', String(u5), '--by', String(admin), '--remind-every', '1', '--escalate-after', '3', '--deadline', '10', '--deadline-action', 'reassign-to-manager', '--force', '--dry-run', '--json'],
    ]);
    expect(dry.code).toBe(0);
    // The policy options (client/batch-options.ts, shared with the web's review form).
    expect(zeroDays.code).toBe(2);
    expect(zeroDays.stderr).toMatch(/^offboard: --remind-every must be at least 1 day/);
    expectRefusal(actionAlone, 'INVALID_INPUT');
    expect(forced.code).toBe(0);
    expect(forced.json<{ policy: unknown }>().policy).toEqual({
      reminderIntervalMs: 86_400_000,
      escalateAfterMs: 3 * 86_400_000,
      deadlineMs: 10 * 86_400_000,
      deadlineAction: 'reassign-to-manager',
      inactivateWithOpenItems: true,
    });
    const review = dry.json<{ dryRun: boolean; users: { userId: number; openItems: number }[]; skipped: { userId: number; code: string }[] }>();
    expect(review.users).toEqual([expect.objectContaining({ userId: u1, openItems: 2 }), expect.objectContaining({ userId: u5, openItems: 1 })]);
    expect(review.skipped.map((s) => [s.userId, s.code])).toEqual([
      [inactive, 'USER_ALREADY_INACTIVE'],
      [admin, 'REQUESTER_IN_BATCH'],
      [u1, 'DUPLICATE_USER'],
    ]);
    await expect(env.client.workflow.getHandle(batchWorkflowId('dry')).describe()).rejects.toThrow();
    expect(await h.t.db.select().from(offboardings)).toEqual([]);

    expectRefusal(unknown, 'USER_NOT_FOUND');
    expectRefusal(notAdmin, 'PERMISSION_DENIED');
    expectRefusal(past, 'EFFECTIVE_DATE_IN_PAST');
    expectRefusal(badDate, 'INVALID_INPUT');
    expect(noBy.code).toBe(2);
    expect(noBy.stderr).toMatch(/^offboard: --by is required/);
    expect(noBy.stderr).toContain('offboard start --help');
    // Nothing was started by the refused commands either.
    expect(await h.t.db.select().from(offboardings)).toEqual([]);
  }, budget(120_000));

  it('the full life of a batch: start, refusals, reassign / close / done, inactivated, status, reactivate', async () => {
    const started = await cli(['start', u1Email, String(u2), '--by', String(admin), '--batch', 'life', '--reason', 'left the company', '--json']);
    expect(started.code).toBe(0);
    const s = started.json<{ batchId: string; created: boolean; users: { userId: number; openItems: number }[] }>();
    expect(s).toMatchObject({ batchId: 'life', created: true });
    // Started with the batch's workflow task timeout (room for replaying a long run, see definitions).
    const described = await env.client.workflow.getHandle(batchWorkflowId('life')).describe();
    expect(Number(described.raw.executionConfig?.defaultWorkflowTaskTimeout?.seconds)).toBe(60);
    expect(s.users).toEqual([expect.objectContaining({ userId: u1, openItems: 2 }), expect.objectContaining({ userId: u2, openItems: 1 })]);
    await waitForUserStatus(env.client, u1, (x) => x.stage === 'awaiting-reassignment');
    await waitForUserStatus(env.client, u2, (x) => x.stage === 'awaiting-reassignment');

    const by = ['--by', String(manager)];
    const [items, toInactive, toNonMember, toSameBatch, toSelf, malformed, notManager, noBatch, noOffboarding, again, listed] = await parallel([
      ['items', u1Email, '--json'],
      ['reassign', String(u1), rfiKey, '--to', String(inactive), ...by],
      ['reassign', String(u1), rfiKey, '--to', String(nonMember), ...by],
      ['reassign', String(u1), rfiKey, '--to', String(u2), ...by],
      ['reassign', String(u1), rfiKey, '--to', u1Email, ...by],
      ['reassign', String(u1), 'rfi:abc:manager', '--to', String(staying), ...by],
      ['reassign', String(u1), rfiKey, '--to', String(staying), '--by', String(outsider)],
      ['status', 'no-such-batch'],
      ['items', String(nonMember)],
      ['start', String(u1), String(u2), '--by', String(admin), '--batch', 'life', '--json'],
      ['list', '--stage', 'awaiting-reassignment', '--json'],
    ]);
    expect(items.code).toBe(0);
    expect(items.json<{ stage: string; pendingItems: { key: string }[] }>()).toMatchObject({
      stage: 'awaiting-reassignment',
      pendingItems: [{ key: rfiKey }, { key: defectKey }],
    });
    expectRefusal(toInactive, 'TARGET_INACTIVE');
    expectRefusal(toNonMember, 'TARGET_NOT_PROJECT_MEMBER');
    expectRefusal(toSameBatch, 'TARGET_BEING_OFFBOARDED');
    expectRefusal(toSelf, 'TARGET_SAME_USER');
    expectRefusal(malformed, 'ITEM_KEY_MALFORMED');
    expectRefusal(notManager, 'PERMISSION_DENIED');
    expectRefusal(noBatch, 'BATCH_NOT_FOUND');
    expectRefusal(noOffboarding, 'OFFBOARDING_NOT_FOUND');
    expect(again.code).toBe(0);
    expect(again.json<{ created: boolean; batchId: string }>()).toMatchObject({ created: false, batchId: 'life' });
    expect(listed.code).toBe(0);
    const wfs = listed.json<{ workflows: { userId: number; batchId: string; stage: string }[] }>().workflows;
    expect(wfs.map((w) => w.userId).sort((a, b) => a - b)).toEqual([u1, u2].sort((a, b) => a - b));
    expect(wfs.every((w) => w.batchId === 'life' && w.stage === 'awaiting-reassignment')).toBe(true);
    // Refusals changed nothing; the second start claimed nothing.
    const [rfi] = await h.t.db.select().from(rfis).where(eq(rfis.managerId, u1));
    expect(rfi).toBeDefined();
    expect((await h.t.db.select().from(offboardings)).map((o) => o.batchId)).toEqual(['life', 'life']);

    const reassigned = await offboard(['reassign', u1Email, rfiKey, '--to', String(staying), ...by, '--json']);
    expect(reassigned.code).toBe(0);
    expect(reassigned.json<{ pendingItems: { key: string }[] }>().pendingItems.map((i) => i.key)).toEqual([defectKey]);
    const closed = await offboard(['close', String(u1), defectKey, '--note', 'fixed on site', ...by]);
    expect(closed.code).toBe(0);
    expect(closed.stdout).toContain('Nothing is open any more');
    // U2's observation is handled in the tool itself; the manager says so and the system re-checks.
    await h.t.db.update(observations).set({ status: 'closed' }).where(eq(observations.assigneeId, u2));
    const doneRun = await offboard(['done', String(u2), '--by', String(admin), '--json']);
    expect(doneRun.code).toBe(0);
    expect(doneRun.json<{ pendingItems: unknown[] }>().pendingItems).toEqual([]);

    const watched = await cli(['status', 'life', '--watch', '--json']);
    expect(watched.code).toBe(0);
    const final = watched.lastJson<{ phase: string; users: { userId: number; stage: string }[] }>();
    expect(final.phase).toBe('finished');
    expect(final.users.map((u) => u.stage)).toEqual(['inactivated', 'inactivated']);
    const [rfiNow] = await h.t.db.select().from(rfis).where(sql`${rfis.id} = ${Number(rfiKey.split(':')[1])}`);
    expect(rfiNow?.managerId).toBe(staying);
    const [defectNow] = await h.t.db.select().from(defectItems).where(sql`${defectItems.id} = ${Number(defectKey.split(':')[1])}`);
    expect(defectNow?.status).toBe('closed');

    const [text, gone, inactivatedList, notAdmin] = await parallel([
      ['status', 'life'],
      ['users', '--inactive', '--json'],
      ['list', '--stage', 'inactivated', '--batch', 'life', '--json'],
      ['reactivate', String(u2), '--by', String(outsider)],
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/\[finished\] 2\/2 users done/);
    expect(text.stdout).toMatch(new RegExp(`${u1}\\s+Uma One\\s+inactivated`));
    // RESULT says how each ended: inactivated, not "-".
    for (const u of [u1, u2]) {
      const row = text.stdout.split('\n').find((l) => new RegExp(`^\\s*${u}\\s`).test(l)) ?? '';
      expect(row.trimEnd(), text.stdout).toMatch(/\sinactivated$/);
    }
    expect(gone.json<{ id: number; reason: string | null; inactivatedBy: { id: number } | null }[]>()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: u1, reason: 'left the company', inactivatedBy: expect.objectContaining({ id: admin }) }),
        expect.objectContaining({ id: u2, reason: 'left the company' }),
      ]),
    );
    expect(inactivatedList.json<{ workflows: { userId: number }[] }>().workflows.map((w) => w.userId).sort((a, b) => a - b)).toEqual(
      [u1, u2].sort((a, b) => a - b),
    );
    expectRefusal(notAdmin, 'PERMISSION_DENIED');

    const back = await offboard(['reactivate', String(u2), '--by', String(admin2), '--reason', 'rehired', '--json']);
    expect(back.code).toBe(0);
    expect(back.json<{ userId: number; reactivatedAt: string }>()).toMatchObject({ userId: u2 });
    const [u2Row] = await h.t.db.select().from(users).where(eq(users.id, u2));
    expect(u2Row?.status).toBe('active');
  }, budget(300_000));

  it('remove takes a user out of a running batch; cancel stops the rest; both refuse non-admins', async () => {
    const started = await offboard(['start', String(u3), String(u4), '--by', String(admin), '--batch', 'second', '--json']);
    expect(started.code).toBe(0);
    await waitForUserStatus(env.client, u3, (x) => x.stage === 'awaiting-reassignment');
    await waitForUserStatus(env.client, u4, (x) => x.stage === 'awaiting-reassignment');
    const [removeNotAdmin, cancelNotAdmin, notInBatch, noBatch] = await parallel([
      ['remove', 'second', String(u4), '--by', String(outsider)],
      ['cancel', 'second', '--by', String(manager)],
      ['remove', 'second', String(u1), '--by', String(admin)],
      ['cancel', 'no-such-batch', '--by', String(admin)],
    ]);
    expectRefusal(removeNotAdmin, 'PERMISSION_DENIED');
    expectRefusal(cancelNotAdmin, 'PERMISSION_DENIED');
    expectRefusal(notInBatch, 'USER_NOT_IN_BATCH');
    expectRefusal(noBatch, 'BATCH_NOT_FOUND');

    const removed = await offboard(['remove', 'second', String(u4), '--by', String(admin), '--json']);
    expect(removed.code).toBe(0);
    expect(removed.json<{ userIds: number[]; removed: number[] }>()).toMatchObject({ userIds: [u3], removed: [u4] });
    const cancelled = await offboard(['cancel', 'second', '--by', String(admin2)]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain('Cancelled batch second');

    const status = await env.client.workflow.getHandle<typeof offboardingBatch>(batchWorkflowId('second')).result();
    expect(status).toMatchObject({ removed: [u4], cancelled: [u3], inactivated: [] });
    const rows = await h.t.db.select().from(users).where(sql`${users.id} in (${u3}, ${u4})`);
    expect(rows.map((r) => r.status)).toEqual(['active', 'active']);
    const claims = await h.t.db.select().from(offboardings).where(eq(offboardings.batchId, 'second'));
    expect(claims.map((c) => [c.userId, c.outcome, c.endedAt !== null])).toEqual(
      expect.arrayContaining([
        [u3, 'cancelled', true],
        [u4, 'removed', true],
      ]),
    );
  }, budget(180_000));

  it('a service that is down is one line naming it and how to start it, exit 3', async () => {
    const [temporalPort, pgPort] = await Promise.all([freePort(), freePort()]);
    const [noTemporal, noDatabase] = await Promise.all([
      cli(['status', 'life'], { TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}` }),
      cli(['users'], { DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${pgPort}/offboarding` }),
    ]);
    expect(noTemporal.code).toBe(3);
    expect(noTemporal.stderr.trim().split('\n')).toHaveLength(1);
    expect(noTemporal.stderr).toMatch(new RegExp(`^Temporal at 127\\.0\\.0\\.1:${temporalPort} is unreachable .*npm start.*TEMPORAL_ADDRESS`));
    expect(noDatabase.code).toBe(3);
    expect(noDatabase.stderr.trim().split('\n')).toHaveLength(1);
    expect(noDatabase.stderr).toMatch(new RegExp(`^PostgreSQL at 127\\.0\\.0\\.1:${pgPort}/offboarding is unreachable .*npm start.*DATABASE_URL`));
    expect(noDatabase.stderr).not.toContain('secret');
  }, budget(120_000));
});

describe('offboard CLI in-process', () => {
  it('a single-valued flag given twice is a usage error naming the flag, before anything is looked up', async () => {
    const [to, by, json] = await Promise.all([
      offboard(['reassign', String(u5), 'defect:1:assigned-to', '--to', String(staying), '--to', String(manager), '--by', String(admin)]),
      offboard(['cancel', 'any-batch', '--by', String(outsider), '--by', String(admin)]),
      offboard(['users', '--json', '--json']),
    ]);
    expect([to.code, to.stderr]).toEqual([2, 'offboard: --to was given 2 times; give it once\n  See `offboard reassign --help`.\n']);
    expect([by.code, by.stderr]).toEqual([2, 'offboard: --by was given 2 times; give it once\n  See `offboard cancel --help`.\n']);
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/--json was given 2 times/);
  });

  it('a flag value starting with a dash is the value, checked like any other; a flag where a value belongs is named', async () => {
    const [negative, flag] = await Promise.all([offboard(['users', '--project', '-1']), offboard(['cancel', 'any-batch', '--by', '--json'])]);
    expect([negative.code, negative.stderr]).toEqual([2, 'offboard: --project must be a project ID (a positive number)\n  See `offboard users --help`.\n']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^\{"error":\{"exitCode":2,"message":"offboard: --by needs a value/);
  });

  it('users --project of no project says so and names the projects there are', async () => {
    const [none, tooBig, one] = await Promise.all([
      offboard(['users', '--project', '987654321']),
      offboard(['users', '--project', '9999999999']),
      offboard(['users', '--project', String(projectQ), '--json']),
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      `PROJECT_NOT_FOUND: No project has the ID 987654321; the projects are ${projectP} (Harbor Tower), ${projectQ} (Airport Annex).\n  ${refusalHint('PROJECT_NOT_FOUND')}\n`,
    );
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toMatch(/^offboard: --project must be a project ID/);
    expect(one.code).toBe(0);
    expect(one.json<{ id: number }[]>().map((u) => u.id).sort((a, b) => a - b)).toEqual([u3, u4, staying].sort((a, b) => a - b));
  });

  it('report --csv writes the web app’s CSV (client/report-csv.ts); with --json it is a usage error', async () => {
    const [all, one, both] = await Promise.all([offboard(['report', '--csv']), offboard(['report', '--csv', u1Email]), offboard(['report', '--csv', '--json'])]);
    const expected = async (filter: { userId?: number }, header: boolean) => {
      let text = '';
      for await (const chunk of assignmentReportCsv(h.t.db, filter, { header })) text += chunk;
      return text;
    };
    expect(all.code).toBe(0);
    expect(all.stdout).toBe(await expected({}, true));
    expect(all.stdout.split('\r\n')[0]).toBe(REPORT_CSV_HEADER.join(','));
    expect(all.stdout).toContain(rfiKey);
    expect(one.stdout).toBe(await expected({ userId: u1 }, true));
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--csv and --json are two formats');
  });

  it('a user is named by digits or an email: anything else is INVALID_INPUT, not USER_NOT_FOUND', async () => {
    const refs = ['1e1', '0x0A', '+10', '010', '0', '2147483648', '12abc', 'uma'];
    const runs = await Promise.all(refs.map((ref) => offboard(['report', ref])));
    for (const [i, r] of runs.entries()) {
      expect([refs[i], r.code, r.stderr.split('\n')[0]]).toEqual([refs[i], 1, `INVALID_INPUT: "${refs[i]}" is not a user ID (digits, like 42) or an email address.`]);
    }
    const [unknownId, unknownEmail, byEmail] = await Promise.all([offboard(['report', '987654321']), offboard(['report', 'nobody@example.com']), offboard(['report', ' UMA@example.com '])]);
    expect(unknownId.stderr).toMatch(/^USER_NOT_FOUND: /);
    expect(unknownEmail.stderr).toMatch(/^USER_NOT_FOUND: /);
    expect(byEmail.code).toBe(0);
  });

  it('remove and cancel of a batch that has ended are BATCH_FINISHED refusals, with the code in --json', async () => {
    const started = await offboard(['start', String(inactive), '--by', String(admin), '--batch', 'ended-early', '--json']);
    expect(started.json<{ users: unknown[]; rejected: { code: string }[] }>()).toMatchObject({ users: [], rejected: [{ code: 'USER_ALREADY_INACTIVE' }] });
    await env.client.workflow.getHandle(batchWorkflowId('ended-early')).result();
    const [removed, cancelled] = await Promise.all([
      offboard(['remove', 'ended-early', String(u5), '--by', String(admin)]),
      offboard(['cancel', 'ended-early', '--by', String(admin), '--json']),
    ]);
    expect([removed.code, removed.stderr.split('\n')[0]]).toEqual([1, `BATCH_FINISHED: Batch ended-early has already ended (0 inactivated, 0 removed, 0 cancelled, 0 failed, 1 skipped at validation); Uwe Five (${u5}) was not removed.`]);
    expect(cancelled.code).toBe(1);
    expect(JSON.parse(cancelled.stderr)).toMatchObject({ error: { exitCode: 1, code: 'BATCH_FINISHED', message: expect.stringMatching(/^BATCH_FINISHED: Batch ended-early has already ended .*; nothing was cancelled\./) } });
  });

  it('an ended offboarding is reported by the user’s outcome (removed, cancelled, inactivated), and nothing changes', async () => {
    const fx = h.fx;
    const [cancelled, removed, inactivated] = [
      await fx.user({ name: 'Cal Cancelled', managerId: manager }),
      await fx.user({ name: 'Rae Removed', managerId: manager }),
      await fx.user({ name: 'Ina Inactivated', managerId: manager }),
    ];
    for (const u of [cancelled, removed, inactivated]) await fx.member(projectP, u);
    const cancelledKey = `defect:${await fx.defect({ projectId: projectP, assignedToId: cancelled })}:assigned-to`;
    const removedKey = `defect:${await fx.defect({ projectId: projectP, assignedToId: removed })}:assigned-to`;
    expect((await offboard(['start', String(cancelled), String(removed), String(inactivated), '--by', String(admin), '--batch', 'outcomes'])).code).toBe(0);
    await waitForUserStatus(env.client, inactivated, (x) => x.stage === 'inactivated');
    await waitForUserStatus(env.client, removed, (x) => x.stage === 'awaiting-reassignment');
    expect((await offboard(['remove', 'outcomes', String(removed), '--by', String(admin)])).code).toBe(0);
    expect((await offboard(['cancel', 'outcomes', '--by', String(admin2)])).code).toBe(0);
    await env.client.workflow.getHandle(batchWorkflowId('outcomes')).result();

    const before = { defects: await h.t.db.select().from(defectItems).orderBy(defectItems.id), audit: await auditCount(h.t) };
    const [close, reassign, done] = await Promise.all([
      offboard(['close', String(cancelled), cancelledKey, '--by', String(manager)]),
      offboard(['reassign', String(removed), removedKey, '--to', String(staying), '--by', String(manager)]),
      offboard(['done', String(inactivated), '--by', String(manager)]),
    ]);
    const [inactivatedRow] = await h.t.db.select().from(users).where(eq(users.id, inactivated));
    expect([close, reassign, done].map((r) => [r.code, r.stderr.split('\n')[0]])).toEqual([
      [1, `OFFBOARDING_NOT_WAITING: Cal Cancelled (${cancelled})'s offboarding has ended: cancelled by user ${admin2}.`],
      [1, `OFFBOARDING_NOT_WAITING: Rae Removed (${removed})'s offboarding has ended: removed by user ${admin}.`],
      [1, `OFFBOARDING_NOT_WAITING: Ina Inactivated (${inactivated})'s offboarding has ended: inactivated at ${inactivatedRow?.inactivatedAt?.toISOString()}.`],
    ]);
    expect({ defects: await h.t.db.select().from(defectItems).orderBy(defectItems.id), audit: await auditCount(h.t) }).toEqual(before);
  });

  it('a closed stdout or stderr ends the command quietly: no stack trace, no loop, the exit code of the command', async () => {
    const closedStdout = new FailingStream();
    const listed = await runCli(['users', '--inactive'], cliEnv(), { stdout: closedStdout });
    expect([listed.code, listed.stderr]).toEqual([0, '']);
    // Both closed, and a refusal to report: the exit code still says so.
    const [out, err] = [new FailingStream(), new FailingStream()];
    expect((await runCli(['report', 'nobody@example.com', '--json'], cliEnv(), { stdout: out, stderr: err })).code).toBe(1);
    expect(err.writes).toBe(1);
    // A stdout that fails for another reason (a full disk) is not a normal end.
    const full = await runCli(['users'], cliEnv(), { stdout: new FailingStream('ENOSPC') });
    expect([full.code, full.stderr]).toEqual([1, 'offboard: could not write the output (ENOSPC)\n']);
    // --watch stops redrawing once nobody reads.
    const watched = await h.fx.user({ name: 'Wat Watched', managerId: manager });
    await h.fx.member(projectP, watched);
    await h.fx.defect({ projectId: projectP, assignedToId: watched });
    expect((await offboard(['start', String(watched), '--by', String(admin), '--batch', 'watched'])).code).toBe(0);
    const watchOut = new FailingStream();
    const t0 = Date.now();
    expect((await runCli(['status', 'watched', '--watch'], cliEnv(), { stdout: watchOut })).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect((await offboard(['cancel', 'watched', '--by', String(admin)])).code).toBe(0);
  });

  it('`offboard users --inactive | head` (a subprocess whose stdout reader is gone) exits 0 without a word', async () => {
    const child = spawn(process.execPath, tsEntryArgs('client/cli/offboard.ts', 'users', '--inactive'), {
      cwd: projectRoot,
      env: { ...process.env, ...cliEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader goes away before the CLI has written anything, as `head` does after its lines.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  }, budget(60_000));

  it('--json errors are one JSON line whose message reads as sentences: what happened, then what to do', async () => {
    const leaver = await h.fx.user({ name: 'Jay Json', managerId: manager });
    await h.fx.member(projectP, leaver);
    await h.fx.defect({ projectId: projectP, assignedToId: leaver });
    expect((await offboard(['start', String(leaver), '--by', String(admin), '--batch', 'json-errors'])).code).toBe(0);
    const [usage, refused] = await Promise.all([offboard(['cancel', 'json-errors', '--json']), offboard(['cancel', 'json-errors', '--by', String(outsider), '--json'])]);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stderr)).toEqual({
      error: { exitCode: 2, code: null, message: 'offboard: --by is required. See `offboard cancel --help`.' },
    });
    expect(refused.code).toBe(1);
    const { error } = JSON.parse(refused.stderr) as { error: { code: string; message: string } };
    expect(error.code).toBe('PERMISSION_DENIED');
    // The workflow's message has no full stop of its own; the hint must not run on from it.
    expect(error.message).toMatch(new RegExp(`^PERMISSION_DENIED: [^\\n]*[.!?] ${refusalHint('PERMISSION_DENIED').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    expect((await offboard(['cancel', 'json-errors', '--by', String(admin)])).code).toBe(0);
  });

  it('start with an existing batch ID: the same users are reported again, other users are BATCH_ID_TAKEN, a non-admin learns nothing', async () => {
    const [a, b, c] = [
      await h.fx.user({ name: 'Ann Taken', email: 'ann.taken@example.com', managerId: manager }),
      await h.fx.user({ name: 'Ben Taken', managerId: manager }),
      await h.fx.user({ name: 'Cid Other', managerId: manager }),
    ];
    for (const u of [a, b, c]) {
      await h.fx.member(projectP, u);
      await h.fx.defect({ projectId: projectP, assignedToId: u });
    }
    expect((await offboard(['start', String(a), String(b), '--by', String(admin), '--batch', 'taken'])).code).toBe(0);
    await waitForUserStatus(env.client, b, (x) => x.stage === 'awaiting-reassignment');
    const claims = async () => (await h.t.db.select().from(offboardings).orderBy(offboardings.id)).map((o) => [o.userId, o.batchId, o.endedAt]);
    const before = await claims();

    const [nonAdminTaken, nonAdminFresh, other, same, otherDry, sameDry, nonAdminDry] = await Promise.all([
      offboard(['start', String(a), String(c), '--by', String(outsider), '--batch', 'taken']),
      offboard(['start', String(a), String(c), '--by', String(outsider), '--batch', 'never-used']),
      offboard(['start', String(a), String(c), '--by', String(admin), '--batch', 'taken']),
      offboard(['start', String(b), 'ann.taken@example.com', '--by', String(admin), '--batch', 'taken', '--json']),
      offboard(['start', String(a), String(c), '--by', String(admin), '--batch', 'taken', '--dry-run']),
      offboard(['start', String(b), String(a), '--by', String(admin), '--batch', 'taken', '--dry-run']),
      offboard(['start', String(a), String(c), '--by', String(outsider), '--batch', 'taken', '--dry-run']),
    ]);
    // Word for word what a new batch ID gets: nothing says the ID is in use.
    expect(nonAdminTaken.code).toBe(1);
    expect(nonAdminTaken.stderr).toMatch(/^PERMISSION_DENIED: /);
    expect(nonAdminTaken.stderr).toBe(nonAdminFresh.stderr);
    expect(nonAdminTaken.stdout).toBe('');
    expect(other.code).toBe(1);
    expect(other.stderr).toBe(
      `BATCH_ID_TAKEN: Batch taken already exists for other users (not in it: ${c}; in it but not named here: ${b}); nothing was started.\n  ${refusalHint('BATCH_ID_TAKEN')}\n`,
    );
    expect(same.code).toBe(0);
    expect(same.json<{ created: boolean; users: { userId: number }[] }>()).toMatchObject({ created: false, users: [{ userId: a }, { userId: b }] });
    // The dry run answers as the start would: refused for other users, the existing batch for the same.
    expect(otherDry.code).toBe(1);
    expect(otherDry.stderr).toBe(other.stderr);
    expect(otherDry.stdout).toBe('');
    expect(sameDry.code).toBe(0);
    expect(sameDry.stdout).toContain('Batch taken already exists for these users (running): a start would answer with it and start nothing new.');
    expect(nonAdminDry.code).toBe(1);
    expect(nonAdminDry.stderr).toMatch(/^PERMISSION_DENIED: /);
    expect(await claims()).toEqual(before);
    await expect(env.client.workflow.getHandle(batchWorkflowId('never-used')).describe()).rejects.toThrow();

    // Still the same answer once the batch has ended.
    expect((await offboard(['cancel', 'taken', '--by', String(admin)])).code).toBe(0);
    const again = await offboard(['start', String(a), String(b), '--by', String(admin), '--batch', 'taken', '--json']);
    expect(again.code).toBe(0);
    expect(again.json<{ created: boolean; phase: string }>()).toMatchObject({ created: false, phase: 'finished' });
  });

  it('two --successor pairs for one user are refused, whichever way the user is named', async () => {
    const r = await offboard(['start', String(u5), '--by', String(admin), '--batch', 'two-successors', '--successor', `${u5}=${staying}`, '--successor', `uwe@example.com=${manager}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^INVALID_INPUT: --successor names user ${u5} twice \\(${u5}=${staying} and uwe@example.com=${manager}\\)`));
    expect(await statusOf(env.client.workflow.getHandle(batchWorkflowId('two-successors')))).toBeUndefined();
  });

  // docs/bad-input.md row 133. Issue 21, item 12: like Carlos Mendes of the demo directory, a member without an
  // email address could never hear of an item handed to them.
  it('reassign and reassign --all refuse someone without an email address (TARGET_NO_EMAIL), and nothing changes', async () => {
    const fx = h.fx;
    const leo = await fx.user({ name: 'Leo Leaving', managerId: manager });
    const carlos = await fx.user({ name: 'Carlos Mendes', email: null, directoryPermission: 'none' });
    for (const u of [leo, carlos]) await fx.member(projectP, u, 'none');
    const key = `defect:${await fx.defect({ projectId: projectP, assignedToId: leo })}:assigned-to`;
    expect((await offboard(['start', String(leo), '--by', String(admin), '--batch', 'no-email'])).code).toBe(0);
    await waitForUserStatus(env.client, leo, (x) => x.stage === 'awaiting-reassignment');
    const holder = async () => (await h.t.db.select({ to: defectItems.assignedToId }).from(defectItems).where(eq(defectItems.id, Number(key.split(':')[1]))))[0]?.to;
    const auditsBefore = await auditCount(h.t);

    const [one, all] = await Promise.all([
      offboard(['reassign', String(leo), key, '--to', String(carlos), '--by', String(manager)]),
      offboard(['reassign', String(leo), '--all', '--to', String(carlos), '--by', String(manager)]),
    ]);
    expectRefusal(one, 'TARGET_NO_EMAIL');
    expect(one.stderr).toContain(`(Carlos Mendes) has no email address`);
    expectRefusal(all, 'TARGET_NO_EMAIL');
    expect(await holder()).toBe(leo);
    expect(await auditCount(h.t)).toBe(auditsBefore);
    expect((await env.client.workflow.getHandle(userWorkflowId(leo)).query(userStatusQuery)).pendingItems.map((i) => i.key)).toEqual([key]);
    expect((await offboard(['cancel', 'no-email', '--by', String(admin)])).code).toBe(0);
  });

  // docs/bad-input.md row 118.
  it('reassign --all hands over every item --to may take and lists the rest; refusals change nothing; <itemKey> and --all exclude each other', async () => {
    const fx = h.fx;
    const lea = await fx.user({ name: 'Lea All', managerId: manager });
    const pia = await fx.user({ name: 'Pia Harbor' });
    for (const u of [lea, pia]) await fx.member(projectP, u);
    await fx.member(projectQ, lea);
    const p1 = `defect:${await fx.defect({ projectId: projectP, assignedToId: lea })}:assigned-to`;
    const p2 = `observation:${await fx.observation({ projectId: projectP, assigneeId: lea })}:assignee`;
    const q1 = `defect:${await fx.defect({ projectId: projectQ, assignedToId: lea })}:assigned-to`;
    expect((await offboard(['start', String(lea), '--by', String(admin), '--batch', 'all-to-one'])).code).toBe(0);
    await waitForUserStatus(env.client, lea, (x) => x.stage === 'awaiting-reassignment');
    const holders = async () => [
      ...(await h.t.db.select({ id: defectItems.id, to: defectItems.assignedToId }).from(defectItems).where(sql`${defectItems.id} in (${Number(p1.split(':')[1])}, ${Number(q1.split(':')[1])})`).orderBy(defectItems.id)),
      ...(await h.t.db.select({ id: observations.id, to: observations.assigneeId }).from(observations).where(eq(observations.id, Number(p2.split(':')[1])))),
    ];
    const before = await holders();
    expect(before.map((r) => r.to)).toEqual([lea, lea, lea]);

    const [both, neither, nobodyThere, notManager] = await Promise.all([
      offboard(['reassign', String(lea), p1, '--all', '--to', String(pia), '--by', String(manager)]),
      offboard(['reassign', String(lea), '--to', String(pia), '--by', String(manager)]),
      offboard(['reassign', String(lea), '--all', '--to', String(nonMember), '--by', String(manager)]),
      offboard(['reassign', String(lea), '--all', '--to', String(pia), '--by', String(outsider)]),
    ]);
    expect([both.code, both.stderr]).toEqual([2, 'offboard: give either <itemKey> or --all, not both\n  See `offboard reassign --help`.\n']);
    expect([neither.code, neither.stderr]).toEqual([2, 'offboard: missing <itemKey> (or --all)\n  See `offboard reassign --help`.\n']);
    expectRefusal(nobodyThere, 'TARGET_NOT_PROJECT_MEMBER');
    expect(nobodyThere.stderr).toContain(`Nina Nonmember (${nonMember}) may take none of Lea All (${lea})'s 3 open item(s)`);
    expectRefusal(notManager, 'PERMISSION_DENIED');
    expect(await holders()).toEqual(before);

    const all = await offboard(['reassign', String(lea), '--all', '--to', String(pia), '--by', String(manager), '--json']);
    expect(all.code).toBe(0);
    const result = all.json<{ handedOver: string[]; refused: unknown[]; pendingItems: { key: string }[] }>();
    expect(result.handedOver.slice().sort()).toEqual([p1, p2].sort());
    expect(result).toMatchObject({ refused: [], pendingItems: [{ key: q1 }] });
    expect((await holders()).map((r) => r.to)).toEqual([pia, lea, pia]);
    expect((await env.client.workflow.getHandle(userWorkflowId(lea)).query(userStatusQuery)).pendingItems.map((i) => i.key)).toEqual([q1]);
    expect((await offboard(['cancel', 'all-to-one', '--by', String(admin)])).code).toBe(0);
  });
});
