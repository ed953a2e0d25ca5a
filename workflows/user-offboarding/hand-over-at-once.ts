// Handing every item the successor may take over in ONE activity (oneGo runs, issue 25): the
// requests are the ones hand-over.ts makes one activity each for (same request IDs, so a run's
// retries and the audit log look the same), run by reassignItems in one transaction with a savepoint
// per item. An item refused (the successor is not on its project, …) stays for the manager and the
// report says which and why, as before. The successor is told by the caller, in one receipt.
import type { HandOverReport, OffboardingRun } from './run';

export async function handOverAtOnce(run: OffboardingRun, toUserId: number, purpose: 'successor' | 'deadline'): Promise<HandOverReport> {
  const report: HandOverReport = { userId: toUserId, took: [], notTaken: [] };
  const items = [...run.state.pendingItems];
  // A final timecard entry is recorded, never handed over: do not ask.
  for (const item of items.filter((i) => i.tool === 'timecard')) {
    report.notTaken.push({ item, code: 'INVALID_INPUT', message: 'a final timecard entry is recorded, not handed over' });
  }
  const movable = items.filter((i) => i.tool !== 'timecard');
  if (movable.length === 0) return report;
  const { took, notTaken } = await run.steps.reassignItems({
    requests: movable.map((item) => ({
      requestId: `${run.runKey}:${purpose}:${item.key}`,
      itemKey: item.key,
      fromUserId: run.input.userId,
      toUserId,
      actorId: run.input.requestedBy,
      workflowId: run.workflowId,
    })),
  });
  for (const res of took) {
    run.recordResolution(res, { receipt: false });
    report.took.push(res);
  }
  for (const refused of notTaken) {
    const item = movable.find((i) => i.key === refused.itemKey);
    if (item) report.notTaken.push({ item, code: refused.code, message: refused.message });
  }
  return report;
}
