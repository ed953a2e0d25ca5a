// The runtime as a user meets it: the dev server fixture, `npm start`'s supervisor end to end, and
// the one-line errors of bad configuration.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitUntil } from './helpers/wait-until';
import { loadSettings, projectRoot } from '../config/settings';
import { findTemporalCli } from '../launcher/temporal-binaries';
import { registerSearchAttributes } from '../worker/search-attributes';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../workflows/contract';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { freePort } from './helpers/free-port';
import { sharedDevServerEnvironment, startDevServerEnvironment, type DevServerEnvironment } from './helpers/temporal';
import { budget } from './helpers/time-budget';
import { tsEntryArgs } from '../launcher/ts-entry';

const INDEXED_TYPE_NUMBER = { Keyword: 2, Int: 3, Datetime: 6 } as const;

/** Running (a zombie waiting for a parent that never reaps it has stopped running: not alive). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may contain spaces, so read after the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return !fs.existsSync('/proc/self/stat'); // no procfs: trust kill(0)
  }
}

/** Every process below `root` right now (from ps). */
function descendants(root: number): { pid: number; cmd: string }[] {
  const out = spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).stdout;
  const rows = out
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), cmd: m[3] ?? '' }));
  const found: { pid: number; cmd: string }[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const r of rows) {
      if (r.ppid === parent) {
        found.push({ pid: r.pid, cmd: r.cmd });
        queue.push(r.pid);
      }
    }
  }
  return found;
}


/** Environment for a child process: the test run's, minus anything that points at real services. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'METRICS_PORT', 'WORKFLOW_BUNDLE_PATH', 'WEB_PORT', 'WEB_PUBLIC_URL', 'WEB_LINK_SECRET', 'WEB_AUTH']) {
    delete env[k];
  }
  return { ...env, ...extra };
}

/**
 * The run's workflow bundle for the supervisor runs that test something else than a first start
 * (stopping, orphans, a refused setting): without it each one bundles the workflows with webpack
 * again, ~7 CPU-seconds. The first `npm start` below bundles as a user's does.
 */
function prebuiltBundle(): Record<string, string> {
  const file = inject('workflowBundlePath');
  return file ? { WORKFLOW_BUNDLE_PATH: file } : {};
}

/** Runs `command` in a shell, as someone would paste it into a terminal. */
function runInShell(command: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not exit within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function runToExit(script: string, env: Record<string, string>, timeoutMs = budget(240_000)): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, tsEntryArgs(script), {
      cwd: projectRoot,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not exit within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function expectOneClearLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  const errors = lines.filter((l) => l.startsWith('error: '));
  expect(errors, stderr).toHaveLength(1);
  expect(errors[0]).toMatch(pattern);
  expect(lines.some((l) => /^\s+at /.test(l)), `no stack trace expected:\n${stderr}`).toBe(false);
}

describe('dev server fixture', () => {
  let env: DevServerEnvironment | undefined;
  beforeAll(async () => {
    env = await startDevServerEnvironment();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('runs on free ports with every search attribute registered, and stops leaving no process', async () => {
    expect(env!.address).not.toMatch(/:7233$/);
    const { customAttributes } = await env!.connection.operatorService.listSearchAttributes({ namespace: env!.namespace });
    for (const sa of SEARCH_ATTRIBUTE_REGISTRATIONS) {
      expect(customAttributes?.[sa.name], sa.name).toBe(INDEXED_TYPE_NUMBER[sa.type]);
    }
    // Registering again (what the worker does against any server) is a no-op, not an error.
    expect(await registerSearchAttributes(env!.connection, env!.namespace)).toEqual([]);
    const pid = env!.pid;
    expect(alive(pid)).toBe(true);
    await env!.stop();
    env = undefined;
    expect(alive(pid)).toBe(false);
  });
});

describe('a dev server whose owner is killed', () => {
  let owner: ChildProcess | undefined;
  let seen: { pid: number; cmd: string }[] = [];
  afterAll(() => {
    for (const p of seen) if (alive(p.pid)) process.kill(p.pid, 'SIGKILL');
    if (owner?.pid && alive(owner.pid)) owner.kill('SIGKILL');
  });

  it('stops when its owner dies by SIGKILL (no exit hook runs), leaving no process', async () => {
    const cliPath = await findTemporalCli(loadSettings());
    if (!cliPath) throw new Error('no Temporal CLI: the global setup installs it');
    const [port, uiPort] = [await freePort(), await freePort()];
    const script = [
      `import { startDevServer } from ${JSON.stringify(path.join(projectRoot, 'launcher', 'temporal-dev-server.ts'))};`,
      `await startDevServer({ cliPath: ${JSON.stringify(cliPath)}, port: ${port}, uiPort: ${uiPort}, headless: true });`,
      `process.stdout.write('ready\\n');`,
      `setInterval(() => undefined, 60_000);`,
    ].join('\n');
    owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, env: childEnv({}), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    owner.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitUntil('the owner to start a dev server', () => out.includes('ready'), 60_000);
    seen = descendants(owner.pid!);
    expect(seen.some((p) => p.cmd.includes('server start-dev'))).toBe(true);

    owner.kill('SIGKILL');
    await waitUntil('the dev server to stop after its owner died', () => seen.every((p) => !alive(p.pid)), 15_000);
  }, budget(90_000));
});

describe('npm start (the supervisor)', () => {
  let supervisor: ChildProcess | undefined;
  let seen: { pid: number; cmd: string }[] = [];
  let dataDir = '';
  let output = '';

  afterAll(async () => {
    // Whatever happened, nothing this test started may outlive it.
    for (const p of [...seen, ...(supervisor?.pid ? [{ pid: supervisor.pid, cmd: 'supervisor' }] : [])]) {
      if (alive(p.pid)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('comes up with worker, Web UI and demo data, and Ctrl-C leaves no process behind', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-start-'));
    fs.chmodSync(dataDir, 0o755); // the postgres user (we may be root) must traverse it
    const [pgPort, temporalPort, uiPort, metricsPort, webPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    const started = Date.now();
    supervisor = spawn(process.execPath, tsEntryArgs('launcher/start.ts'), {
      cwd: projectRoot,
      env: childEnv({
        OFFBOARDING_DATA_DIR: dataDir,
        EMBEDDED_PG_PORT: String(pgPort),
        TEMPORAL_PORT: String(temporalPort),
        TEMPORAL_UI_PORT: String(uiPort),
        METRICS_PORT: String(metricsPort),
        WEB_PORT: String(webPort),
        WEB_PUBLIC_URL: `http://127.0.0.1:${webPort}`,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, like a shell job: Ctrl-C below goes to the whole group.
      detached: true,
    });
    supervisor.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    supervisor.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    let exited: number | null | undefined;
    supervisor.on('exit', (code) => (exited = code));

    await waitUntil('the start-up banner', () => {
      if (exited !== undefined) throw new Error(`npm start exited (${exited}):\n${output}`);
      return output.includes('Press Ctrl-C to stop everything.');
    }, 240_000);
    const upSeconds = (Date.now() - started) / 1000;
    seen = descendants(supervisor.pid!);

    // The banner says where things are.
    expect(output).toContain(`Temporal Web UI : http://localhost:${uiPort}`);
    expect(output).toMatch(/npx offboard start \d+ \d+ --by \d+ --dry-run/);
    expect(output).toContain(`Web app         : http://127.0.0.1:${webPort}`);
    // The printed CLI commands work as printed in another terminal (whose environment does not have
    // the moved ports): they carry the variables they need.
    const printed = (args: RegExp) => output.split('\n').map((l) => /^\s+(.*npx offboard .*?)\s+# /.exec(l)?.[1]).find((c) => c !== undefined && args.test(c));
    const commands = [printed(/npx offboard report$/), printed(/--dry-run$/)];
    for (const command of commands) {
      expect(command, output).toBeDefined();
      expect(command).toContain(`EMBEDDED_PG_PORT=${pgPort}`);
    }
    const otherTerminal = childEnv({});
    for (const k of ['EMBEDDED_PG_PORT', 'TEMPORAL_PORT', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'OFFBOARDING_DATA_DIR']) delete otherTerminal[k];
    // Two terminals at once: each command is an npx start-up of its own, seconds of waiting apiece.
    const runs = await Promise.all(commands.map((command) => runInShell(command!, otherTerminal, budget(120_000))));
    for (const [i, run] of runs.entries()) {
      expect(run.status, `${commands[i]}\n${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout.trim()).not.toBe('');
    }
    // The web app answers, with the secret npm start generated into the data folder (owner-only).
    expect((await fetch(`http://127.0.0.1:${webPort}/signin`)).status).toBe(200);
    expect(fs.statSync(path.join(dataDir, 'web-link-secret')).mode & 0o777).toBe(0o600);

    // The worker runs, the Web UI answers, the demo directory is there.
    const workerPid = Number(/worker running \(pid (\d+)\)/.exec(output)?.[1]);
    expect(alive(workerPid)).toBe(true);
    expect(seen.some((p) => p.cmd.includes('temporal server start-dev'))).toBe(true);
    expect(seen.some((p) => p.cmd.includes('bin/postgres'))).toBe(true);
    const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
    expect(ui.status).toBe(200);
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    // The worker logs JSON lines.
    expect(output).toMatch(/^\{"time":"[^"]+","level":"info","message":"worker started"/m);
    const sql = postgres(`postgres://postgres:postgres@127.0.0.1:${pgPort}/offboarding`, { max: 1, onnotice: () => undefined });
    try {
      const [row] = await sql`select count(*)::int as n from users`;
      expect(row!.n).toBeGreaterThanOrEqual(25);
    } finally {
      await sql.end({ timeout: 5 });
    }

    // Ctrl-C as a terminal sends it (to the foreground process group), and as npm passes it on (to
    // its child): worker, then Temporal, then PostgreSQL; exit 0; nothing left, and nothing said as
    // if Ctrl-C had been pressed twice.
    const stopAt = Date.now();
    process.kill(-supervisor.pid!, 'SIGINT');
    process.kill(supervisor.pid!, 'SIGINT');
    await waitUntil('npm start to exit', () => exited !== undefined, 90_000);
    expect(exited, output).toBe(0);
    expect(output).not.toContain('already stopping');
    const order = ['stopping the web app', 'stopping the worker', 'stopping Temporal', 'stopping PostgreSQL'].map((s) => output.indexOf(s));
    expect(order.every((i, n) => i >= 0 && (n === 0 || order[n - 1]! < i)), output).toBe(true);
    // A child may still be exiting (and the esbuild service of a run-ts build): allow it a moment.
    await waitUntil('every child to be gone', () => seen.every((p) => !alive(p.pid)), 5_000).catch(() => undefined);
    const left = seen.filter((p) => alive(p.pid));
    expect(left, JSON.stringify(left)).toEqual([]);
    process.stdout.write(`npm start: up in ${upSeconds.toFixed(1)}s, stopped in ${((Date.now() - stopAt) / 1000).toFixed(1)}s\n`);
  }, budget(360_000));
});

describe('npm start under a pipe whose reader is killed (`npm start 2>&1 | tee start.log`, then Ctrl-C)', () => {
  let reader: ChildProcess | undefined;
  let supervisor: ChildProcess | undefined;
  let seen: { pid: number; cmd: string }[] = [];
  let dataDir = '';

  afterAll(() => {
    // Whatever happened, nothing this test started may outlive it; a failure before the snapshot
    // below still finds the supervisor's children.
    const running = supervisor?.pid && alive(supervisor.pid) ? descendants(supervisor.pid) : [];
    for (const p of [...seen, ...running, supervisor, reader]) {
      if (p?.pid && alive(p.pid)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops everything it started, within 30 s', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-pipe-'));
    fs.chmodSync(dataDir, 0o755); // the postgres user (we may be root) must traverse it
    const [pgPort, temporalPort, uiPort, webPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    reader = spawn('tee', [path.join(dataDir, 'start.log')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    reader.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    supervisor = spawn(process.execPath, tsEntryArgs('launcher/start.ts'), {
      cwd: projectRoot,
      env: childEnv({
        OFFBOARDING_DATA_DIR: dataDir,
        EMBEDDED_PG_PORT: String(pgPort),
        TEMPORAL_PORT: String(temporalPort),
        TEMPORAL_UI_PORT: String(uiPort),
        WEB_PORT: String(webPort),
        ...prebuiltBundle(),
      }),
      // 2>&1 | tee: both streams into the reader's pipe.
      stdio: ['ignore', reader.stdin!, reader.stdin!],
      detached: true, // its own process group, like a shell job
    });
    // The supervisor holds the pipe's write end now; once tee dies, the pipe has no reader left.
    reader.stdin!.destroy();
    let exited: number | null | undefined;
    supervisor.on('exit', (code) => (exited = code));

    await waitUntil('the start-up banner', () => {
      if (exited !== undefined) throw new Error(`npm start exited (${exited}):\n${output}`);
      return output.includes('Press Ctrl-C to stop everything.');
    }, 240_000);
    seen = [{ pid: supervisor.pid!, cmd: 'npm start (launcher/start.ts)' }, ...descendants(supervisor.pid!)];
    expect(seen.some((p) => p.cmd.includes('worker/main.ts')), JSON.stringify(seen)).toBe(true);
    expect(seen.some((p) => p.cmd.includes('client/web/main.ts')), JSON.stringify(seen)).toBe(true);

    reader.kill('SIGKILL');
    await waitUntil('tee to die', () => reader!.exitCode !== null || reader!.signalCode !== null, 5_000);
    // A terminal's Ctrl-C: SIGINT to the foreground process group (tee, in it too, is already gone).
    const stopAt = Date.now();
    process.kill(-supervisor.pid!, 'SIGINT');
    const left = () => seen.filter((p) => alive(p.pid));
    await waitUntil('every process npm start started to be gone', () => left().length === 0, 30_000).catch(() => undefined);
    const seconds = (Date.now() - stopAt) / 1000;
    expect(left(), JSON.stringify(left())).toEqual([]);
    // Gone is not yet reaped: Node reports the exit a moment after the process ends.
    await waitUntil('npm start to report its exit', () => exited !== undefined, 10_000);
    // It stopped in order and said so (to nobody): not a crash on the closed pipe.
    expect(exited).toBe(0);
    process.stdout.write(`npm start under a killed pipe reader: nothing left ${seconds.toFixed(1)}s after Ctrl-C\n`);
  }, budget(360_000));
});

describe('a worker whose supervisor dies while the worker starts', () => {
  // PostgreSQL and Temporal not its own (DATABASE_URL, TEMPORAL_ADDRESS: a database and a namespace
  // of the run's shared server): they outlive the supervisor, so nothing but the worker's own guard can end it.
  let services: DevServerEnvironment | undefined;
  let database: TestDatabase | undefined;
  let supervisor: ChildProcess | undefined;
  let seen: { pid: number; cmd: string }[] = [];
  let dataDir = '';
  const servicesEnv = () => ({ DATABASE_URL: database!.url, TEMPORAL_ADDRESS: services!.address, TEMPORAL_NAMESPACE: services!.namespace });
  beforeAll(async () => {
    [services, database] = await Promise.all([sharedDevServerEnvironment(), createTestDatabase()]);
  });
  afterAll(async () => {
    for (const p of [...seen, supervisor]) {
      if (p?.pid && alive(p.pid)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
    await services?.stop();
    await database?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves as soon as it is connected, by its own check rather than by an uncaught exception', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-orphan-'));
    supervisor = spawn(process.execPath, tsEntryArgs('launcher/start.ts'), {
      cwd: projectRoot,
      env: childEnv({ OFFBOARDING_DATA_DIR: dataDir, ...servicesEnv(), WEB_PORT: String(await freePort()), ...prebuiltBundle() }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    supervisor.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    supervisor.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    let exited: number | null | undefined;
    supervisor.on('exit', (code) => (exited = code));

    // The worker process exists from "starting the worker" on, seconds before it is connected.
    let worker: { pid: number; cmd: string } | undefined;
    await waitUntil('the worker process', () => {
      if (exited !== undefined) throw new Error(`npm start exited (${exited}):\n${output}`);
      seen = descendants(supervisor!.pid!);
      worker = seen.find((p) => p.cmd.includes('worker/main.ts'));
      return worker !== undefined;
    }, 240_000);
    supervisor.kill('SIGKILL');

    // Its start-up steps are bounded (PostgreSQL 30 s, Temporal 15 s + 15 s); it then leaves.
    await waitUntil('the worker to leave', () => !alive(worker!.pid), 90_000).catch(() => undefined);
    expect(alive(worker!.pid), output).toBe(false);
    // (Listening already when the supervisor died, it shuts down as it would later on.)
    expect(output).toMatch(/worker not started: npm start, which started it, is gone|worker shutting down \(supervisor gone\)/);
    expect(output).not.toContain('uncaught exception');
  }, budget(360_000));

  it('leaves no web app or worker behind when the supervisor is killed once everything runs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-orphan-web-'));
    const killed = spawn(process.execPath, tsEntryArgs('launcher/start.ts'), {
      cwd: projectRoot,
      env: childEnv({ OFFBOARDING_DATA_DIR: dir, ...servicesEnv(), WEB_PORT: String(await freePort()), ...prebuiltBundle() }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    killed.stdout.on('data', (d: Buffer) => (output += d.toString()));
    killed.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await waitUntil('the start-up banner', () => output.includes('Press Ctrl-C to stop everything.'), 240_000);
      const children = descendants(killed.pid!);
      const web = children.find((p) => p.cmd.includes('client/web/main.ts'));
      const worker = children.find((p) => p.cmd.includes('worker/main.ts'));
      expect(web && worker, JSON.stringify(children)).toBeTruthy();
      seen.push(...children);
      killed.kill('SIGKILL');
      // Their IPC channel closes with the supervisor: each stops by itself.
      await waitUntil('web app and worker to leave', () => !alive(web!.pid) && !alive(worker!.pid), 60_000).catch(() => undefined);
      expect({ web: alive(web!.pid), worker: alive(worker!.pid) }, output).toEqual({ web: false, worker: false });
      expect(output).toContain('web app stopping (supervisor gone)');
    } finally {
      if (killed.pid && alive(killed.pid)) killed.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, budget(360_000));
});

// Each case is a process of its own that exits: they run side by side (the unreachable-Temporal one
// waits out the worker's 10 s connect timeout meanwhile). Five at once on a loaded machine take a
// few times longer apiece than one alone (~95 s each at load 40): hence their own budget.
describe.concurrent('bad configuration: one clear line, non-zero exit', { timeout: budget(300_000) }, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('worker: unreachable DATABASE_URL', async () => {
    const r = await runToExit('worker/main.ts', { DATABASE_URL: `postgres://u:secret@127.0.0.1:${await freePort()}/x` });
    expect(r.code).toBe(1);
    expectOneClearLine(r.stderr, /cannot reach PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:\d+\/x: .*ECONNREFUSED.*DATABASE_URL/);
    expect(r.stderr).not.toContain('secret');
  });

  it('worker: malformed TEMPORAL_ADDRESS', async () => {
    const r = await runToExit('worker/main.ts', { TEMPORAL_ADDRESS: 'http://temporal' });
    expect(r.code).toBe(1);
    expectOneClearLine(r.stderr, /invalid configuration: TEMPORAL_ADDRESS.*host:port/);
  });

  it('worker: unreachable Temporal', async () => {
    const r = await runToExit('worker/main.ts', { DATABASE_URL: t.url, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
    expect(r.code).toBe(1);
    expectOneClearLine(r.stderr, /cannot reach Temporal at 127\.0\.0\.1:\d+: .*TEMPORAL_ADDRESS/);
  });

  it('npm start: malformed TEMPORAL_ADDRESS', async () => {
    const r = await runToExit('launcher/start.ts', { TEMPORAL_ADDRESS: 'localhost' });
    expect(r.code).toBe(1);
    expectOneClearLine(r.stderr, /invalid configuration: TEMPORAL_ADDRESS/);
  });

  it('npm start: a TEMPORAL_CLI_PATH that is not a binary', async () => {
    // A database of its own: npm start seeds it, while the worker cases beside it read theirs.
    const own = await createTestDatabase();
    try {
      const r = await runToExit('launcher/start.ts', { DATABASE_URL: own.url, TEMPORAL_CLI_PATH: '/nonexistent/temporal', TEMPORAL_PORT: String(await freePort()), ...prebuiltBundle() });
      expect(r.code).toBe(1);
      expectOneClearLine(r.stderr, /TEMPORAL_CLI_PATH=\/nonexistent\/temporal is not an executable/);
    } finally {
      await own.drop();
    }
  });
});
