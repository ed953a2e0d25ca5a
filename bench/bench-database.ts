// A bench's own PostgreSQL: an embedded server in a temporary folder (`dir`, the bench's to use too),
// one migrated database, and the cleanups that stop and remove them (in reverse order, with the bench's own).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectDatabase, type Database } from '../db/client';
import { migrateDatabase } from '../db/migrate';
import { freePort } from '../test/helpers/free-port';
import { ensureDatabase, startEmbeddedPostgres } from '../launcher/embedded-postgres';
import type { Cleanups } from './cleanups';

export async function startBenchDatabase(bench: string, cleanups: Cleanups, name = 'bench'): Promise<{ db: Database; url: string; dir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `offboarding-${bench}-bench-`));
  // The postgres user (we may be root) must traverse it.
  fs.chmodSync(dataDir, 0o755);
  cleanups.unshift(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port: await freePort(), durable: false });
  cleanups.unshift(() => pg.stop());
  await ensureDatabase(pg.url('postgres'), name);
  const url = pg.url(name);
  await migrateDatabase(url);
  const handle = connectDatabase(url);
  cleanups.unshift(() => handle.close());
  return { db: handle.db, url, dir: dataDir };
}
