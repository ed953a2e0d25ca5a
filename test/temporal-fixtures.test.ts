import fs from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../config/settings';
import { findTemporalCli, findTestServer, MissingBinaryError } from '../launcher/temporal-binaries';
import { workflowsPath } from '../worker/workflow-bundle';
import { startTimeSkippingEnvironment, workflowBundle } from './helpers/temporal';

describe('temporal binaries', () => {
  it('finds the CLI and the test server without the SDK download', async () => {
    const settings = loadSettings();
    const cli = await findTemporalCli(settings);
    const testServer = await findTestServer(settings);
    expect(cli && fs.statSync(cli).isFile()).toBe(true);
    expect(testServer && fs.statSync(testServer).isFile()).toBe(true);
  });

  it('names the variable when an explicit path is wrong', async () => {
    const settings = { ...loadSettings(), temporalCliPath: '/nonexistent/temporal' };
    await expect(findTemporalCli(settings)).rejects.toThrow(MissingBinaryError);
    await expect(findTemporalCli(settings)).rejects.toThrow(/TEMPORAL_CLI_PATH=\/nonexistent\/temporal is not an executable/);
  });
});

describe('time-skipping environment', () => {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await startTimeSkippingEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('starts from the local binary and skips three days in well under a second', async () => {
    expect(env!.supportsTimeSkipping).toBe(true);
    const before = await env!.currentTimeMs();
    const started = Date.now();
    await env!.sleep('3 days');
    const after = await env!.currentTimeMs();
    expect(after - before).toBeGreaterThanOrEqual(3 * 24 * 60 * 60 * 1000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('workflow bundle', () => {
  it.runIf(fs.existsSync(workflowsPath))('is built once per run and holds the project workflows', () => {
    const { code } = workflowBundle();
    for (const name of ['userOffboarding', 'offboardingBatch', 'userReactivation']) expect(code).toContain(name);
    // Nothing with side effects enters the sandbox.
    expect(code).not.toMatch(/from ['"]nodemailer['"]|require\(['"]postgres['"]\)/);
  });
});
