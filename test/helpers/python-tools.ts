// The PyPI tools some test files run against the running app (scripts/tool-installs.mjs: the SCIM
// conformance suite, schemathesis), each in a venv of its own under .tools/, installed once before any
// test file starts: by `npm test`'s bootstrap beside `npm ci`, else by the global setup. A test file
// only asks for the binary, and fails with the reason when it is missing.
import { isExecutable, type PypiTool, pypiToolFailure, venvBinary } from '../../scripts/tool-installs.mjs';

export { SCHEMATHESIS, SCIM_TESTER } from '../../scripts/tool-installs.mjs';

/**
 * Run a tool's script with this: pip writes the venv's path as the script's `#!` line, and that path is
 * the one of the checkout that installed it (.tools is shared through symlinks, and a worktree that
 * installed it may be gone since), so the script is not run by its own `#!`.
 */
export const venvPython = (tool: PypiTool): string => venvBinary(tool, 'python');

/** A test file's check: the path of the tool's `binary`, or an error saying why it is not there. */
export function pythonTool(tool: PypiTool, binary: string, neededBy: string): string {
  const p = venvBinary(tool, binary);
  if (isExecutable(p)) return p;
  const why = pypiToolFailure(tool) ?? 'the global setup did not install it';
  throw new Error(`${binary} (pip ${tool.packages.join(' ')}) is missing, needed by ${neededBy}: ${why}`);
}
