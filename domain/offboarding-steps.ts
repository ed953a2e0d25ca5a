// The steps of one user's offboarding that used to be several activities each, as one call apiece
// (issue 25: half the work per person). Each is the same domain functions as before, in one
// transaction where they write, so every refusal, lock and re-check of theirs holds as it was:
//  - begin: the permissions and the claim (one transaction), then the open-item scan;
//  - complete: the inactivation (which locks the user and re-scans inside its transaction) and the
//    end of the claim, committed together, so a retry finds both done or neither.
import type {
  BeginOffboardingInput,
  BeginOffboardingResult,
  InactivateUserInput,
  InactivateUserResult,
} from '../workflows/contract';
import { type DbOrTx, withTransaction } from '../db/transaction';
import { claimOffboarding, finishOffboarding } from './batch-validation';
import { scanOpenItems } from './open-items';
import { loadPermissions } from './permissions';
import { inactivateUser } from './user-status';

export type OffboardingStepDeps = { db: DbOrTx; clock: () => Date };

/**
 * loadPermissions + claimOffboarding + listOpenItems. A user already inactive gets no claim and no
 * scan (the workflow ends 'failed', as before). The scan runs after the commit, on the pool, where it
 * is a prepared statement (planned once per connection, not on every call); the claim is taken by
 * then, so no item can be handed to this user any more (TARGET_BEING_OFFBOARDED) and none is missed.
 */
export async function beginOffboarding(deps: OffboardingStepDeps, input: BeginOffboardingInput): Promise<BeginOffboardingResult> {
  const permissions = await withTransaction(deps.db, async (tx) => {
    const loaded = await loadPermissions(tx, { userId: input.userId });
    if (loaded.status === 'active') await claimOffboarding({ ...deps, db: tx }, input);
    return loaded;
  });
  if (permissions.status !== 'active') return { permissions, items: [] };
  return { permissions, items: await scanOpenItems(deps.db, [input.userId]) };
}

/**
 * inactivateUser + finishOffboarding('inactivated') in one transaction. A refusal (OPEN_ITEMS_REMAIN
 * with the items, REQUESTER_INACTIVE, …) writes nothing and leaves the claim open; a retry of a
 * committed call finds the inactivation recorded (alreadyDone) and the claim already ended.
 */
export async function completeOffboarding(deps: OffboardingStepDeps, input: InactivateUserInput): Promise<InactivateUserResult> {
  return withTransaction(deps.db, async (tx) => {
    const result = await inactivateUser({ ...deps, db: tx }, input);
    await finishOffboarding({ ...deps, db: tx }, { userId: input.userId, workflowId: input.workflowId, outcome: 'inactivated' });
    return result;
  });
}
