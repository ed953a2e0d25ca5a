// One-shot migration job: applies the app database's pending migrations and exits
// (docker-compose's `migrate` service; `node scripts/run-ts.mjs worker/migrate-entry.ts` locally).
// Safe to run while workers are up and from several places at once: migrateDatabase holds an
// advisory lock.
import { ConfigurationError, loadSettings } from '../config/settings';
import { migrateDatabase } from '../db/migrate';

async function main(): Promise<number> {
  const settings = loadSettings();
  if (!settings.databaseUrl) {
    process.stderr.write('DATABASE_URL: required for migrations, for example postgres://user:pass@host:5432/offboarding\n');
    return 2;
  }
  const started = Date.now();
  await migrateDatabase(settings.databaseUrl);
  const host = new URL(settings.databaseUrl).host;
  process.stdout.write(
    `${JSON.stringify({ level: 'info', msg: 'migrations applied', host, ms: Date.now() - started })}\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const message = e instanceof ConfigurationError || e instanceof Error ? e.message : String(e);
    process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'migration failed', error: message })}\n`);
    process.exit(1);
  },
);
