// A stand-in for the batch workflow in bench/hr.bench.ts: holds the rows of a 10,000-user batch and
// answers batchStatusQuery exactly as workflows/offboarding-batch/handlers.ts does (counts over every row, one
// page of users), without running 10,000 children (a real 10,000-user batch takes ~30 minutes here;
// BENCHMARKS.md). The batch page's Temporal query is real; only its source is faked.
import { condition, setHandler } from '@temporalio/workflow';
import {
  BATCH_STATUS_PAGE,
  type BatchStatus,
  type BatchStatusRequest,
  type BatchUserRow,
  batchStatusQuery,
  USER_STAGES,
} from '../workflows/contract';

export async function fakeOffboardingBatch(input: { batchId: string; requestedBy: number; userIds: number[]; startedAt: string }): Promise<void> {
  const rows = new Map<number, BatchUserRow>();
  const stages = ['awaiting-reassignment', 'awaiting-reassignment', 'awaiting-reassignment', 'waiting-effective-date', 'inactivated', 'queued'] as const;
  input.userIds.forEach((userId, i) => {
    const stage = stages[i % stages.length]!;
    rows.set(userId, {
      userId,
      stage,
      openItems: stage === 'awaiting-reassignment' ? 1 + (i % 5) : 0,
      waitingSince: stage === 'awaiting-reassignment' ? input.startedAt : null,
      remindersSent: i % 4,
      result: stage === 'inactivated' ? `inactivated at ${input.startedAt}` : null,
    });
  });
  setHandler(batchStatusQuery, (request?: BatchStatusRequest): BatchStatus => {
    const counts = Object.fromEntries([...USER_STAGES, 'queued'].map((s) => [s, 0])) as BatchStatus['counts'];
    for (const r of rows.values()) counts[r.stage] += 1;
    return {
      batchId: input.batchId,
      requestedBy: input.requestedBy,
      phase: 'running',
      total: rows.size,
      counts,
      users: [...rows.values()].slice(
        Math.max(0, request?.offset ?? 0),
        Math.max(0, request?.offset ?? 0) + Math.min(Math.max(1, request?.limit ?? BATCH_STATUS_PAGE), BATCH_STATUS_PAGE),
      ),
      usersOffset: Math.max(0, request?.offset ?? 0),
      rejected: [],
      run: 1,
    };
  });
  await condition(() => false);
}
