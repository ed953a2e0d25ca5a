// Builds Mailpit once for the run (about 1.5 minutes the first time, nothing afterwards). Without Go
// the whole of test:mail is skipped, with one line that says why.
import type { TestProject } from 'vitest/node';
import { ensureMailpit } from '../../launcher/mailpit-binary';
import { MissingBinaryError } from '../../launcher/temporal-binaries';
import { keepExitCode } from '../helpers/keep-exit-code';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Mailpit binary, or '' when it cannot be built here (test:mail then skips). */
    mailpitBinary: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  keepExitCode();
  try {
    project.provide('mailpitBinary', await ensureMailpit((line) => process.stdout.write(`[mailpit] ${line}\n`)));
  } catch (e) {
    if (!(e instanceof MissingBinaryError)) throw e;
    process.stdout.write(`[test:mail] skipped: ${e.message}\n`);
    project.provide('mailpitBinary', '');
  }
}
