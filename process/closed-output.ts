// Printing is best effort: a process whose stdout or stderr goes away under it (the reader of
// `npm start 2>&1 | tee start.log` killed by Ctrl-C, a closed terminal) keeps doing its work, and
// what it prints is lost. Without this, Node raises the failed write (EPIPE, EIO) as an uncaught
// exception: the supervisor died of it before stopping anything, and the worker, whose
// uncaughtException handler logs to the same stream, spun on it for as long as nobody killed it.

/** Drops failed writes to this process's stdout and stderr instead of raising them. */
export function ignoreClosedOutput(): void {
  // No report: the streams we would report on are the ones that failed, and writing to them from
  // here would start the loop again.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}
