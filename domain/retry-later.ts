// A failure that is nobody's fault and passes: another attempt holds the row, the mail server said
// "not now". The domain names it with a code; activities/failures.ts makes it a retryable
// ApplicationFailure of that type, so Temporal tries again with backoff.
export class RetryLater extends Error {
  override name = 'RetryLater';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
