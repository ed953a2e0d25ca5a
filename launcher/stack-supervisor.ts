// `npm run stack`: the production topology of docker-compose.yml on this machine, without Docker
// (launcher/stack.ts): PostgreSQL, the real Temporal server and its Web UI, compose's setup jobs, two
// workers. Like `npm start`, Ctrl-C (or SIGTERM) stops everything in reverse order and leaves no
// process behind; a worker that dies is started again, as compose's `restart: unless-stopped` does.
import path from 'node:path';
import { ConfigurationError, loadSettings, type Settings } from '../config/settings';
import { DEMO_PEOPLE } from '../db/seed';
import { cliPasswordNote, type CliTarget, offboardCommand } from './cli-command';
import { startStack, StackAborted, type Stack } from './stack';
import { stackProcesses } from './stack-processes';
import { webLinkSecret } from './web-link-secret';
import { requireTemporalCli } from './temporal-binaries';
import { ensureStackBinaries } from './temporal-server-binaries';
import { onStopSignals } from './stop-signals';
import { writeWorkflowBundle } from '../worker/workflow-bundle';

const log = (line: string) => process.stdout.write(`[stack] ${line}\n`);

class StackError extends Error {
  override name = 'StackError';
}

function reason(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return reason(e.errors[0]);
  if (e instanceof Error) return (e.message.split('\n')[0] ?? '') || e.name;
  return String(e);
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** A process that dies is restarted, unless it keeps dying: then the stack stops with an error. */
const RESTARTS_PER_MINUTE = 3;

function banner(settings: Settings, stack: Stack, seeded: boolean): string {
  const admin = DEMO_PEOPLE[1]?.email ?? '<admin>';
  const leaver = DEMO_PEOPLE[9]?.email ?? '<user>';
  const address = stack.temporalAddress;
  const ns = stack.namespace;
  // Short paths inside the project; outside it (OFFBOARDING_DATA_DIR elsewhere) a relative path
  // would be a climb of ../.. that breaks as soon as one changes directory: absolute, as npm start.
  const rel = (p: string) => {
    const r = path.relative(process.cwd(), p);
    return r && !r.startsWith('..') ? r : p;
  };
  // The CLI the setup jobs used (TEMPORAL_CLI_PATH, PATH or .tools/venv).
  const temporal = rel(path.join(stack.binDir, 'temporal'));
  const cli: CliTarget = { databaseUrl: stack.databaseUrl, temporalAddress: address, namespace: ns, taskQueue: stack.taskQueue };
  return [
    '',
    'The production topology is running (docker-compose.yml, without Docker).',
    `  Web app         : ${settings.web.publicUrl}  (sign in with a demo email; the link arrives in the mail folder below)`,
    `  Temporal Web UI : ${stack.uiUrl ?? '(none)'}`,
    ...(settings.payloadKey
      ? [
          `  Codec server    : ${settings.web.publicUrl}/codec  (the Web UI decodes for directory admins signed in to the web app; CLI: --codec-endpoint ${settings.web.publicUrl}/codec --codec-auth "Bearer <npx offboard codec-tokens create --name ops --for ${admin}>")`,
        ]
      : []),
    `  Temporal server : ${address}  (namespace ${ns}, task queue ${stack.taskQueue}; PostgreSQL persistence and visibility)`,
    `  server metrics  : ${stack.temporal.metricsUrl}`,
    `  PostgreSQL      : ${redact(stack.databaseUrl)}  (+ ${stack.temporalDatabase.database}, ${stack.temporalDatabase.visibilityDatabase})`,
    `  processes       : ${stack.processes.map((p) => `${p.name} (pid ${p.pid()})`).join(', ')}`,
    `  Mail            : ${settings.smtpUrl ? redact(settings.smtpUrl) : `.eml files in ${rel(path.join(settings.dataDir, 'stack', 'outbox'))}`}`,
    '',
    'Watch it, in another terminal:',
    ...[
      [offboardCommand(cli, 'report'), 'who has which open items'],
      ...(seeded ? [[offboardCommand(cli, `start ${leaver} --by ${admin}`), 'start a batch (prints its ID)']] : []),
      [offboardCommand(cli, 'status <batch-id> --watch'), 'per user: stage, open items'],
      [`${temporal} workflow list --address ${address} --namespace ${ns}`, 'every workflow (the temporal CLI)'],
      [`${temporal} workflow list --address ${address} --namespace ${ns} --query "OffboardingStage = 'awaiting-reassignment'"`, ''],
      [`${temporal} task-queue describe --address ${address} --namespace ${ns} --task-queue ${stack.taskQueue}`, 'both workers polling'],
    ].map(([cmd, what]) => (what ? `  ${cmd!.padEnd(60)} # ${what}` : `  ${cmd}`)),
    ...cliPasswordNote(cli),
    '',
    'Press Ctrl-C to stop everything.',
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const started = Date.now();
  let settings: Settings;
  try {
    settings = loadSettings();
  } catch (e) {
    if (e instanceof ConfigurationError) throw new StackError(`invalid configuration: ${e.message}`);
    throw e;
  }
  if (settings.temporalAddress) {
    throw new StackError('TEMPORAL_ADDRESS is set, but `npm run stack` runs its own Temporal server: unset it (use `npm run worker` against an existing server)');
  }

  const abort = new AbortController();
  let stopRequested: ((signal: string) => void) | undefined;
  const stopSignal = new Promise<string>((resolve) => (stopRequested = resolve));
  onStopSignals({
    stop: (signal) => {
      stopRequested?.(signal);
      abort.abort();
    },
    again: () => log('already stopping (the workers are finishing their tasks)'),
  });

  const dataDir = path.join(settings.dataDir, 'stack');
  // The workflow bundle (webpack, seconds) is built while the binaries are checked and PostgreSQL starts.
  const bundling = settings.workflowBundlePath ? Promise.resolve(settings.workflowBundlePath) : writeWorkflowBundle(path.join(dataDir, 'workflow-bundle.js'));
  bundling.catch(() => undefined);
  const tools = await Promise.all([ensureStackBinaries(log), requireTemporalCli(settings, log)]).catch((e: unknown) => {
    if (abort.signal.aborted) return undefined; // Ctrl-C reached the Go build too
    throw e;
  });
  if (!tools) return 0;
  const [binaries, temporalCli] = tools;
  const workflowBundlePath = await bundling.catch((e: unknown) => {
    throw new StackError(`cannot bundle the workflows (workflows/index.ts): ${reason(e)}`);
  });
  if (abort.signal.aborted) return 0;

  let stack: Stack;
  try {
    stack = await startStack(
      {
        dataDir,
        database: settings.databaseUrl ? { url: settings.databaseUrl } : { embeddedPort: settings.embeddedPgPort },
        temporalPort: settings.temporalPort,
        uiPort: settings.temporalUiPort,
        ...(settings.payloadKey ? { codecEndpoint: `${settings.web.publicUrl}/codec` } : {}),
        namespace: settings.temporalNamespace,
        namespaceRetention: settings.temporalNamespaceRetention,
        taskQueue: settings.taskQueue,
        workflowBundlePath,
        smtpUrl: settings.smtpUrl,
        binaries,
        temporalCli,
        processes: stackProcesses({ metricsPort: settings.metricsPort, webPort: settings.web.port }),
        // The workers sign the links in emails with it, the web app checks them.
        env: { WEB_LINK_SECRET: webLinkSecret({ configured: settings.web.linkSecret, dataDir, log }) },
        seedDemoData: !settings.databaseUrl,
        captureOutput: false,
        log,
      },
      abort.signal,
    );
  } catch (e) {
    if (e instanceof StackAborted) {
      log('stopped during start-up');
      return 0;
    }
    const where = settings.databaseUrl ? 'Check DATABASE_URL' : `Free port ${settings.embeddedPgPort} or set EMBEDDED_PG_PORT, or set DATABASE_URL`;
    throw new StackError(`${reason(e)}. ${where}; TEMPORAL_PORT / TEMPORAL_UI_PORT move the Temporal ports (data in ${dataDir})`);
  }

  try {
    log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.stdout.write(banner(settings, stack, !settings.databaseUrl));
    const failure = new Promise<string>((resolve) => {
      // The Temporal server or the UI gone is not something to paper over: say so and stop.
      stack.onUnexpectedExit((part, how) => resolve(`${part} stopped unexpectedly (${how})`));
      for (const p of stack.processes) {
        const restarts: number[] = [];
        const restart = (how: string) => {
          const now = Date.now();
          restarts.push(now);
          while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift();
          if (restarts.length > RESTARTS_PER_MINUTE) {
            resolve(`${p.name} keeps stopping (${how})`);
            return;
          }
          log(`${p.name} stopped (${how}); starting it again`);
          p.start().catch((e: unknown) => resolve(`${p.name} cannot start again: ${reason(e)}`));
        };
        p.onUnexpectedExit((exit) => restart(exit.signal ?? `exit code ${exit.code}`));
      }
    });
    const outcome = await Promise.race([
      stopSignal.then((s) => ({ kind: 'signal' as const, s })),
      failure.then((s) => ({ kind: 'failure' as const, s })),
    ]);
    if (outcome.kind === 'failure') {
      process.stderr.write(`error: ${outcome.s}; shutting down\n`);
      return 1;
    }
    log(`${outcome.s}: shutting down`);
    return 0;
  } finally {
    await stack.stop();
    log('stopped');
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`error: ${reason(e)}\n`);
    if (!(e instanceof StackError) && e instanceof Error && e.name !== 'MissingBinaryError' && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exit(1);
  },
);
