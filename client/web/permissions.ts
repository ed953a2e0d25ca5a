// Who may see a leaving person's page and act on it, asked of the database at every request: an
// active company admin or the person's manager (domain/permissions.ts, the rule the activities
// apply), within the session's scope when the session came from an action link (one person) or from
// a digest's team link (the people whose latest offboarding is in that batch).
import { mayActOnItemsOf } from '../../domain/permissions';
import { latestOffboardingInBatch } from '../../domain/team-link-facts';
import type { Database } from '../../db/client';
import type { SessionInfo, Viewer } from './context';

export type Access = { ok: true } | { ok: false; why: string };

export async function accessToPerson(db: Database, viewer: Viewer, session: SessionInfo | null, userId: number): Promise<Access> {
  if (session?.scopeUserId != null && session.scopeUserId !== userId) {
    return { ok: false, why: 'You signed in from a link about someone else. Sign out and sign in with your email to see other people.' };
  }
  if (session?.batchId != null && !(await latestOffboardingInBatch(db, userId, session.batchId))) {
    return { ok: false, why: 'You signed in from a link about one batch of offboardings, and this person is not in it. Sign out and sign in with your email to see other people.' };
  }
  if (!(await mayActOnItemsOf(db, viewer.id, userId))) {
    return { ok: false, why: 'Only this person’s manager or a company directory admin can see this page.' };
  }
  return { ok: true };
}
