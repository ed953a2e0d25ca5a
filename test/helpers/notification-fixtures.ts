// A tiny directory for notification tests: an admin requester, a second admin, a manager, users with
// and without managers/emails, one project and a few open items (as the open-item scan reports them).
import type { Database } from '../../db/client';
import { projects, rfis, users, type NewUser } from '../../db/schema';
import type { OpenItem } from '../../workflows/contract';

export type NotificationFixture = Awaited<ReturnType<typeof createNotificationFixture>>;

export async function createNotificationFixture(db: Database, tag: string) {
  const mk = async (values: Omit<NewUser, 'company'> & { company?: string }) => {
    const [u] = await db
      .insert(users)
      .values({ company: 'Acme Build', ...values })
      .returning();
    if (!u) throw new Error('insert failed');
    return u;
  };
  const email = (name: string) => `${name}.${tag}@example.com`;
  const admin = await mk({ name: 'Ada Admin', email: email('ada'), directoryPermission: 'admin' });
  const admin2 = await mk({ name: 'Abe Admin', email: email('abe'), directoryPermission: 'admin' });
  const manager = await mk({ name: 'Mia Manager', email: email('mia') });
  const user = await mk({ name: 'Uma <User> & "Co"', email: email('uma'), managerId: manager.id, isEmployee: true });
  const noManager = await mk({ name: 'Noah Nomanager', email: email('noah') });
  const silentManager = await mk({ name: 'Sid Silent', email: null });
  const managedBySilent = await mk({ name: 'Max Managed', email: email('max'), managerId: silentManager.id });
  const successor = await mk({ name: 'Sam Successor', email: email('sam') });
  const adminNoEmail = await mk({ name: 'Nia Noemail', email: null, directoryPermission: 'admin' });

  const [project] = await db.insert(projects).values({ number: `P-${tag}`, name: 'Harbor Tower' }).returning();
  const [project2] = await db.insert(projects).values({ number: `Q-${tag}`, name: 'Airport Annex' }).returning();
  if (!project || !project2) throw new Error('insert failed');
  const [rfi] = await db
    .insert(rfis)
    .values({ projectId: project.id, number: '7', subject: 'Slab thickness <script>alert(1)</script>', status: 'open', managerId: user.id })
    .returning();
  if (!rfi) throw new Error('insert failed');

  const items: OpenItem[] = [
    {
      key: `rfi:${rfi.id}:manager`,
      tool: 'rfi',
      role: 'manager',
      itemId: rfi.id,
      projectId: project.id,
      projectName: project.name,
      number: rfi.number,
      title: rfi.subject,
      status: 'open',
      userId: user.id,
    },
    {
      key: 'defect:31:assigned-to',
      tool: 'defect',
      role: 'assigned-to',
      itemId: 31,
      projectId: project2.id,
      projectName: project2.name,
      number: '12',
      title: 'Cracked tile & grout',
      status: 'work_required',
      userId: user.id,
    },
    {
      key: 'observation:9:assignee',
      tool: 'observation',
      role: 'assignee',
      itemId: 9,
      projectId: project.id,
      projectName: project.name,
      number: '3',
      title: 'Missing guardrail',
      status: 'initiated',
      userId: user.id,
    },
    {
      key: `timecard:${user.id}:employee`,
      tool: 'timecard',
      role: 'employee',
      itemId: user.id,
      projectId: null,
      projectName: null,
      number: '',
      title: 'Final timecard entry',
      status: 'missing',
      userId: user.id,
    },
  ];
  return { admin, admin2, manager, user, noManager, silentManager, managedBySilent, successor, adminNoEmail, project, project2, items, addUser: mk };
}
