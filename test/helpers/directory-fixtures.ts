// Small directory fixtures for the domain tests: each helper inserts one row (or a few) with
// drizzle and returns the ID. Numbers and emails are unique per database.
import type { Database } from '../../db/client';
import {
  meetingItemAssignees,
  meetingItems,
  meetings,
  projectMembers,
  projects,
  rfiAssignees,
  rfis,
  submittalApprovers,
  submittals,
  observations,
  inspections,
  defectItems,
  timecardEntries,
  users,
  type DirectoryPermission,
  type NewUser,
} from '../../db/schema';

type ApproverResponse = (typeof submittalApprovers.$inferInsert)['response'];

export function directoryFixtures(db: Database) {
  let n = 0;
  const next = () => ++n;
  const one = <T>(rows: T[]): T => {
    const row = rows[0];
    if (row === undefined) throw new Error('insert returned no row');
    return row;
  };
  return {
    async user(values: Partial<NewUser> = {}): Promise<number> {
      const i = next();
      const row = one(
        await db
          .insert(users)
          .values({ name: `User ${i}`, email: `user${i}@example.com`, company: 'Acme', ...values })
          .returning({ id: users.id }),
      );
      return row.id;
    },
    async admin(values: Partial<NewUser> = {}): Promise<number> {
      return this.user({ directoryPermission: 'admin', ...values });
    },
    async project(name?: string): Promise<number> {
      const i = next();
      return one(await db.insert(projects).values({ number: `P-${i}`, name: name ?? `Project ${i}` }).returning({ id: projects.id })).id;
    },
    async member(projectId: number, userId: number, permission: DirectoryPermission = 'standard'): Promise<void> {
      await db.insert(projectMembers).values({ projectId, userId, directoryPermission: permission });
    },
    async rfi(o: { projectId: number; managerId?: number | null; assignees?: number[]; status?: 'draft' | 'open' | 'closed' }): Promise<number> {
      const i = next();
      const id = one(
        await db
          .insert(rfis)
          .values({ projectId: o.projectId, number: `RFI-${i}`, subject: `RFI subject ${i}`, status: o.status ?? 'open', managerId: o.managerId ?? null })
          .returning({ id: rfis.id }),
      ).id;
      for (const userId of o.assignees ?? []) await db.insert(rfiAssignees).values({ rfiId: id, userId });
      return id;
    },
    async submittal(o: {
      projectId: number;
      managerId?: number | null;
      approvers?: { userId: number; response?: ApproverResponse }[];
      status?: 'draft' | 'open' | 'closed';
    }): Promise<number> {
      const i = next();
      const id = one(
        await db
          .insert(submittals)
          .values({ projectId: o.projectId, number: `S-${i}`, title: `Submittal ${i}`, status: o.status ?? 'open', managerId: o.managerId ?? null })
          .returning({ id: submittals.id }),
      ).id;
      for (const a of o.approvers ?? []) {
        await db.insert(submittalApprovers).values({ submittalId: id, userId: a.userId, response: a.response ?? 'pending' });
      }
      return id;
    },
    async observation(o: { projectId: number; assigneeId: number | null; status?: 'initiated' | 'ready_for_review' | 'not_accepted' | 'closed' }): Promise<number> {
      const i = next();
      return one(
        await db
          .insert(observations)
          .values({ projectId: o.projectId, number: `O-${i}`, title: `Observation ${i}`, status: o.status ?? 'initiated', assigneeId: o.assigneeId })
          .returning({ id: observations.id }),
      ).id;
    },
    async meetingItem(o: { projectId: number; assignees: number[]; status?: 'open' | 'closed' }): Promise<number> {
      const i = next();
      const meetingId = one(
        await db.insert(meetings).values({ projectId: o.projectId, title: `Meeting ${i}`, meetingDate: '2026-01-15' }).returning({ id: meetings.id }),
      ).id;
      const id = one(
        await db
          .insert(meetingItems)
          .values({ meetingId, number: `M-${i}`, title: `Meeting item ${i}`, status: o.status ?? 'open' })
          .returning({ id: meetingItems.id }),
      ).id;
      for (const userId of o.assignees) await db.insert(meetingItemAssignees).values({ meetingItemId: id, userId });
      return id;
    },
    async inspection(o: { projectId: number; pocId: number | null; status?: 'not_started' | 'in_progress' | 'in_review' | 'closed' }): Promise<number> {
      const i = next();
      return one(
        await db
          .insert(inspections)
          .values({
            projectId: o.projectId,
            number: `I-${i}`,
            title: `Inspection ${i}`,
            status: o.status ?? 'in_progress',
            responsibleContractor: 'Acme Concrete',
            pointOfContactId: o.pocId,
          })
          .returning({ id: inspections.id }),
      ).id;
    },
    async defect(o: { projectId: number; assignedToId: number | null; status?: 'work_required' | 'ready_for_review' | 'not_accepted' | 'closed' }): Promise<number> {
      const i = next();
      return one(
        await db
          .insert(defectItems)
          .values({ projectId: o.projectId, number: `D-${i}`, title: `Defect ${i}`, status: o.status ?? 'work_required', assignedToId: o.assignedToId })
          .returning({ id: defectItems.id }),
      ).id;
    },
    async timecard(o: { projectId: number; userId: number; isFinal?: boolean; workDate?: string; hours?: string }): Promise<number> {
      return one(
        await db
          .insert(timecardEntries)
          .values({ projectId: o.projectId, userId: o.userId, workDate: o.workDate ?? '2026-01-10', hours: o.hours ?? '8', isFinal: o.isFinal ?? false })
          .returning({ id: timecardEntries.id }),
      ).id;
    },
  };
}

export type DirectoryFixtures = ReturnType<typeof directoryFixtures>;
