// What `active` does beyond the directory row: a deprovisioning queues the person for the
// connection's next offboarding batch, a rescinded one takes them out again (or reactivates them),
// and each person's offboarding is read back for our extension attribute. The operations are the
// intake's (client/operations/identity-lifecycle.ts); this is the seam the SCIM routes call.
import type { IdentityConnection } from '../../../domain/connection-policy';
import type { OperationsContext } from '../../operations';
import { offboardingStates, requestOffboarding, rescindOffboarding } from '../../operations/identity-lifecycle';
import type { OffboardingState } from './user-resource';

export type ScimLifecycle = {
  request(connection: IdentityConnection, req: { userId: number; requestId: string }): Promise<void>;
  rescind(connection: IdentityConnection, req: { userId: number; requestId: string }): Promise<'dropped' | 'removed' | 'reactivated' | 'none'>;
  states(userIds: readonly number[]): Promise<Map<number, OffboardingState>>;
};

export function scimLifecycle(ops: OperationsContext, log: (message: string) => void): ScimLifecycle {
  return {
    request: (connection, req) => requestOffboarding(ops, connection, req),
    rescind: (connection, req) => rescindOffboarding(ops, connection, req),
    // Read-only and secondary: when Temporal cannot answer, users are shown without the extension
    // rather than not at all (a provider's lookup before a create must not fail for it).
    states: async (userIds) => {
      if (userIds.length === 0) return new Map();
      try {
        return await offboardingStates(ops, userIds);
      } catch (e) {
        log(`SCIM: offboarding states unavailable: ${e instanceof Error ? e.message : String(e)}`);
        return new Map();
      }
    },
  };
}
