// Builds the production Temporal binaries from their Go modules at the versions docker-compose.yml
// pins (compose-pins.ts): the server and temporal-sql-tool from go.temporal.io/server, and the Web UI
// server from github.com/temporalio/ui-server/v2 (its module carries the built UI). They go into
// .tools/ once, under a lock file, like temporal-binaries.ts installs the CLI; later runs reuse them.
// Go's module and build caches stay in their default shared places, so another checkout rebuilds in
// seconds. Only `npm run stack`, test:stack and the stack bench need this; `npm test` and CI never do.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { composePins, type ComposePins } from './compose-pins';
import { findOnPath, MissingBinaryError, toolsDir, withLockFile } from './temporal-binaries';

export type StackBinaries = {
  pins: ComposePins;
  temporalServer: string;
  sqlTool: string;
  uiServer: string;
  /** ui-server's --root: it holds config/docker.yaml, the config template of the temporalio/ui image. */
  uiRoot: string;
};

type Log = (line: string) => void;

const SERVER_MODULE = 'go.temporal.io/server';
const UI_MODULE = 'github.com/temporalio/ui-server/v2';

export const serverDir = (pins: ComposePins) => path.join(toolsDir, `temporal-server-${pins.temporalServer}`);
export const uiDir = (pins: ComposePins) => path.join(toolsDir, `temporal-ui-${pins.temporalUi}`);

function binariesOf(pins: ComposePins): StackBinaries {
  return {
    pins,
    temporalServer: path.join(serverDir(pins), 'temporal-server'),
    sqlTool: path.join(serverDir(pins), 'temporal-sql-tool'),
    uiServer: path.join(uiDir(pins), 'ui-server'),
    uiRoot: uiDir(pins),
  };
}

const complete = (b: StackBinaries) =>
  [b.temporalServer, b.sqlTool, b.uiServer, path.join(b.uiRoot, 'config', 'docker.yaml'), path.join(b.uiRoot, 'config', 'base.yaml')].every((f) =>
    fs.existsSync(f),
  );

function go(goPath: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    // Outside any module: `go install pkg@version` and `go mod download mod@version` need none.
    const child = spawn(goPath, args, { cwd: os.tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    child.on('error', (e) => resolve({ code: 127, stdout, stderr: `${stderr}${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const lastLines = (text: string, n = 3) => text.trim().split('\n').filter((l) => l.trim()).slice(-n).join(' | ') || 'no output';

const downloadInfo = z.object({ Dir: z.string().min(1) });

/** `go install` each package into a scratch GOBIN, then move the binaries into `dir` under their image names. */
async function build(goPath: string, dir: string, installs: { pkg: string; built: string; as: string }[], log: Log, extra?: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(toolsDir, `.build-${path.basename(dir)}-`));
  try {
    for (const i of installs) {
      const r = await go(goPath, ['install', i.pkg], { ...process.env, GOBIN: tmp });
      if (r.code !== 0) throw new Error(`go install ${i.pkg} failed: ${lastLines(r.stderr)}`);
      fs.renameSync(path.join(tmp, i.built), path.join(tmp, i.as));
    }
    await extra?.(tmp);
    fs.chmodSync(tmp, 0o755); // mkdtemp made it private
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
    log(`built ${installs.map((i) => i.as).join(', ')} into ${path.relative(process.cwd(), dir) || dir}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The server, temporal-sql-tool and ui-server of the pinned versions, built on first use (about 8
 * minutes on 2 cores with empty Go caches). Without Go this fails with one line that points to
 * docker compose, which runs the same topology from the published images.
 */
export async function ensureStackBinaries(log: Log = (line) => process.stderr.write(`${line}\n`)): Promise<StackBinaries> {
  const pins = composePins();
  const wanted = binariesOf(pins);
  if (complete(wanted)) return wanted;
  const goPath = findOnPath('go');
  if (!goPath) {
    throw new MissingBinaryError(
      `Go is not installed ('go' is not on PATH): the production topology builds the Temporal server ${pins.temporalServer} from ${SERVER_MODULE}. ` +
        'Install Go, or run the same topology from the published images with `docker compose up -d --build`',
    );
  }
  // A concurrent build (another terminal, another test file) may hold the lock for minutes.
  return withLockFile(
    path.join(toolsDir, 'temporal-server.lock'),
    async () => {
      const started = Date.now();
      const progress = setInterval(() => log(`still building (${Math.round((Date.now() - started) / 60_000)} min)…`), 60_000);
      try {
        if (![wanted.temporalServer, wanted.sqlTool].every((f) => fs.existsSync(f))) {
          log(`building the Temporal server and temporal-sql-tool ${pins.temporalServer} (the version docker-compose.yml pins) from ${SERVER_MODULE}: once, about 8 minutes on 2 cores`);
          await build(goPath, serverDir(pins), [
            { pkg: `${SERVER_MODULE}/cmd/server@v${pins.temporalServer}`, built: 'server', as: 'temporal-server' },
            { pkg: `${SERVER_MODULE}/cmd/tools/sql@v${pins.temporalServer}`, built: 'sql', as: 'temporal-sql-tool' },
          ], log);
        }
        if (!complete(wanted)) {
          log(`building the Temporal Web UI server ${pins.temporalUi} (the temporalio/ui version docker-compose.yml pins) from ${UI_MODULE}`);
          await build(goPath, uiDir(pins), [{ pkg: `${UI_MODULE}/cmd/server@v${pins.temporalUi}`, built: 'server', as: 'ui-server' }], log, async (tmp) => {
            // The image starts `ui-server --env docker start` with the module's config/docker.yaml.
            const r = await go(goPath, ['mod', 'download', '-json', `${UI_MODULE}@v${pins.temporalUi}`], process.env);
            if (r.code !== 0) throw new Error(`go mod download ${UI_MODULE}@v${pins.temporalUi} failed: ${lastLines(r.stderr)}`);
            const { Dir } = downloadInfo.parse(JSON.parse(r.stdout));
            fs.mkdirSync(path.join(tmp, 'config'));
            fs.copyFileSync(path.join(Dir, 'config', 'docker.yaml'), path.join(tmp, 'config', 'docker.yaml'));
            // ui-server reads base.yaml first, then docker.yaml (which leaves `host` unset: every
            // interface, right for a container). On a workstation the UI stays on loopback.
            fs.writeFileSync(path.join(tmp, 'config', 'base.yaml'), '# written by launcher/temporal-server-binaries.ts\nhost: 127.0.0.1\n');
          });
        }
      } finally {
        clearInterval(progress);
      }
      if (!complete(wanted)) throw new Error(`the Temporal binaries are incomplete in ${toolsDir}`);
      return wanted;
    },
    45 * 60_000,
  );
}
