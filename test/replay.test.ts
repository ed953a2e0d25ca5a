// Replays every recorded history against today's workflow code: a change that would break running
// workflows (a non-determinism error) fails here. Version such changes with patched().
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { expect, it } from 'vitest';
import { historiesDir, readHistory } from './helpers/histories';
import { workflowBundle } from './helpers/temporal';

const files = fs.existsSync(historiesDir) ? fs.readdirSync(historiesDir).filter((f) => f.endsWith('.json')).sort() : [];

it('has recorded histories of every workflow to replay', () => {
  const names = files.join(' ');
  for (const wf of ['user-offboarding', 'batch', 'reactivation']) expect(names).toContain(wf);
});

it.each(files)('replays %s deterministically', async (file) => {
  const history = readHistory(path.join(historiesDir, file));
  await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, path.basename(file, '.json'));
});
