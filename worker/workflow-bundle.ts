// The workflow bundle (webpack, ~seconds to build): built once and written to a file, so the test
// run, the Docker image and `npm run worker` with WORKFLOW_BUNDLE_PATH can reuse it.
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundle } from '@temporalio/worker';
import { projectRoot } from '../config/settings';

export const workflowsPath = path.join(projectRoot, 'workflows', 'index.ts');

/** Bundles workflows/index.ts (and only what it imports) into one code string. */
export async function buildWorkflowBundle(): Promise<WorkflowBundle> {
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    logger: new DefaultLogger('WARN'),
  });
  return { code: bundle.code };
}

/** Builds the bundle and writes it to `file` (parent folders created); returns the path. */
export async function writeWorkflowBundle(file: string): Promise<string> {
  const { code } = await buildWorkflowBundle();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, file);
  return file;
}

export function readWorkflowBundle(file: string): WorkflowBundle {
  return { code: fs.readFileSync(file, 'utf8') };
}

// `tsx worker/workflow-bundle.ts <out-file>` (the Docker build uses this).
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(projectRoot, 'worker', 'workflow-bundle.ts')) {
  const out = process.argv[2] ?? path.join(projectRoot, 'dist', 'workflow-bundle.js');
  writeWorkflowBundle(path.resolve(out)).then(
    (f) => process.stdout.write(`workflow bundle written to ${f}\n`),
    (e: unknown) => {
      process.stderr.write(`could not bundle workflows: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
