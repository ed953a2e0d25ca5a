/** What a bench started, stopped in reverse order at the end, even when the bench failed. */
export type Cleanups = (() => Promise<void>)[];

export async function runCleanups(cleanups: Cleanups): Promise<void> {
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (e) {
      console.error(`cleanup failed: ${String(e)}`);
    }
  }
}

/** Ends the bench process with its outcome: 0, or 1 with the error (servers' handles would keep it alive). */
export function exitWhenDone(run: Promise<void>): void {
  run.then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
