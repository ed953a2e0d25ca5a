// The steps of one user's offboarding that used to be several activities each, as one call apiece
// (issue 25: half the work per person). Each is the same domain functions as before, in one
// transaction where they write, so every refusal, lock and re-check of theirs holds as it was:
//  - begin: the permissions and the claim (one transaction), then the open-item scan; or, when
//    nothing would make the run wait, the complete step in that same transaction;
//  - complete: the inactivation (which locks the user and re-scans inside its transaction) and the
//    end of the claim, committed together, so a retry finds both done or neither.
import type {
  BeginOffboardingInput,
  BeginOffboardingResult,
  InactivateUserInput,
  InactivateUserResult,
  OpenItem,
  UserPermissions,
} from '../workflows/contract';
import { type DbOrTx, withTransaction } from '../db/transaction';
import { claimOffboarding, finishOffboarding } from './batch-validation';
import { scanOpenItems } from './open-items';
import { loadPermissions } from './permissions';
import { Refusal, refuse } from './refusal';
import { inactivateUser } from './user-status';

export type OffboardingStepDeps = { db: DbOrTx; clock: () => Date };

/**
 * loadPermissions + claimOffboarding + listOpenItems. A user already inactive gets no claim and no
 * scan (the workflow ends 'failed', as before). The scan runs after the commit, on the pool, where it
 * is a prepared statement (planned once per connection, not on every call); the claim is taken by
 * then, so no item can be handed to this user any more (TARGET_BEING_OFFBOARDED) and none is missed.
 *
 * With completeIfClear the same transaction goes on to completeOffboarding, whose inactivation locks
 * the user, re-checks the requester and scans: nothing open, and the user is inactive and the claim
 * ended with the claim's own commit (one transaction and one scan instead of two each). Its refusal
 * writes nothing and is no failure here: OPEN_ITEMS_REMAIN brings the items the workflow then works
 * on; any other leaves the claim taken and the workflow's own completeOffboarding to refuse again.
 */
export async function beginOffboarding(deps: OffboardingStepDeps, input: BeginOffboardingInput): Promise<BeginOffboardingResult> {
  const { completeIfClear, ...claim } = input;
  if (completeIfClear && (completeIfClear.userId !== claim.userId || completeIfClear.workflowId !== claim.workflowId)) {
    refuse('INVALID_INPUT', `completeIfClear is for user ${completeIfClear.userId} (${completeIfClear.workflowId}), not the user ${claim.userId} this offboarding claims (${claim.workflowId}).`);
  }
  const begun = await withTransaction(deps.db, async (tx): Promise<{ permissions: UserPermissions; items?: OpenItem[]; completed?: InactivateUserResult }> => {
    const permissions = await loadPermissions(tx, { userId: claim.userId });
    if (permissions.status !== 'active') return { permissions, items: [] };
    await claimOffboarding({ ...deps, db: tx }, claim);
    if (!completeIfClear) return { permissions };
    try {
      // Never forced here: open items go back to the workflow, which hands them over first.
      return { permissions, items: [], completed: await completeOffboarding({ ...deps, db: tx }, { ...completeIfClear, force: false }) };
    } catch (err) {
      // A refusal throws before the inactivation writes anything, so the claim still commits.
      if (!(err instanceof Refusal)) throw err;
      const found = err.code === 'OPEN_ITEMS_REMAIN' ? err.details[0] : undefined;
      return Array.isArray(found) ? { permissions, items: found as OpenItem[] } : { permissions };
    }
  });
  return { ...begun, items: begun.items ?? (await scanOpenItems(deps.db, [claim.userId])) };
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
