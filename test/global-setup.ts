// One PostgreSQL cluster for the whole run, with a migrated template database; each test file
// clones the template (CREATE DATABASE … TEMPLATE, ~65 ms) so files never share data.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '../db/migrate';
import { ensureDatabase, startEmbeddedPostgres } from '../worker/embedded-postgres';
import { freePort } from './helpers/free-port';

export const TEMPLATE_DATABASE = 'offboarding_test_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplateDatabase: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
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
  return stop;
}
