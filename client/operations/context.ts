// What every operation needs: the directory (PostgreSQL) and Temporal, opened lazily by the caller
// (the CLI opens a connection only when a command needs it; the web keeps both open).
import type { Client } from '@temporalio/client';
import type { Database } from '../../db/client';

export type OperationsContext = {
  db(): Promise<Database>;
  temporal(): Promise<Client>;
  taskQueue: string;
  /** The identity-provider intake's collection window (OFFBOARDING_INTAKE_WINDOW_SECONDS); absent = the default. */
  intakeWindowMs?: number;
};
