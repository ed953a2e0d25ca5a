// The app's long-running processes under `npm run stack`, started in this order once the setup jobs
// have run, and stopped in reverse: compose's `worker` service, twice, so Temporal spreads the work
// across two processes and one can die while its peer carries on; then compose's `web` service.
import type { AppProcessSpec } from './app-process';

export function stackProcesses(o: { metricsPort: number; webPort?: number }): AppProcessSpec[] {
  // METRICS_PORT as in compose (9464 there); the second worker takes the next port.
  const metrics = (i: number) => ({ METRICS_PORT: o.metricsPort > 0 ? String(o.metricsPort + i) : '0' });
  const processes: AppProcessSpec[] = [
    { name: 'worker-1', script: 'worker/main.ts', ready: { message: 'worker-ready' }, env: metrics(0) },
    { name: 'worker-2', script: 'worker/main.ts', ready: { message: 'worker-ready' }, env: metrics(1) },
  ];
  if (o.webPort !== undefined) processes.push({ name: 'web', script: 'client/web/main.ts', ready: { message: 'web-ready' }, env: { WEB_PORT: String(o.webPort) } });
  return processes;
}
