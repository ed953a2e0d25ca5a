// An ID field of a page or a command line, for zod: what parseIdText (workflows/contract/ids.ts)
// reads, so the web and the CLI accept and refuse the same spellings.
import { z } from 'zod';
import { parseIdText } from '../workflows/contract';

export const idField = z.unknown().transform((value, ctx) => {
  const id = parseIdText(value);
  if (id === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be an ID: digits only, like 42' });
    return z.NEVER;
  }
  return id;
});
