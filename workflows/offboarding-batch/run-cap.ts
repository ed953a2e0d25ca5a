// How long one run of a batch may grow. Temporal warns at 10,240 events; a run must stay under half
// of that (issue 25) whatever window the batch was tuned to. The run checks its length on every
// activation, but the events that land between the check that sees the threshold crossed and the
// continue-as-new are not its to choose: every child running may still report in that gap. So the
// threshold leaves room for the burst the window can bring, and a larger window continues sooner.

/** Half of Temporal's 10,240-event warning: no run may reach it. */
export const RUN_EVENT_LIMIT = 5_120;
/**
 * What the threshold plus the worst burst may reach: 520 events under the limit for the workflow
 * tasks, timers and digest activities of the gap (a few dozen measured) and what the estimate misses.
 */
export const RUN_EVENT_BUDGET = 4_600;
/**
 * Events a running child may still bring after a check: its ChildWorkflowExecutionStarted, and the
 * batch's two messages per person on the fast path (its final report and its end).
 */
export const BURST_EVENTS_PER_CHILD = 3;
/**
 * The same under 'report-by-result': its ChildWorkflowExecutionStarted and its end (which carries the
 * final report), and, the run having asked it to report by signal before continuing as new, that
 * request's two events and the final report's signal.
 */
export const BURST_EVENTS_PER_CHILD_BY_RESULT = 5;
/** Below this a run holds too few children to be worth its continue-as-new (the carried rows). */
export const MIN_CONTINUE_AS_NEW_AT = 200;
/** The window's upper bound: far below Temporal's 2,000 pending children, and its burst fits the budget. */
export const MAX_WINDOW = 1_000;

/** The window a tuning asks for, kept within what a run can absorb. */
export function windowSizeOf(requested: number): number {
  return Math.min(Math.max(1, requested), MAX_WINDOW);
}

/** The highest continue-as-new threshold a window allows: the budget less the window's burst. */
export function maxContinueAsNewAt(windowSize: number, burstPerChild = BURST_EVENTS_PER_CHILD): number {
  return RUN_EVENT_BUDGET - burstPerChild * windowSize;
}

/** The threshold cap of a run with this window, whose children report by result or by signal. */
export function runCapOf(windowSize: number, reportsByResult: boolean): number {
  return maxContinueAsNewAt(windowSize, reportsByResult ? BURST_EVENTS_PER_CHILD_BY_RESULT : BURST_EVENTS_PER_CHILD);
}

/** Whether a window's burst leaves room for a run when its children report by result. */
export function reportByResultFits(windowSize: number): boolean {
  return maxContinueAsNewAt(windowSize, BURST_EVENTS_PER_CHILD_BY_RESULT) >= MIN_CONTINUE_AS_NEW_AT;
}
