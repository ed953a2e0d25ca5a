// Mailpit, the mail catcher docker-compose.yml runs, built from its Go module at the version compose
// pins (axllent/mailpit:vX.Y.Z) for `npm run test:mail`: its API judges our real emails (HTML support
// across mail clients, links). Built once into .tools/mailpit-<version>/ under a lock file, like the
// Temporal server binaries (temporal-server-binaries.ts); later runs and other checkouts reuse it.
// Only test:mail needs it; `npm test` and CI never do.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { COMPOSE_FILE } from './compose-pins';
import { findOnPath, MissingBinaryError, toolsDir, withLockFile } from './temporal-binaries';

const MODULE = 'github.com/axllent/mailpit';

type Log = (line: string) => void;

const mailpitTag = z.string().regex(/^v\d+\.\d+\.\d+$/, 'must be pinned to a release (vX.Y.Z)');

/** The one `image: axllent/mailpit:<tag>` of docker-compose.yml: the version built here too. */
export function mailpitVersion(file: string = COMPOSE_FILE): string {
  const compose = fs.readFileSync(file, 'utf8');
  const tags = [...compose.matchAll(/^\s*image:\s*["']?axllent\/mailpit:([^"'\s]+)["']?\s*$/gm)].map((m) => m[1] ?? '');
  if (tags.length !== 1) throw new Error(`${path.basename(file)}: expected one axllent/mailpit image, found ${tags.length}`);
  const parsed = mailpitTag.safeParse(tags[0]);
  if (!parsed.success) throw new Error(`${path.basename(file)}: axllent/mailpit:${tags[0]} ${parsed.error.issues[0]?.message ?? 'is not pinned'}`);
  return parsed.data;
}

export const mailpitPath = (version: string) => path.join(toolsDir, `mailpit-${version}`, 'mailpit');

function goInstall(goPath: string, pkg: string, gobin: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    // Outside any module: `go install pkg@version` needs none.
    const child = spawn(goPath, ['install', pkg], { cwd: os.tmpdir(), env: { ...process.env, GOBIN: gobin }, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    child.on('error', (e) => resolve({ code: 127, stderr: `${stderr}${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

/**
 * The path of the pinned Mailpit binary, built on first use (about 1.5 minutes on 2 cores with empty
 * Go caches). Without Go: MissingBinaryError, whose one-line message says what to do.
 */
export async function ensureMailpit(log: Log = (line) => process.stderr.write(`${line}\n`)): Promise<string> {
  const version = mailpitVersion();
  const binary = mailpitPath(version);
  if (fs.existsSync(binary)) return binary;
  const goPath = findOnPath('go');
  if (!goPath) {
    throw new MissingBinaryError(
      `Go is not installed ('go' is not on PATH): test:mail builds Mailpit ${version} from ${MODULE}. Install Go, or run Mailpit from docker-compose.yml`,
    );
  }
  return withLockFile(
    path.join(toolsDir, 'mailpit.lock'),
    async () => {
      if (fs.existsSync(binary)) return binary; // built by whoever held the lock before us
      log(`building Mailpit ${version} (the version docker-compose.yml pins) from ${MODULE}: once, about 1.5 minutes on 2 cores`);
      const tmp = fs.mkdtempSync(path.join(toolsDir, '.build-mailpit-'));
      try {
        const r = await goInstall(goPath, `${MODULE}@${version}`, tmp);
        if (r.code !== 0) throw new Error(`go install ${MODULE}@${version} failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        fs.chmodSync(tmp, 0o755); // mkdtemp made it private
        fs.rmSync(path.dirname(binary), { recursive: true, force: true });
        fs.renameSync(tmp, path.dirname(binary));
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
      if (!fs.existsSync(binary)) throw new Error(`go install ${MODULE}@${version} produced no ${binary}`);
      log(`built ${path.relative(process.cwd(), binary) || binary}`);
      return binary;
    },
    15 * 60_000,
  );
}
