// `npm run stack` as a user runs it (launcher/stack-supervisor.ts, embedded PostgreSQL, free ports):
// it comes up with the real Temporal server, the Web UI and two workers that run a batch; every setup
// job of compose (deploy/temporal/setup-schema.sh, deploy/temporal/setup-namespace.sh with
// deploy/register-search-attributes.sh, the migrate job) run a second time changes nothing in any of
// the three databases or in Temporal; Ctrl-C stops everything and leaves no process behind. Also: the
// server and the jobs get compose's environment (resolved by docker-compose), so the two cannot drift.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startBatchWorkflow } from '../../client/start-batch';
import { projectRoot } from '../../config/settings';
import { temporalDatabaseOf } from '../../launcher/stack';
import { migrateJob, namespaceJob, runJob, schemaJob } from '../../launcher/stack-jobs';
import { stackProcesses } from '../../launcher/stack-processes';
import { temporalServerEnv, temporalSqlEnv, temporalServerPorts, DYNAMIC_CONFIG_FILE } from '../../launcher/temporal-server';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../workflows/contract';
import { freePort } from '../helpers/free-port';
import { alive, descendants, processWatch } from '../helpers/processes';
import { tsEntryArgs } from '../../launcher/ts-entry';

const NAMESPACE = 'offboarding';

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const dbUrl = (base: string, database: string) => {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
};

/** Everything the setup jobs own, in one comparable value: schemas, versions, namespaces, search attributes, migrations. */
async function snapshot(appUrl: string, connection: Connection): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const database of ['temporal', 'temporal_visibility', 'offboarding']) {
    const sql = postgres(dbUrl(appUrl, database), { max: 1, onnotice: () => undefined });
    try {
      out[`${database}.columns`] = await sql`
        select table_schema, table_name, column_name, data_type, is_nullable, column_default
          from information_schema.columns where table_schema in ('public', 'drizzle') order by 1, 2, 3`;
      out[`${database}.indexes`] = await sql`select schemaname, tablename, indexname, indexdef from pg_indexes where schemaname in ('public', 'drizzle') order by 1, 2, 3`;
      if (database !== 'offboarding') {
        out[`${database}.schema_version`] = await sql`select * from schema_version`;
        out[`${database}.schema_update_history`] = await sql`select year, month, update_time, old_version, new_version, manifest_md5 from schema_update_history order by update_time`;
      }
      if (database === 'temporal') {
        out['temporal.namespaces'] = await sql`select id, name, notification_version, md5(data) as data, is_global from namespaces order by name`;
        out['temporal.namespace_metadata'] = await sql`select * from namespace_metadata`;
        out['temporal.cluster_metadata_info'] = await sql`select cluster_name, version, md5(data) as data from cluster_metadata_info order by 1`;
      }
      if (database === 'offboarding') {
        out['offboarding.migrations'] = await sql`select id, hash, created_at from drizzle.__drizzle_migrations order by id`;
        out['offboarding.users'] = await sql`select count(*)::int as n from users`;
      }
    } finally {
      await sql.end({ timeout: 5 });
    }
  }
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
  out.searchAttributes = customAttributes;
  const ns = await connection.workflowService.describeNamespace({ namespace: NAMESPACE });
  out.namespace = { id: ns.namespaceInfo?.id, retentionSeconds: Number(ns.config?.workflowExecutionRetentionTtl?.seconds ?? 0) };
  return out;
}

type Supervisor = { child: ChildProcess; output: () => string; exited: () => number | null | undefined; dataDir: string; ports: { pg: number; temporal: number; ui: number; web: number } };

/**
 * `npm run stack` (its entry point) on free ports with its data in a temp folder, in its own process
 * group like a shell job. Put in `launched` before it is up, so a start-up that fails or times out
 * is cleaned up too.
 */
async function launch(launched: Supervisor[]): Promise<Supervisor> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-npm-run-stack-'));
  fs.chmodSync(dataDir, 0o755);
  // Every port free, the web app's too: the defaults (3000, 7233, …) may be another engineer's npm start.
  const ports = { pg: await freePort(), temporal: await freePort(), ui: await freePort(), web: await freePort() };
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'METRICS_PORT', 'WEB_PUBLIC_URL', 'WEB_LINK_SECRET']) delete env[k];
  const child = spawn(process.execPath, tsEntryArgs('launcher/stack-supervisor.ts'), {
    cwd: projectRoot,
    env: {
      ...env,
      OFFBOARDING_DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(ports.pg),
      TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      WEB_PORT: String(ports.web),
      TEMPORAL_NAMESPACE: NAMESPACE,
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  let exited: number | null | undefined;
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  child.on('exit', (code) => (exited = code));
  const s = { child, output: () => output, exited: () => exited, dataDir, ports };
  launched.push(s);
  await waitUntil('the banner of npm run stack', () => {
    if (exited !== undefined) throw new Error(`npm run stack exited (${exited}):\n${output}`);
    return output.includes('Press Ctrl-C to stop everything.');
  }, 600_000);
  return s;
}

describe('npm run stack', () => {
  const launched: Supervisor[] = [];
  const watch = processWatch();

  afterEach(() => {
    // Whatever happened, nothing a test started may outlive it (nor run on under the next one).
    watch.look();
    // The group only while its leader runs: once it has exited, its pid (the group's id) may be
    // another process's; what it left behind was seen by look() and is killed by pid and start time.
    for (const s of launched) if (s.child.pid && s.exited() === undefined) process.kill(-s.child.pid, 'SIGKILL');
    watch.killLeftovers();
    for (const s of launched.splice(0)) fs.rmSync(s.dataDir, { recursive: true, force: true });
  });

  it('comes up, runs a batch on two workers, setup jobs run again change nothing, Ctrl-C leaves no process', async () => {
    const started = Date.now();
    const s = await launch(launched);
    const supervisor = s.child;
    const output = s.output;
    const { dataDir } = s;
    const [pgPort, temporalPort, uiPort, webPort] = [s.ports.pg, s.ports.temporal, s.ports.ui, s.ports.web];
    const upSeconds = (Date.now() - started) / 1000;
    watch.look();
    const running = descendants(supervisor.pid!);
    expect(running.some((p) => p.cmd.includes('temporal-server start')), output()).toBe(true);
    expect(running.some((p) => p.cmd.includes('ui-server') && p.cmd.includes('--env docker start'))).toBe(true);
    expect(running.filter((p) => p.cmd.includes('worker/main.ts') && !p.cmd.includes('esbuild'))).toHaveLength(2);
    expect(running.some((p) => p.cmd.includes('bin/postgres'))).toBe(true);
    expect(running.filter((p) => p.cmd.includes('client/web/main.ts') && !p.cmd.includes('esbuild'))).toHaveLength(1);
    expect(output()).toContain(`Temporal Web UI : http://127.0.0.1:${uiPort}`);
    // The origin emails link to follows WEB_PORT, and the web app's sign-in page answers there.
    expect(output()).toContain(`Web app         : http://localhost:${webPort} `);
    const signIn = await fetch(`http://127.0.0.1:${webPort}/signin`);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain('<h1>Sign in</h1>');
    // The jobs ran as compose runs them, and said so.
    for (const line of ['Temporal schemas are up to date', `namespace ${NAMESPACE} created`, 'migrations applied', `namespace ${NAMESPACE} is ready`]) {
      expect(output(), line).toContain(line);
    }
    for (const sa of SEARCH_ATTRIBUTE_REGISTRATIONS) expect(output()).toContain(`search attribute ${sa.name} (${sa.type}) registered in ${NAMESPACE}`);

    const appUrl = `postgres://postgres:postgres@127.0.0.1:${pgPort}/offboarding`;
    const address = `127.0.0.1:${temporalPort}`;
    const connection = await Connection.connect({ address });
    try {
      const client = new Client({ connection, namespace: NAMESPACE });
      // A batch of one new user with nothing open, started as the CLI starts one, runs to the end.
      const sql = postgres(appUrl, { max: 1, onnotice: () => undefined });
      let leaver = 0;
      let admin = 0;
      try {
        const [a] = await sql<{ id: number }[]>`select id from users where directory_permission = 'admin' and status = 'active' order by id limit 1`;
        admin = a?.id ?? 0;
        const [l] = await sql<{ id: number }[]>`insert into users (name, email, company, manager_id) values ('Stack Leaver', 'stack.leaver@example.com', 'Acme', ${admin}) returning id`;
        leaver = l?.id ?? 0;
      } finally {
        await sql.end({ timeout: 5 });
      }
      expect(admin * leaver, 'the demo directory has an admin').toBeGreaterThan(0);
      const handle = await startBatchWorkflow(client, 'offboarding', { batchId: `stack-${process.pid}`, userIds: [leaver], requestedBy: admin, reason: 'npm run stack test', effectiveAt: null, successors: {}, policy: {} });
      const summary = await handle.result();
      expect(summary.inactivated).toEqual([leaver]);
      // Both workers poll the task queue.
      const pollers = await connection.workflowService.describeTaskQueue({ namespace: NAMESPACE, taskQueue: { name: 'offboarding' }, taskQueueType: 1 });
      expect(new Set((pollers.pollers ?? []).map((p) => p.identity)).size).toBeGreaterThanOrEqual(2);
      // The Web UI answers, and its API reads this server's visibility.
      expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200);
      const listed = (await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/namespaces/${NAMESPACE}/workflows?query=${encodeURIComponent(`WorkflowId = '${handle.workflowId}'`)}`)).json()) as { executions?: unknown[] };
      expect(listed.executions ?? []).toHaveLength(1);

      // Every setup job again, in compose's order, against the running stack: nothing changes.
      const before = await snapshot(appUrl, connection);
      const binDir = path.join(dataDir, 'stack', 'bin');
      const db = temporalDatabaseOf(appUrl);
      const again = [
        await runJob(schemaJob(db, binDir)),
        await runJob(migrateJob(appUrl)),
        await runJob(namespaceJob({ address, namespace: NAMESPACE, retention: '720h', binDir })),
      ];
      const after = await snapshot(appUrl, connection);
      expect(after).toEqual(before);
      const [schemaRun, , namespaceRun] = again;
      expect(schemaRun!.output).toContain('Temporal schemas are up to date');
      expect(namespaceRun!.output).toContain(`namespace ${NAMESPACE} exists`);
      for (const sa of SEARCH_ATTRIBUTE_REGISTRATIONS) expect(namespaceRun!.output).toContain(`search attribute ${sa.name} (${sa.type}) already registered`);
      console.log(`setup jobs run again: ${again.map((j) => `${j.name} ${(j.ms / 1000).toFixed(1)} s`).join(', ')}; snapshot keys: ${Object.keys(before).length}`);
    } finally {
      await connection.close();
    }

    // Ctrl-C as a terminal sends it: workers, Web UI, Temporal, PostgreSQL; exit 0; nothing left.
    const stopAt = Date.now();
    watch.look();
    process.kill(-supervisor.pid!, 'SIGINT');
    await waitUntil('npm run stack to exit', () => s.exited() !== undefined, 120_000);
    expect(s.exited(), output()).toBe(0);
    const order = ['stopping web', 'stopping worker-2', 'stopping worker-1', 'stopping the Web UI', 'stopping Temporal', 'stopping PostgreSQL'].map((line) => output().indexOf(line));
    expect(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)), output().slice(-3000)).toBe(true);
    await waitUntil('every child to be gone', () => watch.leftovers().length === 0, 10_000).catch(() => undefined);
    expect(watch.leftovers()).toEqual([]);
    console.log(`npm run stack: up in ${upSeconds.toFixed(1)} s (binaries already built), stopped in ${((Date.now() - stopAt) / 1000).toFixed(1)} s; ${watch.seen().length} processes seen, none left`);
  });

  it('SIGKILLed itself (no handler runs), it leaves no process: every part notices its owner is gone', async () => {
    const s = await launch(launched);
    watch.look();
    // Those whose start time was read: a pid alone may be reused before the wait below ends.
    const parts = descendants(s.child.pid!).filter((p) => p.start !== undefined);
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.filter((p) => p.cmd.includes('client/web/main.ts') && !p.cmd.includes('esbuild'))).toHaveLength(1);
    const left = () => parts.filter((p) => alive(p.pid, p.start));
    const killedAt = Date.now();
    process.kill(s.child.pid!, 'SIGKILL'); // the supervisor alone, not its group
    // Workers see their IPC channel close and drain (up to 20 s); PostgreSQL's host likewise; the
    // server and the UI are stopped by exit-with-parent when its stdin pipe closes.
    await waitUntil('every part of the stack to stop', () => left().length === 0, 90_000).catch(() => undefined);
    expect(left().map(({ pid, cmd }) => ({ pid, cmd }))).toEqual([]);
    console.log(`npm run stack SIGKILLed: all ${parts.length} processes gone ${((Date.now() - killedAt) / 1000).toFixed(1)} s later`);
  });
});

describe("the stack's server and jobs get compose's environment", () => {
  // docker-compose 1.29 prints short-syntax volumes as "source:target:mode".
  type Service = { environment?: Record<string, string | null>; volumes?: string[]; command?: string[] };
  const compose = (): Record<string, Service> => {
    const resolved = spawnSync('docker-compose', ['-f', path.join(projectRoot, 'docker-compose.yml'), 'config'], { cwd: projectRoot, encoding: 'utf8' });
    if (resolved.status !== 0) throw new Error(`docker-compose config failed (Debian's docker-compose package; the global setup, test/helpers/system-packages.ts, installs it): ${resolved.stderr}`);
    const json = spawnSync('python3', ['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], { input: resolved.stdout, encoding: 'utf8' });
    return (JSON.parse(json.stdout) as { services: Record<string, Service> }).services;
  };

  it('same variables; values differ only where loopback, ports, credentials or paths must', async () => {
    const services = compose();
    const db = { host: 'postgresql', port: 5432, user: 'offboarding', password: 'offboarding', database: 'temporal', visibilityDatabase: 'temporal_visibility' };
    const ports = await temporalServerPorts(7233);
    const ours = temporalServerEnv(db, ports);
    const theirs = services.temporal?.environment ?? {};
    const portKeys = Object.keys(ours).filter((k) => /_(GRPC|HTTP|MEMBERSHIP)_PORT$/.test(k));
    expect(Object.keys(ours).filter((k) => !portKeys.includes(k)).sort()).toEqual(Object.keys(theirs).sort());
    const differ = { BIND_ON_IP: '127.0.0.1', PROMETHEUS_ENDPOINT: `127.0.0.1:${ports.metrics}`, DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG_FILE };
    for (const [k, v] of Object.entries(theirs)) expect(ours[k], k).toBe(k in differ ? differ[k as keyof typeof differ] : v);
    // The dynamic config is the file compose mounts.
    const mounts = (services.temporal?.volumes ?? []).map((v) => v.split(':')).map(([source = '', target = '']) => ({ source, target }));
    const mount = mounts.find((m) => theirs.DYNAMIC_CONFIG_FILE_PATH?.startsWith(`${m.target}/`));
    expect(path.join(mount?.source ?? '', path.relative(mount?.target ?? '', theirs.DYNAMIC_CONFIG_FILE_PATH ?? ''))).toBe(DYNAMIC_CONFIG_FILE);
    // The schema job: compose's x-temporal-sql-env exactly.
    expect(temporalSqlEnv(db)).toEqual(services['temporal-schema']?.environment);
    // The namespace job: the same variables (PATH and HOME are this machine's).
    const job = namespaceJob({ address: 'temporal:7233', namespace: 'offboarding', retention: '720h', binDir: '/bin' });
    const { PATH: _p, HOME: _h, ...jobEnv } = job.env;
    expect(jobEnv).toEqual(services['temporal-setup']?.environment);
  });

  it("the stack's web process is compose's web service: its entry point, its port, the workers' secret", () => {
    const services = compose();
    const web = stackProcesses({ metricsPort: 0, webPort: 3000 }).find((p) => p.name === 'web');
    expect(services.web?.command).toEqual(['node', web?.script]);
    expect(web?.env).toEqual({ WEB_PORT: services.web?.environment?.WEB_PORT });
    // The worker signs the links in its emails, the web app checks them: one secret, one origin.
    for (const k of ['WEB_LINK_SECRET', 'WEB_PUBLIC_URL']) expect(services.web?.environment?.[k], k).toBe(services.worker?.environment?.[k]);
  });
});
