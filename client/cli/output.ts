// Output for people (aligned tables, short sentences) and for machines (--json: one JSON document,
// or one per line with --watch). Everything goes through an Output so tests and --json stay exact.
// Text for people passes through neutralizeControls: names, titles and notes come from users, and an
// ESC sequence or a right-to-left override must not reach a terminal as it is.
import { neutralizeControls } from '../../workflows/contract';

export type Output = {
  readonly json: boolean;
  readonly isTTY: boolean;
  /** stdout can take no more output (its reader is gone): long runs such as --watch stop. */
  readonly closed: boolean;
  /** Why stdout failed, when it was not a reader going away (EPIPE): e.g. ENOSPC, which the exit code must show. */
  readonly writeFailure: string | undefined;
  line(text?: string): void;
  /** Help text: on stdout even with --json. */
  help(text: string): void;
  error(text: string): void;
  /** In --json mode the only thing printed on stdout. */
  data(value: unknown): void;
  table(columns: readonly Column[], rows: readonly Record<string, unknown>[]): void;
  clearScreen(): void;
  /** Text exactly as given (a CSV's CRLF line ends included); nothing in --json mode. */
  raw(text: string): void;
  /**
   * How far a long run is, on stderr: redrawn in place on a terminal, a line each call on a pipe
   * (callers call it every so many records there). `done` ends the terminal's line.
   */
  progress(text: string, done?: boolean): void;
  /** stderr is a terminal (a progress bar can redraw itself). */
  readonly stderrIsTTY: boolean;
};

export type Column = { key: string; title: string; align?: 'left' | 'right'; max?: number };

/** Where output goes: process.stdout / process.stderr, or any writable stream (tests capture with one). */
export type OutputStream = NodeJS.WritableStream & { readonly isTTY?: boolean };

export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return neutralizeControls(value);
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? '-';
}

function clip(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  return `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** A plain-text table: header, dashes, rows; columns as wide as their widest cell. */
export function renderTable(columns: readonly Column[], rows: readonly Record<string, unknown>[]): string[] {
  const cells = rows.map((r) => columns.map((c) => clip(cell(r[c.key]).replace(/\s+/g, ' '), c.max)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const fmt = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]?.align === 'right' ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [fmt(columns.map((c) => c.title)), fmt(widths.map((w) => '-'.repeat(w))), ...cells.map(fmt)];
}

type Writer = { write(text: string): void; readonly failure: NodeJS.ErrnoException | undefined };

/**
 * Writes to a stream whose reader may go away: `offboard users | head -4` closes the pipe, and the
 * next write fails with EPIPE, emitted as an 'error' event that would otherwise crash the process
 * with a stack trace. The failure is kept (never re-reported, so a closed stderr cannot loop) and
 * every later write is dropped.
 */
function writerOf(stream: OutputStream): Writer {
  let failure: NodeJS.ErrnoException | undefined;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    failure ??= e;
  });
  return {
    write(text) {
      if (failure !== undefined || !stream.writable) return;
      try {
        stream.write(text);
      } catch (e) {
        // A synchronous stream (stdout redirected to a file) throws instead of emitting 'error'.
        failure ??= e instanceof Error ? e : new Error(String(e));
      }
    },
    get failure() {
      return failure;
    },
  };
}

export function createOutput(options: { json: boolean; stdout?: OutputStream; stderr?: OutputStream }): Output {
  const stdoutStream = options.stdout ?? process.stdout;
  const stdout = writerOf(stdoutStream);
  const stderrStream = options.stderr ?? process.stderr;
  const stderr = writerOf(stderrStream);
  const json = options.json;
  return {
    json,
    isTTY: Boolean(stdoutStream.isTTY),
    get closed() {
      return stdout.failure !== undefined;
    },
    get writeFailure() {
      const f = stdout.failure;
      return f === undefined || f.code === 'EPIPE' ? undefined : (f.code ?? f.message);
    },
    line(text = '') {
      if (!json) stdout.write(`${neutralizeControls(text)}\n`);
    },
    help(text) {
      stdout.write(`${text}\n`);
    },
    error(text) {
      stderr.write(`${neutralizeControls(text)}\n`);
    },
    data(value) {
      if (json) stdout.write(`${JSON.stringify(value)}\n`);
    },
    table(columns, rows) {
      if (json) return;
      if (rows.length === 0) {
        stdout.write('(none)\n');
        return;
      }
      for (const l of renderTable(columns, rows)) stdout.write(`${l}\n`);
    },
    clearScreen() {
      if (!json && stdoutStream.isTTY) stdout.write('\x1b[2J\x1b[H');
    },
    raw(text) {
      if (!json) stdout.write(text);
    },
    stderrIsTTY: Boolean(stderrStream.isTTY),
    progress(text, done = false) {
      if (stderrStream.isTTY) stderr.write(`\r\x1b[K${neutralizeControls(text)}${done ? '\n' : ''}`);
      else stderr.write(`${neutralizeControls(text)}\n`);
    },
  };
}

/** "3 days ago"-style age of an ISO time, for tables. */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return '-';
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s ago`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m}m ago`;
  const h = Math.round(m / 60);
  if (h < 36) return `${h}h ago`;
  return `${Math.round(h / 24)}d ago`;
}
