// Who must be told, and who stands in when they cannot be reached: the natural recipient of each
// kind (the manager, the requester, the new owner, …), then the requester, then the company
// directory admins, with the reason recorded in the message and the log.
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { users } from '../../db/schema';
import type { AnyNotification, NotificationPeople, Person } from './render';

type UserRow = { id: number; name: string; email: string | null; status: 'active' | 'inactive'; managerId: number | null };

/** Someone mail can go to: active and with an address. */
const reachable = (u: UserRow | undefined): u is UserRow & { email: string } => !!u && u.status === 'active' && !!u.email;

const person = (u: UserRow | undefined): Person | null => (u ? { id: u.id, name: u.name, email: u.email } : null);

function why(u: UserRow | undefined, role: string, fallbackId?: number): string {
  if (!u) return fallbackId === undefined ? `there is no ${role} on record` : `user ${fallbackId} has no ${role} on record`;
  if (u.status !== 'active') return `the ${role}, ${u.name}, is inactive`;
  return `the ${role}, ${u.name}, has no email address`;
}

export type Resolved = {
  people: NotificationPeople;
  to: string[];
  /** The people behind `to`, in the same order (an action link is signed for one of them). */
  toPeople: Person[];
  fallbackNote: string | null;
};

export function subjectUserId(n: AnyNotification): number | null {
  return 'userId' in n ? n.userId : null;
}

function referencedIds(n: AnyNotification): number[] {
  const ids = new Set<number>();
  // Rejected batch entries can be anything a caller sent (1.5, -3, 2^40): only real IDs are looked up.
  const add = (id: number | null | undefined) => {
    if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647) ids.add(id);
  };
  add(subjectUserId(n));
  if ('requestedBy' in n) add(n.requestedBy);
  if (n.kind === 'reactivated') add(n.by);
  if (n.kind === 'offboarding-stopped') add(n.by);
  if (n.kind === 'items-received') {
    add(n.recipientId);
    for (const r of n.received) add(r.byUserId);
  }
  if (n.kind === 'items-assigned' && n.successor) {
    add(n.successor.userId);
    for (const r of n.successor.took) add(r.toUserId);
  }
  if (n.kind === 'inactivated') {
    for (const r of n.resolutions) {
      add(r.toUserId);
      add(r.byUserId);
      add(r.fromUserId);
    }
  }
  if ('people' in n) for (const p of n.people) add(p.userId);
  if ('recipientId' in n) add(n.recipientId);
  if (n.kind === 'items-received-digest') {
    for (const r of n.received) {
      add(r.fromUserId);
      add(r.byUserId);
    }
  }
  if (n.kind === 'batch-summary') {
    const s = n.summary;
    [...s.inactivated, ...s.removed, ...s.cancelled, ...s.failed.map((f) => f.userId), ...s.rejected.map((r) => r.userId)].forEach(add);
  }
  return [...ids];
}

export async function resolveRecipients(db: Database, n: AnyNotification): Promise<Resolved> {
  const userCols = { id: users.id, name: users.name, email: users.email, status: users.status, managerId: users.managerId };
  const ids = referencedIds(n);
  const rows = ids.length > 0 ? await db.select(userCols).from(users).where(inArray(users.id, ids)) : [];
  const byId = new Map<number, UserRow>(rows.map((r) => [r.id, r]));
  const subjectId = subjectUserId(n);
  const subject = subjectId === null ? undefined : byId.get(subjectId);
  let manager: UserRow | undefined;
  if (subject?.managerId != null) {
    manager = byId.get(subject.managerId);
    if (!manager) {
      const [m] = await db.select(userCols).from(users).where(eq(users.id, subject.managerId));
      manager = m;
    }
  }
  const requester = 'requestedBy' in n ? byId.get(n.requestedBy) : undefined;
  const actor = n.kind === 'reactivated' ? byId.get(n.by) : undefined;

  let adminsCache: (UserRow & { email: string })[] | undefined;
  const admins = async () => {
    adminsCache ??= (
      await db
        .select(userCols)
        .from(users)
        .where(and(eq(users.directoryPermission, 'admin'), eq(users.status, 'active'), isNotNull(users.email)))
        .orderBy(users.id)
    ).filter((a): a is UserRow & { email: string } => reachable(a) && a.id !== subjectId);
    return adminsCache;
  };

  const names: Record<number, string> = {};
  for (const r of rows) names[r.id] = r.name;
  if (manager) names[manager.id] = manager.name;
  const people: NotificationPeople = {
    user: person(subject),
    manager: person(manager),
    requester: person(requester),
    actor: person(actor),
    names,
    fallback: null,
  };

  const to: string[] = [];
  const toPeople: Person[] = [];
  const add = (u: UserRow & { email: string }) => {
    if (to.some((t) => t.toLowerCase() === u.email.toLowerCase())) return;
    to.push(u.email);
    toPeople.push({ id: u.id, name: u.name, email: u.email });
  };
  let fallbackNote: string | null = null;

  /** Natural recipient → requester → admins; the fallback is recorded in the message and the log. */
  const withFallback = async (natural: UserRow | undefined, naturalRole: string, naturalWhy: string) => {
    if (reachable(natural)) {
      add(natural);
      return;
    }
    if (reachable(requester) && requester.id !== natural?.id) {
      people.fallback = { to: 'requester', why: `${naturalWhy}, so it goes to the requester of the offboarding` };
      fallbackNote = `${naturalRole} unreachable (${naturalWhy}); sent to the requester (user ${requester.id})`;
      add(requester);
      return;
    }
    const list = await admins();
    // When the natural recipient is the requester, their reason was already given.
    const requesterWhy = reachable(requester) || natural?.id === requester?.id ? '' : `, and ${why(requester, 'requester')}`;
    people.fallback = { to: 'admins', why: `${naturalWhy}${requesterWhy}, so it goes to the company directory admins` };
    fallbackNote = `${naturalRole} unreachable (${naturalWhy}${requesterWhy}); sent to ${list.length} company admin(s)`;
    list.forEach((a) => add(a));
  };

  const managerWhy = subject?.managerId == null ? `${subject?.name ?? `user ${subjectId}`} has no manager on record` : why(manager, 'manager');

  switch (n.kind) {
    case 'webhook-disabled':
    case 'sign-in-link':
      // Only to the person signing in (the connection's admin): nobody stands in for them.
      if (reachable(subject)) add(subject);
      else fallbackNote = `the user is unreachable (${why(subject, 'user', n.userId)})`;
      break;
    case 'items-assigned':
    case 'reminder':
    case 'offboarding-stopped':
      await withFallback(manager, 'manager', managerWhy);
      break;
    case 'items-received': {
      // A note for the new owner only: nobody else can act on it, so there is no fallback.
      const recipient = byId.get(n.recipientId);
      if (reachable(recipient)) add(recipient);
      else fallbackNote = `recipient unreachable (${why(recipient, 'new owner', n.recipientId)})`;
      break;
    }
    case 'escalation': {
      if (reachable(requester)) add(requester);
      else fallbackNote = `requester unreachable (${why(requester, 'requester')}); sent to the company admins only`;
      (await admins()).forEach((a) => add(a));
      break;
    }
    case 'inactivated':
      if (reachable(manager)) {
        add(manager);
        if (reachable(requester)) add(requester);
      } else {
        await withFallback(undefined, 'manager', managerWhy);
      }
      break;
    case 'batch-summary':
      await withFallback(requester, 'requester', why(requester, 'requester'));
      break;
    case 'action-needed-digest':
    case 'reminder-digest': {
      // The manager of everyone listed; nobody reachable manages them: the requester, then the admins.
      const natural = n.recipientId === null ? undefined : byId.get(n.recipientId);
      const reason = n.recipientId === null ? 'they have no manager on record' : why(natural, 'manager', n.recipientId);
      await withFallback(natural, 'manager', reason);
      break;
    }
    case 'escalation-digest':
    case 'inactivated-digest':
    case 'items-received-digest': {
      // Each goes to one person (an admin, a manager, a new owner): nobody stands in; HR has the summary.
      const recipient = n.recipientId === null ? undefined : byId.get(n.recipientId);
      if (reachable(recipient)) add(recipient);
      else fallbackNote = `recipient unreachable (${why(recipient, 'recipient', n.recipientId ?? undefined)})`;
      break;
    }
    case 'reactivated': {
      if (reachable(manager)) add(manager);
      if (reachable(actor)) add(actor);
      if (reachable(subject)) add(subject);
      if (to.length === 0) {
        const list = await admins();
        people.fallback = { to: 'admins', why: `neither the manager, the admin who reactivated, nor the user has an email address` };
        fallbackNote = `nobody of manager/actor/user reachable; sent to ${list.length} company admin(s)`;
        list.forEach((a) => add(a));
      }
      break;
    }
  }
  return { people, to, toPeople, fallbackNote };
}
