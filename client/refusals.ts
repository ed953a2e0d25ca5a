// The client edge reads a refusal back, wherever it came from: a domain Refusal thrown by a read the
// client called directly, or one that crossed Temporal as an ApplicationFailure (activities/failures.ts),
// however deep in a chain of causes it sits (an activity's failure in an update's, in a workflow's).
import { Refusal } from '../domain/refusal';
import { refusalOf as failureRefusalOf } from '../workflows/contract';

export { Refusal } from '../domain/refusal';

export function refusalOf(err: unknown): Refusal | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 8 && e instanceof Error; depth++) {
    if (e instanceof Refusal) return e;
    e = e.cause;
  }
  const found = failureRefusalOf(err);
  return found ? new Refusal(found.code, found.message, found.details) : undefined;
}
