// Everything one leaving person's page shows: the person and their latest offboarding
// (domain/leaving-person.ts), the offboarding's state (ONE status query to their workflow: the items
// it accepts updates for), and who may take each item over (domain/assignee-eligibility.ts, the rule the reassignment activity uses).
import type { Client } from '@temporalio/client';
import type { Database } from '../../db/client';
import { type EligiblePerson, eligibleAssignees } from '../../domain/assignee-eligibility';
import { latestOffboarding, type LeavingPerson, type OffboardingFacts } from '../../domain/leaving-person';
import { userNames } from '../../domain/user-names';
import { type UserOffboardingStatus, userStatusQuery, userWorkflowId } from '../../workflows/contract';
import { isNotFound } from '../operations/workflow-calls';

export { type LeavingPerson, loadPerson } from '../../domain/leaving-person';

export type UserPage = {
  person: LeavingPerson;
  offboarding: OffboardingFacts | null;
  /** The workflow's answer; null when it could not be asked (`statusProblem` says why). */
  status: UserOffboardingStatus | null;
  statusProblem: string | null;
  eligible: Map<number, EligiblePerson[]>;
  /** Names of the people the page mentions (who took items over, who acted). */
  names: Map<number, string>;
};

export async function loadUserPage(db: Database, temporal: Client, person: LeavingPerson): Promise<UserPage> {
  // The offboarding row and the workflow's answer do not depend on each other: ask both at once (the
  // answer is dropped when there is no offboarding). Then the eligible people and the names, also at once.
  const [offboarding, asked] = await Promise.all([
    latestOffboarding(db, person.id),
    temporal.workflow
      .getHandle(userWorkflowId(person.id))
      .query(userStatusQuery)
      .then(
        (answer): { status: UserOffboardingStatus; problem: null } => ({ status: answer, problem: null }),
        (e: unknown) => ({
          status: null,
          problem: isNotFound(e)
            ? 'The workflow of this offboarding is no longer kept by Temporal.'
            : `Temporal did not answer (${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}); the items cannot be shown right now.`,
        }),
      ),
  ]);
  const status = offboarding ? asked.status : null;
  const statusProblem = offboarding ? asked.problem : null;
  const running = status !== null && offboarding?.endedAt === null;
  const items = running ? status?.pendingItems ?? [] : [];
  const projectIds = [...new Set(items.map((i) => i.projectId).filter((p): p is number => p !== null))];
  const ids = new Set<number>();
  for (const r of status?.resolutions ?? []) {
    if (r.toUserId !== null) ids.add(r.toUserId);
    ids.add(r.byUserId);
  }
  const [eligible, names] = await Promise.all([eligibleAssignees(db, projectIds, person.id), userNames(db, ids)]);
  return { person, offboarding: offboarding ?? null, status, statusProblem, eligible, names };
}
