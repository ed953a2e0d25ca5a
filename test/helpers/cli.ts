// The `offboard` CLI run inside the test process through client/cli/cli.ts's `run`, with its output
// captured: the same code as the binary, without starting Node and tsx for every call (a subprocess
// costs one to ten seconds on a busy machine). Keep subprocesses for what needs a process boundary.
import { Writable } from 'node:stream';
import { run } from '../../client/cli/cli';

export type CliResult = {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout as one JSON document (--json). */
  json: <T>() => T;
};

/** A stream that keeps what is written, like a non-TTY stdout or stderr. */
export class CapturedStream extends Writable {
  private readonly chunks: string[] = [];
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    done();
  }
  text(): string {
    return this.chunks.join('');
  }
}

/**
 * A stream every write to fails with `code`: by default EPIPE, a pipe whose reader has gone (stdout
 * piped into `head` after head exits); ENOSPC is a full disk.
 */
export class FailingStream extends Writable {
  writes = 0;
  constructor(private readonly code: 'EPIPE' | 'ENOSPC' = 'EPIPE') {
    super();
  }
  override _write(_chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.writes++;
    done(Object.assign(new Error(`write ${this.code}`), { code: this.code, syscall: 'write' }));
  }
}

/** Runs `offboard <args>` with `env` over the test's environment; never throws (run() does not). */
export async function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  streams: { stdout?: Writable; stderr?: Writable } = {},
): Promise<CliResult> {
  const stdout = new CapturedStream();
  const stderr = new CapturedStream();
  const code = await run([...args], { env: { ...process.env, ...env }, stdout: streams.stdout ?? stdout, stderr: streams.stderr ?? stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text(), json: <T>() => JSON.parse(stdout.text()) as T };
}
