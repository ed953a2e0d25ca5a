// The offboardings Temporal knows, by the search attributes ops filter on in the Web UI: running
// ones, or ended ones in a final stage. Visibility is eventually consistent (a change shows within a
// second or so).
import { BATCH_ID_PATTERN, FINAL_STAGES, searchAttributes, type UserStage } from '../../workflows/contract';
import { refuse } from '../../domain/refusal';
import type { OperationsContext } from './context';

export type OffboardingListing = {
  workflowId: string;
  userId: number | null;
  batchId: string | null;
  stage: string | null;
  openItems: number | null;
  waitingSince: string | null;
  status: string;
  startTime: string;
};

export async function listOffboardings(
  ctx: OperationsContext,
  filter: { stage?: UserStage; batchId?: string; limit?: number } = {},
): Promise<{ query: string; workflows: OffboardingListing[] }> {
  if (filter.batchId !== undefined && !BATCH_ID_PATTERN.test(filter.batchId)) refuse('INVALID_INPUT', 'That is not a batch ID.');
  const clauses = [`WorkflowType = 'userOffboarding'`];
  if (filter.stage) clauses.push(`${searchAttributes.stage.name} = '${filter.stage}'`);
  // Final stages are only reached by ended workflows; otherwise list what is running.
  if (!filter.stage || !FINAL_STAGES.includes(filter.stage)) clauses.push(`ExecutionStatus = 'Running'`);
  if (filter.batchId) clauses.push(`${searchAttributes.batchId.name} = '${filter.batchId}'`);
  const query = clauses.join(' AND ');
  const limit = filter.limit ?? 1_000;
  const workflows: OffboardingListing[] = [];
  for await (const wf of (await ctx.temporal()).workflow.list({ query })) {
    const sa = wf.typedSearchAttributes;
    const waiting = sa.get(searchAttributes.waitingSince);
    workflows.push({
      workflowId: wf.workflowId,
      userId: sa.get(searchAttributes.userId) ?? null,
      batchId: sa.get(searchAttributes.batchId) ?? null,
      stage: sa.get(searchAttributes.stage) ?? null,
      openItems: sa.get(searchAttributes.openItems) ?? null,
      waitingSince: waiting ? waiting.toISOString() : null,
      status: wf.status.name,
      startTime: wf.startTime.toISOString(),
    });
    if (workflows.length >= limit) break;
  }
  return { query, workflows };
}
