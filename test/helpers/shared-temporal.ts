// One Temporal dev server for the whole run, started by test/global-setup.ts beside PostgreSQL, with
// a namespace for each test file that asks for one (sharedDevServerEnvironment in temporal.ts). A
// file's workflows, task queues and visibility stay its own (workflow IDs such as
// offboarding-user-3 repeat in every file's database), while ~20 files no longer each start and
// stop a server: 2–5 s apiece on a loaded 2-core machine. Files that need a server of their own (its
// Web UI, a codec endpoint, its process) still start one with startDevServerEnvironment.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSettings } from '../../config/settings';
import { requireTemporalCli } from '../../launcher/temporal-binaries';
import { startDevServer } from '../../launcher/temporal-dev-server';
import { freePort } from './free-port';

/**
 * Namespaces created at launch (one per file that asks; a file past the last gets a server of its
 * own). Each costs the idle server ~0.02 % of a core; 40 took no longer to start than one.
 */
export const SHARED_NAMESPACES = 40;

/** What the global setup provides to the test files (serialisable). */
export type SharedTemporal = {
  address: string;
  pid: number;
  namespaces: string[];
  /** A folder where a file claims a namespace by creating a file of its name (O_EXCL: one winner). */
  claimDir: string;
  /** Why there is no shared server ('' when there is one). */
  error: string;
};

export async function startSharedTemporal(): Promise<{ info: SharedTemporal; stop: () => Promise<void> }> {
  const claimDir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-test-namespaces-'));
  const namespaces = Array.from({ length: SHARED_NAMESPACES }, (_, i) => `test-file-${i + 1}`);
  const removeClaims = () => fs.rmSync(claimDir, { recursive: true, force: true });
  try {
    const server = await startDevServer({
      cliPath: await requireTemporalCli(loadSettings()),
      port: await freePort(),
      uiPort: await freePort(),
      headless: true,
      extraNamespaces: namespaces,
    });
    return {
      info: { address: server.address, pid: server.pid, namespaces, claimDir, error: '' },
      stop: async () => {
        await server.stop();
        removeClaims();
      },
    };
  } catch (e) {
    return {
      info: { address: '', pid: -1, namespaces: [], claimDir, error: e instanceof Error ? e.message : String(e) },
      stop: async () => removeClaims(),
    };
  }
}

/** A namespace no other file of this run has claimed, or undefined when every one is taken. */
export function claimNamespace(shared: SharedTemporal): string | undefined {
  for (const namespace of shared.namespaces) {
    try {
      fs.closeSync(fs.openSync(path.join(shared.claimDir, namespace), 'wx'));
      return namespace;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return undefined;
}
