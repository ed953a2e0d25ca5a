// Runs launcher/postgres-host.ts (the embedded PostgreSQL in a process of its own) in its own process
// group and stops it: SIGTERM for a clean shutdown, SIGQUIT to the postmaster if that hangs. The
// same steps as `npm start`'s supervisor (launcher/start.ts), for `npm run stack`.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { embeddedDatabaseUrl, projectRoot } from '../config/settings';
import type { PostgresHostMessage } from './postgres-host';
import { tsEntryArgs } from './ts-entry';

export type PostgresHost = {
  port: number;
  /** The postmaster's PID. */
  pid: number | undefined;
  url: (database: string) => string;
  stop: () => Promise<void>;
};


function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function startPostgresHost(dataDir: string, port: number): Promise<PostgresHost> {
  const host = spawn(process.execPath, tsEntryArgs('launcher/postgres-host.ts', dataDir, String(port)), {
    cwd: projectRoot,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => host.once('exit', () => resolve()));
  const pid = await new Promise<number | undefined>((resolve, reject) => {
    host.once('exit', (code, signal) => reject(new Error(`embedded PostgreSQL stopped during start-up (${signal ?? `exit code ${code}`})`)));
    host.once('error', (e) => reject(new Error(`cannot start embedded PostgreSQL: ${e.message}`)));
    host.on('message', (m: PostgresHostMessage) => {
      if (m.type === 'postgres-ready') resolve(m.pid);
      else reject(new Error(`embedded PostgreSQL did not start: ${m.error}`));
    });
  });
  return {
    port,
    pid,
    url: (database) => embeddedDatabaseUrl(port, database),
    stop: async () => {
      if (host.exitCode === null && host.signalCode === null) host.kill('SIGTERM');
      await Promise.race([exited, sleep(30_000)]);
      if (pid !== undefined && pidAlive(pid)) {
        process.kill(pid, 'SIGQUIT'); // immediate shutdown; the next start recovers from WAL
        await sleep(1_000);
      }
    },
  };
}
