// The Temporal Web UI of the production topology: ui-server (built by temporal-server-binaries.ts
// from the Go module of the temporalio/ui version compose pins) started as that image starts it,
// `ui-server --env docker start`, with compose's `temporal-ui` environment pointed at our frontend.
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnGuarded, type GuardedProcess } from './guarded-process';

export type TemporalUi = { url: string; pid: number; process: GuardedProcess; stop: () => Promise<void> };


export async function startTemporalUi(o: {
  binary: string;
  /** Holds config/docker.yaml (and base.yaml: loopback only). */
  root: string;
  port: number;
  temporalAddress: string;
  namespace: string;
  /** The web app's /codec when payloads are encrypted (compose's TEMPORAL_CODEC_ENDPOINT). */
  codecEndpoint?: string;
  log?: (line: string) => void;
  startTimeoutMs?: number;
}): Promise<TemporalUi> {
  const proc = spawnGuarded({
    command: o.binary,
    args: ['--root', o.root, '--env', 'docker', 'start'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      // docker-compose.yml's temporal-ui environment.
      TEMPORAL_ADDRESS: o.temporalAddress,
      TEMPORAL_DEFAULT_NAMESPACE: o.namespace,
      TEMPORAL_CORS_ORIGINS: 'http://localhost:3000',
      TEMPORAL_UI_PORT: String(o.port),
      // The browser sends the web app's session cookie with each decode: who asks is who is signed in.
      ...(o.codecEndpoint ? { TEMPORAL_CODEC_ENDPOINT: o.codecEndpoint, TEMPORAL_CODEC_INCLUDE_CREDENTIALS: 'true' } : {}),
    },
    // It logs every request at info; only failures to start are worth showing (see tail()).
    onLine: (line) => {
      if (/error|fatal|panic/i.test(line)) o.log?.(line);
    },
  });
  const url = `http://127.0.0.1:${o.port}`;
  const stop = () => proc.stop(5_000);
  const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (proc.exited()) throw new Error(`the Temporal Web UI server exited during start-up (${await proc.exit}): ${proc.tail()}`);
      const healthy = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (healthy) break;
      if (Date.now() > deadline) throw new Error(`the Temporal Web UI server did not answer on ${url} in time: ${proc.tail()}`);
      await sleep(250);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, pid: proc.pid, process: proc, stop };
}
