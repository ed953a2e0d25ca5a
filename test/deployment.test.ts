// The deployment stack (docker-compose.yml, Dockerfile, deploy/) tested as far as this machine allows:
// there is no Docker engine here, so no image is built and no container runs. What runs instead:
//  (a) Debian's docker-compose 1.29 parses and validates the compose file offline (`config -q`), and
//      the resolved file is checked for the start-up order the worker depends on;
//  (b) compose, `npm start`'s dev server and the test fixtures register the same search attributes
//      as SEARCH_ATTRIBUTE_REGISTRATIONS;
//  (c) the Dockerfile's build steps that run without Docker: the workflow bundle written to a file and
//      loaded by a (replay) Worker; `npm prune --omit=dev` on a hard-linked copy of the full install,
//      plus the run-time tsx loader, which then runs the `migrate` job against a real PostgreSQL;
//  (d) static checks of the Dockerfile (no auto-setup image, non-root USER, glibc base, SIGTERM).
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../config/settings';
import { parseRegisterScript, REGISTER_SCRIPT, renderRegisterScript } from '../scripts/write-search-attributes-script';
import { devServerArgs } from '../launcher/temporal-dev-server';
import { DOCKER_COMPOSE, requireSystemBinary } from './helpers/system-packages';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../workflows/contract';
import { budget } from './helpers/time-budget';

const run = promisify(execFile);
const COMPOSE_FILE = path.join(projectRoot, 'docker-compose.yml');
const DOCKERFILE = path.join(projectRoot, 'Dockerfile');
const WORKER_SHUTDOWN_GRACE_S = 20; // worker/main.ts drains for about this long after SIGTERM
const expectedAttributes = SEARCH_ATTRIBUTE_REGISTRATIONS.map((sa) => ({ name: sa.name, type: sa.type }));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-deploy-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));


type ComposeService = {
  image?: string;
  build?: unknown;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: unknown };
  environment?: Record<string, string | null>;
  ports?: { target: number; published?: number | string }[];
  volumes?: { source?: string; target: string }[];
  stop_grace_period?: string;
  stop_signal?: string;
  entrypoint?: string[];
  command?: string[];
};
type ComposeConfig = { services: Record<string, ComposeService> };

/** docker-compose's fully resolved configuration, as JSON (python3-yaml comes with docker-compose). */
async function resolvedCompose(compose: string, file: string): Promise<ComposeConfig> {
  const { stdout } = await run(compose, ['-f', file, 'config'], { cwd: projectRoot, env: { ...process.env, COMPOSE_PROJECT_NAME: 'offboarding' } });
  const yamlFile = path.join(tmp, 'resolved-compose.yml');
  fs.writeFileSync(yamlFile, stdout);
  const { stdout: json } = await run('python3', [
    '-c',
    'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))',
    yamlFile,
  ]);
  return JSON.parse(json) as ComposeConfig;
}

function seconds(duration: string | undefined): number {
  const m = /^(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(duration ?? '');
  if (!m || !duration) return 0;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

describe('(a) docker-compose.yml', () => {
  let compose: string;
  let config: ComposeConfig;

  beforeAll(async () => {
    compose = requireSystemBinary(DOCKER_COMPOSE);
    config = await resolvedCompose(compose, COMPOSE_FILE);
  }, budget(300_000));

  it('is valid for docker-compose config -q', async () => {
    const r = spawnSync(compose, ['-f', COMPOSE_FILE, 'config', '-q'], { cwd: projectRoot, encoding: 'utf8' });
    expect(r.stderr, r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the validator catches what it should: an undefined service, a bad condition', async () => {
    const text = fs.readFileSync(COMPOSE_FILE, 'utf8');
    const undefinedService = text.replace('      mailpit:\n        condition: service_healthy', '      mail-catcher:\n        condition: service_healthy');
    const badCondition = text.replace('condition: service_completed_successfully', 'condition: service_finished');
    for (const [name, broken] of [['undefined-service', undefinedService], ['bad-condition', badCondition]] as const) {
      expect(broken).not.toBe(text);
      const file = path.join(projectRoot, `.compose-${name}-${process.pid}.yml`); // beside the real one: same relative paths
      fs.writeFileSync(file, broken);
      try {
        const r = spawnSync(compose, ['-f', file, 'config', '-q'], { cwd: projectRoot, encoding: 'utf8' });
        expect(r.status, `${name} should be rejected`).not.toBe(0);
      } finally {
        fs.rmSync(file, { force: true });
      }
    }
  });

  it('points temporal-ui at the web app’s codec server with the session cookie, and gives worker and web the payload keys', () => {
    const ui = config.services['temporal-ui']?.environment;
    expect(ui).toMatchObject({ TEMPORAL_CODEC_ENDPOINT: 'http://localhost:3000/codec', TEMPORAL_CODEC_INCLUDE_CREDENTIALS: 'true' });
    const web = config.services.web?.environment;
    expect(web?.TEMPORAL_UI_URL).toBe('http://localhost:8080');
    expect(web).toHaveProperty('OFFBOARDING_PAYLOAD_KEYS');
    expect(config.services.worker?.environment).toHaveProperty('OFFBOARDING_PAYLOAD_KEYS');
  });

  it('has every service of the stack, with pinned images and no auto-setup', () => {
    expect(Object.keys(config.services).sort()).toEqual(
      ['mailpit', 'migrate', 'postgresql', 'temporal', 'temporal-schema', 'temporal-setup', 'temporal-ui', 'web', 'worker'].sort(),
    );
    for (const [name, s] of Object.entries(config.services)) {
      if (s.build) continue;
      expect(s.image, name).toMatch(/^[a-z0-9./-]+:v?\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$/);
      expect(s.image, name).not.toMatch(/auto-setup|:latest$/);
    }
    expect(config.services.temporal?.image).toMatch(/^temporalio\/server:/);
    expect(config.services['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(config.services['temporal-setup']?.image).toBe(config.services['temporal-schema']?.image);
    expect(config.services.temporal?.image?.split(':')[1]).toBe(config.services['temporal-schema']?.image?.split(':')[1]);
  });

  it('starts the worker only after PostgreSQL, schema, server, namespace setup, migrations and Mailpit', () => {
    const s = config.services;
    expect(s.postgresql?.healthcheck?.test).toBeDefined();
    expect(s.temporal?.healthcheck?.test).toBeDefined();
    expect(s.mailpit?.healthcheck?.test).toBeDefined();
    expect(s['temporal-schema']?.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(s.temporal?.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(s['temporal-setup']?.depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    expect(s.migrate?.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(s.worker?.depends_on).toEqual({
      postgresql: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
      temporal: { condition: 'service_healthy' },
      'temporal-setup': { condition: 'service_completed_successfully' },
      mailpit: { condition: 'service_healthy' },
    });
  });

  it('runs the web app from the worker image after the same services, with what its emails link to', () => {
    const web = config.services.web!;
    expect(web.image).toBe(config.services.worker?.image);
    expect(web.command).toEqual(['node', 'client/web/main.ts']);
    expect(fs.existsSync(path.join(projectRoot, 'client', 'web', 'main.ts'))).toBe(true);
    expect(web.depends_on).toEqual(config.services.worker?.depends_on);
    const env = web.environment as Record<string, string>;
    expect(env).toMatchObject({ WEB_HOST: '0.0.0.0', WEB_PORT: '3000', WEB_PUBLIC_URL: 'http://localhost:3000' });
    expect((config.services.worker?.environment as Record<string, string>).WEB_PUBLIC_URL).toBe(env.WEB_PUBLIC_URL);
  });

  it('configures the worker like the local run, with metrics exposed and a longer stop grace period', () => {
    const w = config.services.worker!;
    for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'SMTP_URL', 'MAIL_FROM', 'METRICS_PORT']) {
      expect(w.environment?.[key], key).toBeTruthy();
    }
    expect(w.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(w.environment?.SMTP_URL).toBe('smtp://mailpit:1025');
    expect(w.environment?.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgresql:5432\/offboarding$/);
    expect(w.ports?.map((p) => p.target)).toContain(Number(w.environment?.METRICS_PORT));
    expect(w.stop_signal ?? 'SIGTERM').toBe('SIGTERM');
    expect(seconds(w.stop_grace_period)).toBeGreaterThan(WORKER_SHUTDOWN_GRACE_S);
    // The migrate job is the worker image running the migrate entry.
    expect(config.services.migrate?.image).toBe(w.image);
    expect(config.services.migrate?.command).toEqual(['node', 'worker/migrate-entry.ts']);
    expect(fs.existsSync(path.join(projectRoot, 'worker', 'migrate-entry.ts'))).toBe(true);
    // Temporal server persistence is PostgreSQL, and the namespace the setup job creates is the worker's.
    expect(config.services.temporal?.environment?.DB).toBe('postgres12');
    expect(config.services['temporal-setup']?.environment?.TEMPORAL_NAMESPACE).toBe(w.environment?.TEMPORAL_NAMESPACE);
  });

  it('mounts files that exist', () => {
    for (const [name, s] of Object.entries(config.services)) {
      for (const v of s.volumes ?? []) {
        if (v.source && path.isAbsolute(v.source)) expect(fs.existsSync(v.source), `${name}: ${v.source}`).toBe(true);
      }
    }
  });
});

describe('(b) one list of search attributes', () => {
  it('deploy/register-search-attributes.sh registers exactly SEARCH_ATTRIBUTE_REGISTRATIONS', () => {
    const text = fs.readFileSync(REGISTER_SCRIPT, 'utf8');
    expect(parseRegisterScript(text)).toEqual(expectedAttributes);
    expect(renderRegisterScript(text), 'regenerate with npx tsx scripts/write-search-attributes-script.ts').toBe(text);
    expect(spawnSync('sh', ['-n', REGISTER_SCRIPT]).status).toBe(0);
  });

  it('compose runs that script in the temporal-setup job', () => {
    const compose = fs.readFileSync(COMPOSE_FILE, 'utf8');
    expect(compose).toContain('./deploy/register-search-attributes.sh:/deploy/register-search-attributes.sh:ro');
    const setup = fs.readFileSync(path.join(projectRoot, 'deploy', 'temporal', 'setup-namespace.sh'), 'utf8');
    // Found relative to itself, so the same script runs in the container and from a checkout (npm run stack).
    expect(setup).toMatch(/^sh "\$\(dirname "\$0"\)\/\.\.\/register-search-attributes\.sh"$/m);
    expect(compose).toContain('./deploy/temporal/setup-namespace.sh:/deploy/temporal/setup-namespace.sh:ro');
  });

  it("npm start's dev server passes the same list as --search-attribute flags", () => {
    const args = devServerArgs({ cliPath: 'temporal', port: 7233, uiPort: 8233 });
    const flags: { name: string; type: string }[] = [];
    args.forEach((a, i) => {
      if (a === '--search-attribute') {
        const [name = '', type = ''] = (args[i + 1] ?? '').split('=');
        flags.push({ name, type });
      }
    });
    expect(flags).toEqual(expectedAttributes);
  });

  it('npm start’s dev server points its Web UI at the web app’s codec server when payloads are encrypted', () => {
    const on = devServerArgs({ cliPath: 'temporal', port: 7233, uiPort: 8233, codecEndpoint: 'http://localhost:3000/codec' });
    expect(on[on.indexOf('--ui-codec-endpoint') + 1]).toBe('http://localhost:3000/codec');
    expect(devServerArgs({ cliPath: 'temporal', port: 7233, uiPort: 8233 })).not.toContain('--ui-codec-endpoint');
  });

  it('the test fixtures start the dev server through the same function', () => {
    const fixtures = fs.readFileSync(path.join(projectRoot, 'test', 'helpers', 'temporal.ts'), 'utf8');
    expect(fixtures).toMatch(/import \{[^}]*\bstartDevServer\b[^}]*\} from '\.\.\/\.\.\/launcher\/temporal-dev-server'/);
    expect(fixtures).not.toMatch(/--search-attribute/); // no second, hand-kept list
  });
});

describe('(c) the Dockerfile build steps that run without Docker', () => {
  const appDir = path.join(tmp, 'app'); // laid out like the image's /app
  const tsxPrefix = path.join(tmp, 'opt-tsx'); // like the image's /opt/tsx
  const bundleFile = path.join(appDir, 'dist', 'workflow-bundle.js');
  const lock = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; dev?: boolean }>;
  };
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  let pruneMs = 0;

  beforeAll(async () => {
    fs.mkdirSync(appDir, { recursive: true });
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json']) fs.copyFileSync(path.join(projectRoot, f), path.join(appDir, f));
    for (const d of ['config', 'db', 'workflows', 'activities', 'worker', 'temporal', 'client']) {
      if (fs.existsSync(path.join(projectRoot, d))) fs.cpSync(path.join(projectRoot, d), path.join(appDir, d), { recursive: true });
    }
    const npmFlags = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
    // The build stage's `npm ci` is the checkout's own full install: hard-link it into the image-like
    // folder (same filesystem, ~1 s; npm unlinks files when pruning, so the originals are never
    // touched) and give the copy its own hidden lockfile, which npm rewrites.
    await run('cp', ['-al', path.join(projectRoot, 'node_modules'), path.join(appDir, 'node_modules')]);
    const hiddenLock = path.join(appDir, 'node_modules', '.package-lock.json');
    if (fs.existsSync(hiddenLock)) {
      fs.rmSync(hiddenLock);
      fs.copyFileSync(path.join(projectRoot, 'node_modules', '.package-lock.json'), hiddenLock);
    }
    const started = Date.now();
    // In parallel: the bundle (the Dockerfile's `npx tsx worker/workflow-bundle.ts …`), the real
    // `npm prune --omit=dev` on the copy, and the run-time tsx loader in its own prefix.
    await Promise.all([
      run('npx', ['tsx', 'worker/workflow-bundle.ts', bundleFile], { cwd: projectRoot, maxBuffer: 1 << 24 }),
      run('npm', ['prune', '--omit=dev', '--ignore-scripts', ...npmFlags], { cwd: appDir, maxBuffer: 1 << 24 }).then(() => {
        pruneMs = Date.now() - started;
      }),
      run('npm', ['install', '--prefix', tsxPrefix, '--omit=dev', '--no-save', ...npmFlags, `tsx@${lock.packages['node_modules/tsx']?.version}`], {
        cwd: tmp,
        maxBuffer: 1 << 24,
      }),
    ]);
  }, budget(240_000));

  it('writes the workflow bundle to a file that a Worker loads', async () => {
    const code = fs.readFileSync(bundleFile, 'utf8');
    expect(code.length).toBeGreaterThan(50_000);
    for (const name of ['offboardingBatch', 'userOffboarding', 'userReactivation']) expect(code).toContain(name);
    // A replay worker loads the bundle into its workflow sandbox without a server.
    const { Worker } = await import('@temporalio/worker');
    const results = Worker.runReplayHistories({ workflowBundle: { codePath: bundleFile } }, []);
    for await (const r of results) expect(r.error).toBeUndefined();
  });

  it('npm prune --omit=dev leaves production dependencies only', () => {
    const nm = path.join(appDir, 'node_modules');
    for (const dep of Object.keys(pkg.dependencies)) expect(fs.existsSync(path.join(nm, dep)), dep).toBe(true);
    // The tools of the build stage are gone (a devDependency that a production package also
    // depends on, such as @types/node, legitimately stays).
    for (const dep of ['tsx', 'typescript', 'vitest', 'drizzle-kit', 'esbuild', 'smtp-server', 'mailparser']) {
      expect(fs.existsSync(path.join(nm, dep)), `${dep} is a build/test tool`).toBe(false);
    }
    // No package that the lockfile marks dev-only is installed.
    const devOnly = Object.entries(lock.packages).filter(([k, v]) => k.startsWith('node_modules/') && v.dev).map(([k]) => k);
    const leaked = devOnly.filter((k) => fs.existsSync(path.join(appDir, k)));
    expect(leaked).toEqual([]);
    console.info(`npm prune --omit=dev took ${pruneMs} ms`);
    expect(Object.keys(pkg.devDependencies)).toContain('tsx'); // hence the separate /opt/tsx loader
  });

  it('runs the migrate job from that install with the run-time tsx loader, twice (idempotent)', async () => {
    const loader = path.join(tsxPrefix, 'node_modules', 'tsx', 'dist', 'loader.mjs');
    expect(fs.existsSync(loader)).toBe(true);
    const adminUrl = inject('pgAdminUrl');
    const database = `offboarding_deploy_${process.pid}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${database}`);
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    try {
      for (let i = 0; i < 2; i++) {
        const { stdout } = await run('node', ['worker/migrate-entry.ts'], {
          cwd: appDir,
          env: { PATH: process.env.PATH, NODE_OPTIONS: `--import=${loader}`, DATABASE_URL: url.toString() },
        });
        expect(stdout).toContain('migrations applied');
      }
      const db = postgres(url.toString(), { max: 1, onnotice: () => undefined });
      try {
        const rows = await db<{ n: number }[]>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`;
        expect(rows[0]?.n).toBeGreaterThan(3);
      } finally {
        await db.end({ timeout: 5 });
      }
      // Without DATABASE_URL it refuses with a sentence, not a stack trace.
      const r = spawnSync('node', ['worker/migrate-entry.ts'], {
        cwd: appDir,
        env: { PATH: process.env.PATH, NODE_OPTIONS: `--import=${loader}` },
        encoding: 'utf8',
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('DATABASE_URL');
    } finally {
      await admin.unsafe(`drop database if exists ${database} with (force)`);
      await admin.end({ timeout: 5 });
    }
  });
});

describe('(d) the Dockerfile', () => {
  const text = fs.readFileSync(DOCKERFILE, 'utf8');
  const instructions = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));

  it('is multi-stage on a glibc (Debian) Node 20 image, never Alpine or auto-setup', () => {
    expect(text).toMatch(/^ARG NODE_IMAGE=node:20\.\d+\.\d+-(bookworm|bullseye|trixie)(-slim)?$/m);
    expect(instructions.filter((l) => l.startsWith('FROM '))).toHaveLength(2);
    for (const l of instructions) expect(l).not.toMatch(/alpine|musl|auto-setup/i);
  });

  it('builds the bundle, prunes dev dependencies, and runs as a non-root user with SIGTERM', () => {
    expect(instructions.join('\n')).toMatch(/RUN npm ci\n/);
    expect(text).toContain('npx tsx worker/workflow-bundle.ts /app/dist/workflow-bundle.js');
    expect(text).toContain('npm prune --omit=dev');
    expect(text).toMatch(/WORKFLOW_BUNDLE_PATH=\/app\/dist\/workflow-bundle\.js/);
    const users = instructions.filter((l) => l.startsWith('USER '));
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^USER (root|0)(:|$)/);
    expect(instructions).toContain('STOPSIGNAL SIGTERM');
    expect(instructions.at(-1)).toBe('CMD ["node", "worker/main.ts"]');
  });

  it('.dockerignore keeps node_modules, .git and local data out of the build context', () => {
    const ignore = fs.readFileSync(path.join(projectRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignore[ignore.findIndex((l) => l && !l.startsWith('#'))]).toBe('*'); // an allow-list
    for (const allowed of ['!package.json', '!package-lock.json', '!config/', '!db/', '!workflows/', '!activities/', '!adapters/', '!worker/']) {
      expect(ignore).toContain(allowed);
    }
    expect(ignore).toContain('**/node_modules');
  });
});
