// The engine's baseline for bench/batch.bench.ts: a minimal workflow that runs `activities` no-op
// activities one after the other and returns. Bundled on its own by the bench (never imported by
// workflows/index.ts), so it never enters the production workflow bundle.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

export type BaselineActivities = { noop: (step: number) => Promise<number> };
export type BaselineWorkflow = 'baselineUser' | 'baselineUserLocal';

const { noop } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });
const local = proxyLocalActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });

export async function baselineUser(activities: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < activities; i++) sum += await noop(i);
  return sum;
}

/** The same steps as local activities: run by the worker inside the workflow task, one marker each. */
export async function baselineUserLocal(activities: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < activities; i++) sum += await local.noop(i);
  return sum;
}
