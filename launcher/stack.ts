// The production topology of docker-compose.yml on one machine, without Docker: PostgreSQL (embedded
// or DATABASE_URL), compose's one-shot jobs run as they are (schema, migrate, namespace + search
// attributes), the real Temporal server on PostgreSQL, its Web UI, and the app's processes (two
// workers). Started in compose's dependency order, stopped in reverse; every part can be stopped and
// started again on its own, which is what `npm run stack`'s supervisor and test/stack need.
import fs from 'node:fs';
import path from 'node:path';
import { connectDatabase } from '../db/client';
import { seedDemoDirectory } from '../db/seed';
import { createAppProcess, type AppProcess, type AppProcessSpec } from './app-process';
import { startPostgresHost, type PostgresHost } from './postgres-host-process';
import { migrateJob, namespaceJob, schemaJob, startJob, writeToolsBin, type JobResult, type JobSpec, type RunningJob } from './stack-jobs';
import type { StackBinaries } from './temporal-server-binaries';
import { startTemporalServer, temporalServerPorts, type TemporalDatabase, type TemporalServer, type TemporalServerPorts } from './temporal-server';
import { startTemporalUi, type TemporalUi } from './temporal-ui-server';

export type StackOptions = {
  /** The stack's own files: postgres/ (embedded), bin/ (the tools the scripts call), outbox/. */
  dataDir: string;
  /** A PostgreSQL to use (DATABASE_URL), or an embedded one on this port. */
  database: { url: string } | { embeddedPort: number };
  /** The frontend's gRPC port: what TEMPORAL_ADDRESS points at. */
  temporalPort: number;
  /** The Web UI's port; undefined = no Web UI. */
  uiPort: number | undefined;
  namespace: string;
  namespaceRetention: string;
  taskQueue: string;
  workflowBundlePath: string;
  smtpUrl: string | undefined;
  binaries: StackBinaries;
  temporalCli: string;
  processes: AppProcessSpec[];
  /** The demo directory, into an empty app database. */
  seedDemoData: boolean;
  /** Keep the app processes' output (tests) instead of passing it through. */
  captureOutput: boolean;
  /** The Web UI's codec server (the web app's /codec), when payloads are encrypted. */
  codecEndpoint?: string;
  /** More environment for the app processes. */
  env?: Record<string, string>;
  log: (line: string) => void;
};

export type Stack = {
  databaseUrl: string;
  temporalAddress: string;
  temporalDatabase: TemporalDatabase;
  uiUrl: string | undefined;
  namespace: string;
  taskQueue: string;
  /** The folder on the scripts' PATH (temporal-sql-tool, temporal). */
  binDir: string;
  postgresPid: number | undefined;
  temporal: {
    pid: () => number | undefined;
    metricsUrl: string;
    running: () => boolean;
    stop: () => Promise<void>;
    start: () => Promise<void>;
  };
  ui: TemporalUi | undefined;
  processes: AppProcess[];
  process: (name: string) => AppProcess;
  /** Called when the Temporal server or the Web UI exits without being stopped (app processes have their own). */
  onUnexpectedExit: (listener: (part: string, how: string) => void) => void;
  /** compose's one-shot jobs for this stack, in the order compose runs them. */
  setupJobs: () => JobSpec[];
  stop: () => Promise<void>;
};

export class StackAborted extends Error {
  override name = 'StackAborted';
}

/** Host, port and credentials of DATABASE_URL, for the Temporal server and temporal-sql-tool. */
export function temporalDatabaseOf(databaseUrl: string): TemporalDatabase {
  const u = new URL(databaseUrl);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    // compose's DBNAME / VISIBILITY_DBNAME.
    database: 'temporal',
    visibilityDatabase: 'temporal_visibility',
  };
}

async function seedIfEmpty(databaseUrl: string, log: (line: string) => void): Promise<void> {
  const handle = connectDatabase(databaseUrl, { max: 1 });
  try {
    const r = await seedDemoDirectory(handle.db);
    log(r.seeded ? `demo directory seeded: ${r.users} users, ${r.projects} projects` : `the database has ${r.users} users: not seeding`);
  } finally {
    await handle.close();
  }
}

export async function startStack(o: StackOptions, abort?: AbortSignal): Promise<Stack> {
  const log = o.log;
  let postgres: PostgresHost | undefined;
  let server: TemporalServer | undefined;
  let ui: TemporalUi | undefined;
  const jobs = new Set<RunningJob>();
  const processes: AppProcess[] = [];
  let serverPorts: TemporalServerPorts | undefined;
  let temporalDatabase: TemporalDatabase | undefined;

  let stopping = false;
  const exitListeners: ((part: string, how: string) => void)[] = [];
  const stop = async () => {
    stopping = true;
    await Promise.allSettled([...jobs].map((j) => j.stop()));
    // App processes first, together (each worker drains its tasks, up to 20 s), then the UI,
    // Temporal, PostgreSQL: compose's order.
    const running = [...processes].reverse().filter((p) => p.running());
    for (const p of running) log(`stopping ${p.name}`);
    await Promise.allSettled(running.map((p) => p.stop()));
    if (ui) {
      log('stopping the Web UI');
      await ui.stop();
      ui = undefined;
    }
    if (server) {
      log('stopping Temporal');
      await server.stop();
      server = undefined;
    }
    if (postgres) {
      log('stopping PostgreSQL');
      await postgres.stop();
      postgres = undefined;
    }
  };
  const step = () => {
    if (abort?.aborted) throw new StackAborted('stopped during start-up');
  };
  // temporal-sql-tool logs every file and statement it runs (INFO, DEBUG): kept in the job's result,
  // not logged; the script's own lines, warnings and errors are.
  const jobLog = (line: string) => {
    // eslint-disable-next-line no-control-regex -- strips the colour codes of the scripts' output
    if (!/\s(DEBUG|INFO)\s/.test(line.replace(/\u001b\[[0-9;]*m/g, ''))) log(line);
  };
  const run = async (spec: JobSpec): Promise<JobResult> => {
    step();
    const job = startJob(spec, jobLog);
    jobs.add(job);
    try {
      const r = await job.done;
      log(`${spec.name}: done in ${(r.ms / 1000).toFixed(1)} s`);
      return r;
    } finally {
      jobs.delete(job);
    }
  };
  const onAbort = () => void Promise.allSettled([...jobs].map((j) => j.stop()));
  abort?.addEventListener('abort', onAbort);

  const startServer = async () => {
    if (!serverPorts || !temporalDatabase) throw new Error('the stack has no database yet');
    log(`Temporal: starting the server ${o.binaries.pins.temporalServer} on 127.0.0.1:${o.temporalPort} (PostgreSQL persistence and visibility)`);
    const s = await startTemporalServer({ binary: o.binaries.temporalServer, db: temporalDatabase, ports: serverPorts, log: (l) => log(`temporal: ${l}`) });
    server = s;
    // temporal.stop() forgets the server before stopping it, so only a crash gets here.
    void s.process.exit.then((how) => {
      if (server === s && !stopping) for (const l of exitListeners) l('the Temporal server', how);
    });
  };

  try {
    fs.mkdirSync(o.dataDir, { recursive: true });
    const binDir = writeToolsBin(path.join(o.dataDir, 'bin'), { sqlTool: o.binaries.sqlTool, temporalCli: o.temporalCli });
    let databaseUrl: string;
    if ('url' in o.database) {
      databaseUrl = o.database.url;
      log(`PostgreSQL: using DATABASE_URL (${new URL(databaseUrl).host})`);
    } else {
      step();
      const dir = path.join(o.dataDir, 'postgres');
      log(`PostgreSQL: starting the embedded server on port ${o.database.embeddedPort} (data in ${dir})`);
      postgres = await startPostgresHost(dir, o.database.embeddedPort);
      databaseUrl = postgres.url('offboarding');
    }
    temporalDatabase = temporalDatabaseOf(databaseUrl);
    const address = `127.0.0.1:${o.temporalPort}`;
    const jobsOf = (): JobSpec[] => [
      schemaJob(temporalDatabase!, binDir),
      migrateJob(databaseUrl),
      namespaceJob({ address, namespace: o.namespace, retention: o.namespaceRetention, binDir }),
    ];
    const [schema, migrate, namespace] = jobsOf();

    // compose: temporal-schema and migrate both wait for PostgreSQL only.
    await Promise.all([run(schema!), run(migrate!)]);
    if (o.seedDemoData) await seedIfEmpty(databaseUrl, log);
    step();
    serverPorts = await temporalServerPorts(o.temporalPort);
    await startServer();
    // compose: temporal-setup and temporal-ui both wait for a healthy server.
    await Promise.all([
      run(namespace!),
      (async () => {
        if (o.uiPort === undefined) return;
        step();
        const u = await startTemporalUi({
          binary: o.binaries.uiServer,
          root: o.binaries.uiRoot,
          port: o.uiPort,
          temporalAddress: address,
          namespace: o.namespace,
          ...(o.codecEndpoint ? { codecEndpoint: o.codecEndpoint } : {}),
          log: (l) => log(`ui: ${l}`),
        });
        ui = u;
        void u.process.exit.then((how) => {
          if (!stopping) for (const l of exitListeners) l('the Web UI', how);
        });
        log(`Web UI ${o.binaries.pins.temporalUi}: ${u.url}`);
      })(),
    ]);

    step();
    const appEnv: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: o.namespace,
      TEMPORAL_TASK_QUEUE: o.taskQueue,
      WORKFLOW_BUNDLE_PATH: o.workflowBundlePath,
      OFFBOARDING_DATA_DIR: o.dataDir,
      SMTP_URL: o.smtpUrl ?? '',
    };
    for (const spec of o.processes) processes.push(createAppProcess(spec, { capture: o.captureOutput, env: { ...appEnv, ...o.env } }));
    log(`starting ${processes.map((p) => p.name).join(', ')}`);
    await Promise.all(processes.map((p) => p.start()));
    step();

    return {
      databaseUrl,
      temporalAddress: address,
      temporalDatabase,
      uiUrl: ui?.url,
      namespace: o.namespace,
      taskQueue: o.taskQueue,
      binDir,
      postgresPid: postgres?.pid,
      temporal: {
        pid: () => server?.pid,
        metricsUrl: `http://127.0.0.1:${serverPorts.metrics}/metrics`,
        running: () => server !== undefined && !server.process.exited(),
        stop: async () => {
          const s = server;
          server = undefined;
          await s?.stop();
        },
        start: async () => {
          if (server && !server.process.exited()) throw new Error('the Temporal server is already running');
          await startServer();
        },
      },
      ui,
      processes,
      process: (name) => {
        const p = processes.find((x) => x.name === name);
        if (!p) throw new Error(`no process ${name} in this stack (${processes.map((x) => x.name).join(', ')})`);
        return p;
      },
      setupJobs: jobsOf,
      onUnexpectedExit: (listener) => exitListeners.push(listener),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  } finally {
    abort?.removeEventListener('abort', onAbort);
  }
}
