// History sizes of a workflow and its continue-as-new chain: events and encoded bytes per run, and
// the size of the input each ContinuedAsNew event carries to the next run. No vitest imports, so the
// benchmarks use it too.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

type History = proto.temporal.api.history.v1.IHistory;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
type Payloads = proto.temporal.api.common.v1.IPayloads;

export type RunStats = {
  run: number;
  runId: string;
  events: number;
  /** The run's history encoded as protobuf, as the server stores and sends it. */
  bytes: number;
  /** Events of the kinds that matter for a batch's growth. */
  childrenStarted: number;
  signals: number;
  /** Children's ends the run was told of (completed, failed, cancelled, terminated, timed out): messages too. */
  childrenEnded: number;
  workflowTasks: number;
  /** Encoded size of the input handed to the next run (ContinuedAsNew event), or null for the last run. */
  continueAsNewInputBytes: number | null;
  /** Wall time from the run's first to its last event. */
  durationMs: number;
};

const EventType = proto.temporal.api.enums.v1.EventType;

/** Encoded size of a Payloads message (data + metadata + framing). */
export function payloadsBytes(p: Payloads | null | undefined): number {
  return p ? proto.temporal.api.common.v1.Payloads.encode(p).finish().length : 0;
}

export function historyBytes(h: History): number {
  return proto.temporal.api.history.v1.History.encode(h).finish().length;
}

function eventMs(e: HistoryEvent | undefined): number {
  const t = e?.eventTime;
  if (!t) return 0;
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

export function runStatsOf(history: History, run: number, runId: string): RunStats & { nextRunId: string | null } {
  const events = history.events ?? [];
  const count = (type: number) => events.filter((e) => Number(e.eventType) === type).length;
  const last = events[events.length - 1];
  const can = last?.workflowExecutionContinuedAsNewEventAttributes;
  return {
    run,
    runId,
    events: events.length,
    bytes: historyBytes(history),
    childrenStarted: count(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED),
    signals: count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    childrenEnded:
      count(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED) +
      count(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED) +
      count(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED) +
      count(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED) +
      count(EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT),
    workflowTasks: count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    continueAsNewInputBytes: can ? payloadsBytes(can.input) : null,
    durationMs: eventMs(last) - eventMs(events[0]),
    nextRunId: can?.newExecutionRunId ?? null,
  };
}

/** Follows the chain of runs from `firstRunId` through each ContinuedAsNew event's newExecutionRunId. */
export async function runChainStats(client: Client, workflowId: string, firstRunId: string): Promise<RunStats[]> {
  const runs: RunStats[] = [];
  let runId: string | null = firstRunId;
  while (runId) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const { nextRunId, ...stats } = runStatsOf(history, runs.length + 1, runId);
    runs.push(stats);
    runId = nextRunId;
  }
  return runs;
}

/** Number of UpsertWorkflowSearchAttributes events in a history (patch markers' change-version upserts included). */
export function searchAttributeUpserts(history: History): number {
  return (history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES).length;
}

/** Number of local activities a history records (one marker each, however many attempts it took). */
export function localActivitiesRun(history: History): number {
  return (history.events ?? []).filter(
    (e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
  ).length;
}

/** Number of ActivityTaskScheduled events in a history. */
export function activitiesScheduled(history: History): number {
  return (history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).length;
}

export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** A markdown table of the runs, for logs and BENCHMARKS.md. */
export function runTable(runs: RunStats[]): string {
  const lines = [
    '| run | events | history size | children started | signals | workflow tasks | continue-as-new input | run time |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of runs) {
    lines.push(
      `| ${r.run} | ${r.events} | ${kib(r.bytes)} | ${r.childrenStarted} | ${r.signals} | ${r.workflowTasks} | ${
        r.continueAsNewInputBytes === null ? '— (completed)' : kib(r.continueAsNewInputBytes)
      } | ${(r.durationMs / 1000).toFixed(1)} s |`,
    );
  }
  return lines.join('\n');
}
