// The app's long-running processes under `npm run stack`, started in this order once the setup jobs
// have run, and stopped in reverse: compose's `worker` service, twice, so Temporal spreads the work
// across two processes and one can die while its peer carries on. The web app is one more line here
// once it exists, e.g.  { name: 'web', script: 'web/main.ts', ready: { port: settings.webPort } },
import type { AppProcessSpec } from './app-process';

export function stackProcesses(o: { metricsPort: number }): AppProcessSpec[] {
  // METRICS_PORT as in compose (9464 there); the second worker takes the next port.
  const metrics = (i: number) => ({ METRICS_PORT: o.metricsPort > 0 ? String(o.metricsPort + i) : '0' });
  return [
    { name: 'worker-1', script: 'worker/main.ts', ready: { message: 'worker-ready' }, env: metrics(0) },
    { name: 'worker-2', script: 'worker/main.ts', ready: { message: 'worker-ready' }, env: metrics(1) },
  ];
}
