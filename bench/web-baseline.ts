// The web app of an earlier git revision, for bench/web.bench.ts's before/after in ONE run: the
// revision's files are extracted into a git-ignored folder inside the project (git archive, no
// worktree to leave behind; inside, so its imports resolve to this node_modules), and its
// createWebApp is imported next to the current one. Both
// apps then serve the same database, Temporal server and session, sample for sample, so the ratio
// holds even when other work on the machine makes the absolute times drift.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WebDeps } from '../client/web/context';
import { projectRoot } from '../config/settings';

/** What the bench needs of an app: Hono's in-process request. */
export type BenchApp = { request: (input: string | Request, init?: RequestInit) => Response | Promise<Response> };

export type BaselineApp = { revision: string; commit: string; createWebApp: (deps: WebDeps) => BenchApp; remove: () => Promise<void> };

export async function loadBaselineApp(revision: string): Promise<BaselineApp> {
  const commit = execFileSync('git', ['rev-parse', '--short', `${revision}^{commit}`], { cwd: projectRoot, encoding: 'utf8' }).trim();
  const dir = path.join(projectRoot, `.bench-baseline-web-${commit}-${process.pid}`);
  fs.mkdirSync(dir);
  const remove = () => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true }));
  try {
    const archive = execFileSync('git', ['archive', '--format=tar', commit], { cwd: projectRoot, maxBuffer: 512 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    // tsx applies tsconfig.json's JSX settings only to the folders its "include" names, not to this
    // one: each .tsx file says them itself, as esbuild's per-file pragma.
    for (const file of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.tsx') || file.startsWith('node_modules')) continue;
      const full = path.join(dir, file);
      fs.writeFileSync(full, `/** @jsxRuntime automatic @jsxImportSource hono/jsx */\n${fs.readFileSync(full, 'utf8')}`);
    }
    const mod: unknown = await import(pathToFileURL(path.join(dir, 'client', 'web', 'app.tsx')).href);
    if (typeof mod !== 'object' || mod === null || !('createWebApp' in mod) || typeof mod.createWebApp !== 'function') {
      throw new Error(`${revision} (${commit}) has no client/web/app.tsx exporting createWebApp`);
    }
    // The revision's own WebDeps may differ in detail; the bench hands it the current one's shape.
    const createWebApp = mod.createWebApp as (deps: WebDeps) => BenchApp;
    return { revision, commit, createWebApp, remove };
  } catch (e) {
    await remove();
    throw e;
  }
}
