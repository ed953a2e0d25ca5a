// What a child process said and how it ended, for tests that run a real command (the CLI, a tool).
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

export type ChildOutput = { code: number | null; stdout: string; stderr: string };

/** Resolves when `child` has closed, with everything it wrote; rejects when it could not be started. */
export function childOutput(child: ChildProcessByStdio<null, Readable, Readable>): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
