#!/usr/bin/env node
// "Install what is missing" for `npm start` and `npm test` (plain Node, no dependencies):
// runs `npm ci` when node_modules is missing or does not match package-lock.json. With --test-tools
// (the test scripts), it installs what the tests run beside it (scripts/tool-installs.mjs: the
// Temporal binaries, the PyPI test tools, Chromium, docker-compose), once: they need no node_modules,
// and on a fresh machine they take as long as npm ci. `npm start` installs the Temporal binaries on
// first use (launcher/temporal-binaries.ts).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTestTools } from './tool-installs.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`[bootstrap] ${line}\n`);

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  say(`Node.js ${process.versions.node} is too old: this project needs Node.js 20 or newer`);
  process.exit(1);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Why node_modules does not match package-lock.json, or undefined when it does. */
function staleReason() {
  const nodeModules = path.join(root, 'node_modules');
  if (!fs.existsSync(nodeModules)) return 'node_modules is missing';
  const lock = readJson(path.join(root, 'package-lock.json'));
  if (!lock?.packages) return undefined; // nothing to compare with
  // npm's hidden lockfile records what is installed; fall back to each package's package.json.
  const installed = readJson(path.join(nodeModules, '.package-lock.json'))?.packages ?? {};
  for (const [where, entry] of Object.entries(lock.packages)) {
    if (where === '' || !where.startsWith('node_modules/') || entry.link) continue;
    const version = installed[where]?.version ?? readJson(path.join(root, where, 'package.json'))?.version;
    if (version === undefined) {
      if (entry.optional || entry.devOptional || entry.peer) continue; // other platforms' binaries
      return `${where.slice('node_modules/'.length)} is not installed`;
    }
    if (entry.version && version !== entry.version) {
      return `${where.slice('node_modules/'.length)} is ${version}, package-lock.json wants ${entry.version}`;
    }
  }
  return undefined;
}

/** npm ci, when node_modules is stale; false when it failed (said why). */
async function npmCi() {
  const reason = staleReason();
  if (!reason) return true;
  say(`${reason}: running npm ci`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const code = await new Promise((resolve) => {
    const child = spawn(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', () => resolve('not started'));
    child.on('close', (status, signal) => resolve(status ?? signal));
  });
  if (code === 0) return true;
  say(`npm ci failed (exit ${code}): check access to the npm registry and rerun`);
  return false;
}

// A tool that fails to install is reported by the tests that need it, with the reason: not fatal here.
const [installed] = await Promise.all([npmCi(), process.argv.includes('--test-tools') ? ensureTestTools() : undefined]);
if (!installed) process.exit(1);
