// A refusal, as the domain says it: a code from the contract's list, a sentence a person can act on
// (naming the IDs involved), and what the refused party may want (the open items, the current
// admins). Plain: the domain speaks no Temporal. activities/failures.ts turns it into the
// non-retryable ApplicationFailure workflows and clients see; client/refusals.ts reads either back.
import type { RefusalCode } from '../workflows/contract/refusals';

export class Refusal extends Error {
  override name = 'Refusal';
  constructor(
    readonly code: RefusalCode,
    message: string,
    /** `[what the refused party may want]`, or empty: the ApplicationFailure's details as they were. */
    readonly details: readonly unknown[] = [],
  ) {
    super(message);
  }
}

/** Throws the refusal: `message` is a sentence a person can act on, naming the IDs involved. */
export function refuse(code: RefusalCode, message: string, details?: unknown): never {
  throw new Refusal(code, message, details === undefined ? [] : [details]);
}
