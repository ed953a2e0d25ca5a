// The supervisors' stop signals (SIGINT, SIGTERM, SIGHUP). One Ctrl-C in a terminal running
// `npm start` or `npm run stack` arrives twice, within milliseconds: from the terminal (to the
// foreground process group) and from npm, which passes the signals it gets on to its child. Those are
// one request to stop, answered once; only a signal after DUPLICATE_MS is a second request (told
// that the stop is under way).
type SignalSource = { on(event: NodeJS.Signals, listener: () => void): unknown };

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** Signals this soon after the first are the same Ctrl-C (npm's copy arrives within milliseconds). */
export const DUPLICATE_MS = 1_000;

export function onStopSignals(
  handlers: { stop: (signal: StopSignal) => void; again: (signal: StopSignal) => void },
  options: { source?: SignalSource; now?: () => number } = {},
): void {
  const source = options.source ?? process;
  const now = options.now ?? (() => performance.now());
  let first: number | undefined;
  for (const signal of STOP_SIGNALS) {
    source.on(signal, () => {
      const at = now();
      if (first === undefined) {
        first = at;
        handlers.stop(signal);
      } else if (at - first >= DUPLICATE_MS) handlers.again(signal);
    });
  }
}
