// On the production topology, the web app as `npm run stack` runs it: its own process beside the two
// workers, sharing their WEB_LINK_SECRET. A manager follows the personal link in the email a worker
// sent through a real SMTP server: the web app verifies it (the secret is the workers'), continuing
// signs the manager in for that one person, and the hand-over made on the page goes through Temporal
// to the workflow and the database.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../db/client';
import { auditLog, rfis, users, webSessions } from '../../db/schema';
import { userWorkflowId } from '../../workflows/contract';
import { userOffboarding } from '../../workflows';
import { directoryFixtures } from '../helpers/directory-fixtures';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { startTestStack, type TestStack } from '../helpers/stack';
import { mailsAbout, policy, waitForUserStatus } from '../helpers/workflow-harness';

let sink: SmtpSink;
let stack: TestStack;
let db: DatabaseHandle;

beforeAll(async () => {
  sink = await startSmtpSink();
  stack = await startTestStack({ smtpUrl: sink.url, ui: false, web: true });
  db = connectDatabase(stack.databaseUrl, { max: 2 });
});
afterAll(async () => {
  await db?.close();
  await stack?.close();
  await sink?.close();
});

type Page = { status: number; location: string | null; html: string };

/** A browser as far as the web app can tell: its cookies, and the Origin header its forms send. */
function browserAt(origin: string) {
  const cookies = new Map<string, string>();
  return async (target: string, form?: Record<string, string>): Promise<Page> => {
    const res = await fetch(new URL(target, origin), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { origin, 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const set of res.headers.getSetCookie()) {
      const pair = set.split(';')[0] ?? '';
      const at = pair.indexOf('=');
      if (at > 0) cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return { status: res.status, location: res.headers.get('location'), html: await res.text() };
  };
}

/** A hidden field's value in a page (the first one of that name). */
const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

describe('the web app in the stack', () => {
  it("verifies a worker's emailed link, signs the manager in for that person, and the hand-over reaches the database", async () => {
    const webUrl = stack.webUrl!;
    expect(stack.process('web').running()).toBe(true);
    const fx = directoryFixtures(db.db);
    const admin = await fx.admin({ name: 'Ada Admin' });
    const manager = await fx.user({ name: 'Max Manager' });
    const colleague = await fx.user({ name: 'Col League' });
    const leaver = await fx.user({ name: 'Lee Leaver', managerId: manager });
    const p = await fx.project('Harbor');
    await fx.member(p, colleague);
    await fx.member(p, leaver);
    const rfi = await fx.rfi({ projectId: p, managerId: leaver });
    const itemKey = `rfi:${rfi}:manager`;

    const handle = await stack.client.workflow.start(userOffboarding, {
      taskQueue: stack.taskQueue,
      workflowId: userWorkflowId(leaver),
      args: [{ userId: leaver, requestedBy: admin, batchId: null, reason: 'web in the stack', effectiveAt: null, successorId: null, policy: policy() }],
    });
    await waitForUserStatus(stack.client, leaver, (s) => s.stage === 'awaiting-reassignment', 120_000);
    // The email to the manager, signed by a worker process, links to this web app.
    const deadline = Date.now() + 60_000;
    let link: string | undefined;
    while (!link && Date.now() < deadline) {
      const text = mailsAbout(sink, leaver, 'items-assigned').at(-1)?.parsed.text ?? '';
      link = /(https?:\/\/\S+\/link\?t=[A-Za-z0-9_.-]+)/.exec(text)?.[1];
      if (!link) await sleep(250);
    }
    expect(link, 'an items-assigned email with a link').toBeDefined();
    expect(new URL(link!).origin).toBe(webUrl);

    // Opening it: the web app verifies the worker's signature; nobody is signed in yet.
    const browser = browserAt(webUrl);
    const landing = await browser(link!);
    expect(landing.status, landing.html.slice(0, 500)).toBe(200);
    expect(landing.html).toContain('Continue as Max Manager');
    expect(await db.db.select().from(webSessions)).toHaveLength(0);

    // Continuing signs the manager in, for the leaver's page only.
    const signedIn = await browser('/link', { _csrf: field(landing.html, '_csrf'), t: field(landing.html, 't') });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe(`/people/${leaver}`);
    const sessions = await db.db.select().from(webSessions);
    expect(sessions.map((s) => ({ userId: s.userId, via: s.via, scope: s.scopeUserId }))).toEqual([{ userId: manager, via: 'action-link', scope: leaver }]);

    // The hand-over on the page: the RFI to the colleague, through Temporal to the workflow.
    const page = await browser(`/people/${leaver}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`value="${itemKey}"`);
    const reassigned = await browser(`/people/${leaver}/reassign`, { _csrf: field(page.html, '_csrf'), itemKey, requestId: randomUUID(), toUserId: String(colleague) });
    expect(reassigned.status).toBe(303);
    expect((await browser(`/people/${leaver}`)).html).toContain('reassigned to Col League');

    // Nothing was left: inactivated. The database shows the change, made by the manager.
    expect((await handle.result()).outcome).toBe('inactivated');
    const [row] = await db.db.select().from(users).where(eq(users.id, leaver));
    expect(row?.status).toBe('inactive');
    const [moved] = await db.db.select().from(rfis).where(eq(rfis.id, rfi));
    expect(moved?.managerId).toBe(colleague);
    const audit = await db.db.select().from(auditLog).where(and(eq(auditLog.subjectUserId, leaver), sql`${auditLog.entityType} <> 'notification'`));
    expect(audit.map((a) => a.action).sort()).toEqual(['item.reassigned', 'user.inactivated']);
    expect(audit.find((a) => a.action === 'item.reassigned')?.actorId).toBe(manager);
    console.log(`[stack] web app (pid ${stack.process('web').pid()}): emailed link verified, manager signed in, RFI handed over, user inactivated`);
  });
});
