// Histories recorded from real runs guard workflow determinism: `npm run record:histories` re-records
// them (RECORD_HISTORIES=1); test/replay.test.ts replays every file in test/histories/.
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { projectRoot } from '../../config/settings';

export const historiesDir = path.join(projectRoot, 'test', 'histories');

/** Saves the workflow's history as `<name>.json` when RECORD_HISTORIES=1; otherwise does nothing. */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  fs.mkdirSync(historiesDir, { recursive: true });
  fs.writeFileSync(path.join(historiesDir, `${name}.json`), JSON.stringify(History.fromObject(history).toJSON(), null, 1));
}

// The SDK's historyToJSON/historyFromJSON trip over npm's several protobufjs copies
// ("type must be a Type"); the proto classes' own toJSON/fromObject round-trip safely.
const History = temporal.api.history.v1.History;

export function readHistory(file: string): temporal.api.history.v1.History {
  return History.fromObject(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>);
}
