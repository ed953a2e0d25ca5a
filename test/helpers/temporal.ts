// Temporal fixtures for tests: the time-skipping test server and the CLI dev server, both on free
// ports (never 7233/8233, which belong to `npm start`), and the workflow bundle built once per run.
// Start them in beforeAll and stop them in afterAll: stop() always waits for the process to exit.
//
// The dev server is not TestWorkflowEnvironment.createLocal (which the time-skipping one does use):
// the SDK's core gives the server a fixed 5 s to accept connections, tight on a loaded 2-core machine
// (3.6 s measured at load 14), and stops it only from teardown(), so a test process that dies (a
// vitest fork killed by a timeout or Ctrl-C) leaves it running, reparented to init. startDevServer
// waits up to a minute for the namespace and stops the server through exit-with-parent.
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import { inject } from 'vitest';
import { loadSettings } from '../../config/settings';
import { findTemporalCli, findTestServer, requireTemporalCli } from '../../launcher/temporal-binaries';
import { INDEXED_TYPE } from '../../worker/search-attributes';
import { startDevServer } from '../../launcher/temporal-dev-server';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../workflows/contract';
import { readWorkflowBundle } from '../../worker/workflow-bundle';
import { freePort } from './free-port';
import { claimNamespace } from './shared-temporal';

export { findTemporalCli };

/** Time-skipping environment from the local test-server binary; the SDK download only as a last resort. */
export async function startTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const path = await findTestServer(loadSettings());
  const env = path
    ? await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } })
    : await TestWorkflowEnvironment.createTimeSkipping();
  // The test server cannot list search attributes, only add them: register the project's list blindly.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTE_REGISTRATIONS.map((sa) => [sa.name, INDEXED_TYPE[sa.type]])),
  });
  return env;
}

export type DevServerEnvironment = {
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  address: string;
  namespace: string;
  uiUrl: string | undefined;
  pid: number;
  stop: () => Promise<void>;
};

/** `temporal server start-dev` in memory on free ports, every search attribute registered. */
export async function startDevServerEnvironment(options: { ui?: boolean; namespace?: string; codecEndpoint?: string } = {}): Promise<DevServerEnvironment> {
  const cliPath = await requireTemporalCli(loadSettings());
  const server = await startDevServer({
    cliPath,
    port: await freePort(),
    uiPort: await freePort(),
    headless: !options.ui,
    namespace: options.namespace ?? 'default',
    ...(options.codecEndpoint ? { codecEndpoint: options.codecEndpoint } : {}),
  });
  try {
    const connection = await Connection.connect({ address: server.address });
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    const client = new Client({ connection, namespace: server.namespace });
    return {
      client,
      connection,
      nativeConnection,
      address: server.address,
      namespace: server.namespace,
      uiUrl: server.uiUrl,
      pid: server.pid,
      stop: async () => {
        await Promise.allSettled([nativeConnection.close(), connection.close()]);
        await server.stop();
      },
    };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/**
 * A namespace of this file's own on the run's shared dev server (shared-temporal.ts): workflows,
 * task queues and visibility apart from every other file, without a server start and stop. Workers
 * must poll `namespace`; stop() closes this file's connections and leaves the server running. Use
 * startDevServerEnvironment for a server of the file's own (its Web UI, its process).
 */
export async function sharedDevServerEnvironment(): Promise<DevServerEnvironment> {
  const shared = inject('sharedTemporal');
  if (shared.error) throw new Error(`the run's Temporal dev server did not start: ${shared.error}`);
  const namespace = claimNamespace(shared);
  // More files than namespaces: this one gets a server of its own (slower, as before).
  if (namespace === undefined) return startDevServerEnvironment();
  const connection = await Connection.connect({ address: shared.address });
  try {
    const nativeConnection = await NativeConnection.connect({ address: shared.address });
    return {
      client: new Client({ connection, namespace }),
      connection,
      nativeConnection,
      address: shared.address,
      namespace,
      uiUrl: undefined,
      pid: shared.pid,
      stop: async () => {
        await Promise.allSettled([nativeConnection.close(), connection.close()]);
      },
    };
  } catch (e) {
    await connection.close();
    throw e;
  }
}

let cachedBundle: WorkflowBundle | undefined;

/** The workflow bundle that test/global-setup.ts built once for this `vitest run`. */
export function workflowBundle(): WorkflowBundle {
  if (cachedBundle) return cachedBundle;
  const file = inject('workflowBundlePath');
  if (!file) {
    throw new Error(`the workflow bundle was not built: ${inject('workflowBundleError') || 'workflows/index.ts is missing'}`);
  }
  cachedBundle = readWorkflowBundle(file);
  return cachedBundle;
}
