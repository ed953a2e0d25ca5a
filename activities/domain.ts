// The domain activities, bound to their dependencies. Workflows decide *when*; these decide *how*.
// Every domain refusal is a non-retryable ApplicationFailure typed with a code from
// workflows/contract/refusals.ts; infrastructure errors stay ordinary (retryable) errors.
import { asyncLocalStorage } from '@temporalio/activity';
import type { Database } from '../db/client';
import type { OpenItem } from '../workflows/contract';
import { claimOffboarding, finishOffboarding, releaseOffboardings, validateBatch } from '../domain/batch-validation';
import type {
  AuthorizeBatchActorInput,
  AuthorizeItemsActorInput,
  ClaimOffboardingInput,
  CloseItemInput,
  FinishOffboardingInput,
  InactivateUserInput,
  ListOpenItemsInput,
  LoadPermissionsInput,
  ReactivateUserInput,
  ReassignItemInput,
  ReleaseOffboardingsInput,
  ValidateBatchInput,
} from '../workflows/contract';
import { closeItem, reassignItem } from '../domain/item-resolution';
import { scanOpenItems } from '../domain/open-items';
import { activeAdminIds, authorizeBatchActor, authorizeItemsActor, loadPermissions } from '../domain/permissions';
import { inactivateUser, reactivateUser } from '../domain/user-status';

export type DomainDeps = { db: Database; clock: () => Date };

/** Users per scan query when listing a large batch; a heartbeat follows each chunk. */
const SCAN_CHUNK = 1_000;

/** Heartbeats when running as an activity; a no-op when called directly (tests, scripts). */
function heartbeat(details?: unknown): void {
  const context = asyncLocalStorage.getStore();
  if (context) context.heartbeat(details);
}

export function createDomainActivities(deps: DomainDeps) {
  const { db } = deps;
  return {
    validateBatch: (input: ValidateBatchInput) => validateBatch(deps, input),
    claimOffboarding: (input: ClaimOffboardingInput) => claimOffboarding(deps, input),
    finishOffboarding: (input: FinishOffboardingInput) => finishOffboarding(deps, input),
    releaseOffboardings: (input: ReleaseOffboardingsInput) => releaseOffboardings(deps, input),
    loadPermissions: (input: LoadPermissionsInput) => loadPermissions(db, input),
    loadAdmins: async (): Promise<{ adminIds: number[] }> => ({ adminIds: await activeAdminIds(db) }),
    authorizeBatchActor: (input: AuthorizeBatchActorInput) => authorizeBatchActor(db, input),
    authorizeItemsActor: (input: AuthorizeItemsActorInput) => authorizeItemsActor(db, input),
    async listOpenItems(input: ListOpenItemsInput): Promise<OpenItem[]> {
      const ids = [...new Set(input.userIds)];
      const items: OpenItem[] = [];
      for (let i = 0; i < ids.length; i += SCAN_CHUNK) {
        items.push(...(await scanOpenItems(db, ids.slice(i, i + SCAN_CHUNK))));
        heartbeat({ scannedUsers: Math.min(i + SCAN_CHUNK, ids.length) });
      }
      // Chunks are in input order; the contract is (userId, tool, project, item) order overall.
      if (ids.length > SCAN_CHUNK) items.sort((a, b) => a.userId - b.userId);
      return items;
    },
    reassignItem: (input: ReassignItemInput) => reassignItem(deps, input),
    closeItem: (input: CloseItemInput) => closeItem(deps, input),
    inactivateUser: (input: InactivateUserInput) => inactivateUser(deps, input),
    reactivateUser: (input: ReactivateUserInput) => reactivateUser(deps, input),
  };
}

export type DomainActivities = ReturnType<typeof createDomainActivities>;
