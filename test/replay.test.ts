// Replays every recorded history against today's workflow code: a change that would break running
// workflows (a non-determinism error) fails here. Version such changes with patched().
import fs from 'node:fs';
import path from 'node:path';
import { type ReplayResult, Worker } from '@temporalio/worker';
import { beforeAll, expect, it } from 'vitest';
import { historiesDir, readHistory } from './helpers/histories';
import { workflowBundle } from './helpers/temporal';
import { budget } from './helpers/time-budget';

const files = fs.existsSync(historiesDir) ? fs.readdirSync(historiesDir).filter((f) => f.endsWith('.json')).sort() : [];
const nameOf = (file: string) => path.basename(file, '.json');

/**
 * All of them on one replay worker, once for the file: a worker per history loaded the workflow
 * bundle into a new sandbox each time, most of this file's CPU.
 */
const results = new Map<string, ReplayResult>();
beforeAll(async () => {
  const histories = files.map((file) => ({ workflowId: nameOf(file), history: readHistory(path.join(historiesDir, file)) }));
  for await (const r of Worker.runReplayHistories({ workflowBundle: workflowBundle() }, histories)) results.set(r.workflowId, r);
}, budget(180_000));

it('has recorded histories of every workflow to replay', () => {
  const names = files.join(' ');
  for (const wf of ['user-offboarding', 'batch', 'reactivation']) expect(names).toContain(wf);
});

it.each(files)('replays %s deterministically', (file) => {
  const result = results.get(nameOf(file));
  expect(result, `${file} was not replayed`).toBeDefined();
  if (result?.error) throw result.error;
});
