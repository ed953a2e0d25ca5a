// Debian packages some test files need (scripts/tool-installs.mjs: Chromium's headless shell for the
// browser tests, docker-compose for the deployment test). They are installed once, before any test
// file starts: by `npm test`'s bootstrap beside `npm ci`, else by the global setup. Files run in
// parallel processes, and parallel `apt-get install`s fail on the package manager's lock, so a test
// file only checks for them, and fails with the reason when one is missing.
import fs from 'node:fs';
import { CHROMIUM, DOCKER_COMPOSE, type SystemPackage, systemPackagesFailure } from '../../scripts/tool-installs.mjs';

export { CHROMIUM, DOCKER_COMPOSE };

/** The binary's path; throws, with the install's reason, when it is missing. */
export function requireSystemBinary(b: SystemPackage): string {
  if (fs.existsSync(b.binary)) return b.binary;
  const why = systemPackagesFailure() ?? 'the global setup did not install it';
  throw new Error(
    `${b.binary} is missing, so ${b.neededBy} cannot run: ${why}. Install it with \`apt-get install ${b.debianPackage}\` as root (\`npm test\` does this once, scripts/tool-installs.mjs) and re-run.`,
  );
}
