// The digest activities (issue 25): thin adapters over domain/notifications/digests.ts. A round may
// send hundreds of emails (a 10,000-user batch's managers and new owners), so each heartbeats after
// every email and runs on its own proxy with a longer timeout.
import { asyncLocalStorage } from '@temporalio/activity';
import { createDigestSender } from '../domain/notifications/digests';
import type { NotificationDeps } from '../domain/notifications/outbox';
import type { ActionDigestsInput, ClosingDigestsInput, DigestsResult, WaitingDigestsInput } from '../workflows/contract';
import { mappingFailures } from './failures';

export function createDigestActivities(deps: NotificationDeps) {
  const digests = createDigestSender({ ...deps, heartbeat: () => asyncLocalStorage.getStore()?.heartbeat() });
  return mappingFailures({
    sendActionDigests: (input: ActionDigestsInput): Promise<DigestsResult> => digests.sendActionDigests(input),
    sendWaitingDigests: (input: WaitingDigestsInput): Promise<DigestsResult> => digests.sendWaitingDigests(input),
    sendClosingDigests: (input: ClosingDigestsInput): Promise<DigestsResult> => digests.sendClosingDigests(input),
  });
}
