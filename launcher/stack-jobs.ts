// The one-shot jobs of docker-compose.yml, run on this machine as they are: `temporal-schema`
// (deploy/temporal/setup-schema.sh with temporal-sql-tool), `temporal-setup`
// (deploy/temporal/setup-namespace.sh, which runs deploy/register-search-attributes.sh, with the
// temporal CLI) and `migrate` (worker/migrate-entry.ts). The scripts find their tools on PATH, as in
// the admin-tools image; each job gets compose's environment for it and nothing else.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config/settings';
import { stopProcessGroup } from './temporal-dev-server';
import { temporalSqlEnv, type TemporalDatabase } from './temporal-server';
import { tsEntryArgs } from './ts-entry';

export type JobSpec = { name: string; command: string; args: string[]; env: Record<string, string> };
export type JobResult = { name: string; output: string; ms: number };
export type RunningJob = { done: Promise<JobResult>; stop: () => Promise<void> };

export const SETUP_SCHEMA_SCRIPT = path.join(projectRoot, 'deploy', 'temporal', 'setup-schema.sh');
export const SETUP_NAMESPACE_SCRIPT = path.join(projectRoot, 'deploy', 'temporal', 'setup-namespace.sh');

/** A folder with `temporal-sql-tool` and `temporal` in it, as the admin-tools image has on its PATH. */
export function writeToolsBin(dir: string, tools: { sqlTool: string; temporalCli: string }): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, target] of [['temporal-sql-tool', tools.sqlTool], ['temporal', tools.temporalCli]] as const) {
    const link = path.join(dir, name);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(target, link);
  }
  return dir;
}

const shellEnv = (binDir: string, env: Record<string, string>): Record<string, string> => ({
  PATH: `${binDir}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`,
  HOME: process.env.HOME ?? '/tmp',
  ...env,
});

/** compose's `temporal-schema`: creates both Temporal databases if missing and updates their schemas. */
export function schemaJob(db: TemporalDatabase, binDir: string): JobSpec {
  return { name: 'temporal-schema', command: 'sh', args: [SETUP_SCHEMA_SCRIPT], env: shellEnv(binDir, temporalSqlEnv(db)) };
}

/** compose's `temporal-setup`: waits for the server, creates the namespace, registers the search attributes. */
export function namespaceJob(o: { address: string; namespace: string; retention: string; binDir: string }): JobSpec {
  return {
    name: 'temporal-setup',
    command: 'sh',
    args: [SETUP_NAMESPACE_SCRIPT],
    env: shellEnv(o.binDir, { TEMPORAL_ADDRESS: o.address, TEMPORAL_NAMESPACE: o.namespace, TEMPORAL_NAMESPACE_RETENTION: o.retention }),
  };
}

/** compose's `migrate`: the app database's migrations (advisory-locked). */
export function migrateJob(databaseUrl: string): JobSpec {
  return {
    name: 'migrate',
    command: process.execPath,
    args: tsEntryArgs('worker/migrate-entry.ts'),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: databaseUrl },
  };
}

/** Runs a job in its own process group (so a stop takes everything it started); fails with its last lines. */
export function startJob(spec: JobSpec, log: (line: string) => void = () => undefined): RunningJob {
  const started = Date.now();
  const child = spawn(spec.command, spec.args, { cwd: projectRoot, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (d: Buffer) => {
    const text = d.toString();
    output += text;
    for (const line of text.split('\n')) if (line.trim()) log(`${spec.name}: ${line.trim()}`);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const done = new Promise<JobResult>((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`${spec.name}: cannot run ${spec.command}: ${e.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve({ name: spec.name, output, ms: Date.now() - started });
      else {
        const last = output.trim().split('\n').slice(-4).join(' | ');
        reject(new Error(`the ${spec.name} job failed (${signal ?? `exit code ${code}`}): ${last || 'no output'}`));
      }
    });
  });
  return { done, stop: () => stopProcessGroup(child, 5_000) };
}

export const runJob = (spec: JobSpec, log?: (line: string) => void): Promise<JobResult> => startJob(spec, log).done;
