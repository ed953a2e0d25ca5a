// The drizzle-kit snapshots match db/schema.ts: `drizzle-kit generate` on a copy of db/migrations
// finds nothing to migrate. Migrations 0011–0013 were written by hand without their snapshots, so the
// next `generate` would have repeated all three; db/migrations/meta/0013_snapshot.json is the schema
// after them. A schema change without its migration (or a hand-made one without its snapshot) fails here.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../config/settings';
import { budget } from './helpers/time-budget';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'offboarding-migrations-'));
  await cp(path.join(projectRoot, 'db/migrations'), path.join(dir, 'migrations'), { recursive: true });
  // drizzle-kit takes `out` relative to where it runs (the project, for the schema's imports).
  const config = { dialect: 'postgresql', schema: './db/schema.ts', out: path.relative(projectRoot, path.join(dir, 'migrations')) };
  await writeFile(path.join(dir, 'drizzle.config.json'), JSON.stringify(config));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the migrations’ snapshots', () => {
  it('drizzle-kit generate finds no schema change against the last snapshot', async () => {
    const before = await readdir(path.join(dir, 'migrations'));
    const { stdout } = await run(path.join(projectRoot, 'node_modules/.bin/drizzle-kit'), ['generate', `--config=${path.join(dir, 'drizzle.config.json')}`], {
      cwd: projectRoot,
      timeout: budget(120_000),
    });
    expect(stdout).toMatch(/No schema changes, nothing to migrate/);
    expect(await readdir(path.join(dir, 'migrations'))).toEqual(before);
  }, budget(180_000));
});
