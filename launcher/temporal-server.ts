// The production Temporal server (built by temporal-server-binaries.ts) on PostgreSQL, configured
// the way docker-compose.yml's `temporal` service is: `temporal-server start` renders its built-in
// config template from environment variables, and the environment below is compose's, with
// loopback addresses and ports instead of container names. test/stack checks the two stay alike.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { projectRoot } from '../config/settings';
import { freePorts } from './free-ports';
import { spawnGuarded, type GuardedProcess } from './guarded-process';

/** A PostgreSQL server and the two databases Temporal keeps there. */
export type TemporalDatabase = { host: string; port: number; user: string; password: string; database: string; visibilityDatabase: string };

/** The ports the server listens on; only the frontend's gRPC port is for clients. */
export type TemporalServerPorts = {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  metrics: number;
};

export const DYNAMIC_CONFIG_FILE = path.join(projectRoot, 'deploy', 'temporal', 'dynamicconfig', 'docker.yaml');

/**
 * The internal ports, picked free (they stay the same across restarts of one stack), below 32768:
 * the server stores membership ports in cluster_membership.rpc_port, a SMALLINT, and refuses to start
 * ("value … is out of range for type smallint") with one from the OS's ephemeral range.
 */
export async function temporalServerPorts(frontend: number): Promise<TemporalServerPorts> {
  // freePorts returns exactly nine; the defaults only satisfy the type checker.
  const [frontendHttp = 0, frontendMembership = 0, history = 0, historyMembership = 0, matching = 0, matchingMembership = 0, worker = 0, workerMembership = 0, metrics = 0] =
    await freePorts(9, { from: 20_000, to: 32_767 });
  return { frontend, frontendHttp, frontendMembership, history, historyMembership, matching, matchingMembership, worker, workerMembership, metrics };
}

/** docker-compose.yml's `x-temporal-sql-env`, for this database (the schema job and the server share it). */
export function temporalSqlEnv(db: TemporalDatabase): Record<string, string> {
  return {
    DB: 'postgres12',
    DB_PORT: String(db.port),
    POSTGRES_SEEDS: db.host,
    POSTGRES_USER: db.user,
    POSTGRES_PWD: db.password,
    SQL_PASSWORD: db.password,
    DBNAME: db.database,
    VISIBILITY_DBNAME: db.visibilityDatabase,
  };
}

/** docker-compose.yml's `temporal` service environment, on loopback. */
export function temporalServerEnv(db: TemporalDatabase, ports: TemporalServerPorts): Record<string, string> {
  return {
    ...temporalSqlEnv(db),
    // compose binds 0.0.0.0 inside its network; here nothing outside this machine needs it.
    BIND_ON_IP: '127.0.0.1',
    NUM_HISTORY_SHARDS: '4',
    LOG_LEVEL: 'warn',
    DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG_FILE,
    PROMETHEUS_ENDPOINT: `127.0.0.1:${ports.metrics}`,
    // compose leaves these at the template's defaults (7233, 7243, 6933, …); here they must not clash
    // with `npm start`, another stack or a test.
    FRONTEND_GRPC_PORT: String(ports.frontend),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    HISTORY_GRPC_PORT: String(ports.history),
    HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    MATCHING_GRPC_PORT: String(ports.matching),
    MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    WORKER_GRPC_PORT: String(ports.worker),
    WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
  };
}

export type TemporalServer = {
  address: string;
  metricsUrl: string;
  pid: number;
  process: GuardedProcess;
  stop: () => Promise<void>;
};


/** Starts `temporal-server start` and waits until its frontend answers with persistence behind it. */
export async function startTemporalServer(o: {
  binary: string;
  db: TemporalDatabase;
  ports: TemporalServerPorts;
  log?: (line: string) => void;
  startTimeoutMs?: number;
}): Promise<TemporalServer> {
  const address = `127.0.0.1:${o.ports.frontend}`;
  const proc = spawnGuarded({
    command: o.binary,
    args: ['start'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...temporalServerEnv(o.db, o.ports) },
    cwd: projectRoot,
    onLine: (line) => o.log?.(line),
  });
  // A graceful stop drains the frontend and hands back the shards; allow it before SIGKILL.
  const stop = () => proc.stop(30_000);
  const deadline = Date.now() + (o.startTimeoutMs ?? 180_000);
  try {
    for (;;) {
      if (proc.exited()) throw new Error(`the Temporal server exited during start-up (${await proc.exit}): ${proc.tail()}`);
      try {
        const connection = await Connection.connect({ address, connectTimeout: 2_000 });
        try {
          // The system namespace lives in the database: answering for it means persistence is up.
          await connection.workflowService.describeNamespace({ namespace: 'temporal-system' });
          break;
        } finally {
          await connection.close();
        }
      } catch {
        if (Date.now() > deadline) throw new Error(`the Temporal server did not answer on ${address} in time: ${proc.tail()}`);
        await sleep(500);
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { address, metricsUrl: `http://127.0.0.1:${o.ports.metrics}/metrics`, pid: proc.pid, process: proc, stop };
}
