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
