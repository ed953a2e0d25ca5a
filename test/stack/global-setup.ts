// Builds the Temporal server, temporal-sql-tool and the Web UI server once for the run (minutes the
// first time, nothing afterwards), before any test file starts a stack.
import { ensureStackBinaries } from '../../launcher/temporal-server-binaries';

export default async function setup(): Promise<void> {
  const started = Date.now();
  const b = await ensureStackBinaries((line) => process.stdout.write(`[stack binaries] ${line}\n`));
  process.stdout.write(`[stack binaries] Temporal server ${b.pins.temporalServer}, Web UI ${b.pins.temporalUi} ready (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}
