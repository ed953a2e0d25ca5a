// Debian packages some test files need (Chromium's headless shell for the browser tests,
// docker-compose for the deployment test), installed once per run by the global setup, before any
// test file starts: files run in parallel processes, and parallel `apt-get install`s fail on the
// package manager's lock.
// A test file only checks for them (`requireSystemBinary`), and fails with the reason when missing.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { toolsDir, withLockFile } from '../../launcher/temporal-binaries';

export type SystemBinary = { binary: string; debianPackage: string; neededBy: string };

// The headless shell (Debian's build of the same Chromium; Playwright runs it for headless tests):
// the full browser took 1.9× its CPU on the same browser test files, a third of a CI run's CPU.
export const CHROMIUM: SystemBinary = {
  binary: '/usr/lib/chromium/chromium-headless-shell',
  debianPackage: 'chromium-headless-shell',
  neededBy: 'the browser tests',
};
export const DOCKER_COMPOSE: SystemBinary = { binary: '/usr/bin/docker-compose', debianPackage: 'docker-compose', neededBy: 'the deployment tests' };
export const SYSTEM_BINARIES = [CHROMIUM, DOCKER_COMPOSE];

/** Where the global setup writes why an install failed, for the test files that then find the binary missing. */
const failureFile = path.join(toolsDir, 'system-packages.failure');

const present = (b: SystemBinary): boolean => fs.existsSync(b.binary);

/** apt-get, asynchronously: the global setup bundles the workflows and starts PostgreSQL meanwhile. */
function aptGet(args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    // DPkg::Lock::Timeout: wait for another apt (unattended upgrades, a second test run) rather than fail.
    execFile(
      'apt-get',
      ['-o', 'DPkg::Lock::Timeout=600', ...args],
      { encoding: 'utf8', timeout: 900_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } },
      (error, stdout, stderr) => resolve({ ok: !error, output: `${stdout}${stderr}${error ? error.message : ''}` }),
    );
  });
}

function cannotInstall(): string | undefined {
  if (process.env.OFFBOARDING_NO_APT === '1') return 'OFFBOARDING_NO_APT=1 forbids installing them';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'installing them needs root';
  if (spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status !== 0) return 'there is no apt-get here';
  return undefined;
}

/**
 * Installs whatever of SYSTEM_BINARIES is missing, in one apt-get call under a lock (shared with the
 * Temporal tools' install), saying so in one line. Never throws: a failure is recorded for
 * `requireSystemBinary` to report in the files that need the package.
 */
export async function ensureSystemPackages(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<void> {
  fs.rmSync(failureFile, { force: true });
  if (SYSTEM_BINARIES.every(present)) return;
  await withLockFile(path.join(toolsDir, 'apt.lock'), async () => {
    const missing = SYSTEM_BINARIES.filter((b) => !present(b));
    if (missing.length === 0) return;
    const names = missing.map((b) => b.debianPackage);
    const refusal = cannotInstall();
    if (refusal) {
      fs.writeFileSync(failureFile, `${names.join(' and ')} could not be installed: ${refusal}`);
      return;
    }
    log(`[test setup] installing Debian's ${names.join(' and ')} with apt-get, once for this run (${missing.map((b) => b.neededBy).join(', ')}; a minute or two)`);
    const install = ['install', '-y', '-q', '--no-install-recommends', ...names];
    let r = await aptGet(install);
    if (!r.ok) {
      // A new machine has no package lists yet.
      await aptGet(['update', '-q']);
      r = await aptGet(install);
    }
    if (!r.ok || !missing.every(present)) {
      fs.writeFileSync(failureFile, `apt-get install ${names.join(' ')} failed: ${r.output.trim().slice(-600)}`);
      log(`[test setup] apt-get install ${names.join(' ')} failed; the tests that need them will fail and say why`);
    }
  });
}

/** The binary's path; throws, with the global setup's reason, when it is missing. */
export function requireSystemBinary(b: SystemBinary): string {
  if (present(b)) return b.binary;
  const why = fs.existsSync(failureFile) ? fs.readFileSync(failureFile, 'utf8') : 'the global setup did not install it';
  throw new Error(
    `${b.binary} is missing, so ${b.neededBy} cannot run: ${why}. Install it with \`apt-get install ${b.debianPackage}\` as root (the test run's global setup, test/global-setup.ts, does this once) and re-run.`,
  );
}
