// Python tools some test files run against the running app (schemathesis for the JSON API), installed
// once per run by the global setup into the shared venv (.tools/venv, where the Temporal CLI lives),
// under the tools' lock file so two runs never pip-install at once. A test file only looks for the
// binary (`pythonTool`) and fails with the reason when it is missing.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { toolsDir, withLockFile } from '../../launcher/temporal-binaries';

export type PythonTool = { binary: string; pipPackage: string; neededBy: string };

/** Pinned: a new release may add checks, and this suite's answer should change only when we say so. */
export const SCHEMATHESIS: PythonTool = { binary: 'schemathesis', pipPackage: 'schemathesis==4.32.5', neededBy: 'test/api-schemathesis.test.ts' };
export const PYTHON_TOOLS = [SCHEMATHESIS];

const venvBin = path.join(toolsDir, 'venv', 'bin');
const failureFile = path.join(toolsDir, 'python-tools.failure');

export const pythonToolPath = (t: PythonTool): string => path.join(venvBin, t.binary);
/**
 * Run a tool's script with this: pip writes the venv's path as the script's `#!` line, and that path is
 * the one of the checkout that installed it (.tools is shared through symlinks, and a worktree that
 * installed it may be gone since), so the script is not run by its own `#!`.
 */
export const venvPython = path.join(venvBin, 'python');

function pip(args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(path.join(venvBin, 'python'), ['-m', 'pip', ...args], { encoding: 'utf8', timeout: 900_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ ok: !error, output: `${stdout}${stderr}${error ? error.message : ''}` }),
    );
  });
}

/** The global setup: installs what is missing; a failure is written down for the tests that need it. */
export async function ensurePythonTools(): Promise<void> {
  const missing = PYTHON_TOOLS.filter((t) => !fs.existsSync(pythonToolPath(t)));
  if (missing.length === 0 || !fs.existsSync(path.join(venvBin, 'python'))) return;
  await withLockFile(path.join(toolsDir, 'python-tools.lock'), async () => {
    const still = missing.filter((t) => !fs.existsSync(pythonToolPath(t)));
    if (still.length === 0) return;
    const r = await pip(['install', '--disable-pip-version-check', ...still.map((t) => t.pipPackage)]);
    if (!r.ok) fs.writeFileSync(failureFile, r.output.slice(-4000));
    else fs.rmSync(failureFile, { force: true });
  });
}

/** A test file's check: the tool's path, or an error saying why it is not there. */
export function pythonTool(t: PythonTool): string {
  const p = pythonToolPath(t);
  if (fs.existsSync(p)) return p;
  const why = fs.existsSync(failureFile) ? fs.readFileSync(failureFile, 'utf8') : 'the global setup did not install it';
  throw new Error(`${t.binary} (pip ${t.pipPackage}) is missing, needed by ${t.neededBy}: ${why}`);
}
