// Every refusal code is said by both front ends, each in its own words: the CLI's name the
// `offboard` commands that show or fix what was refused, the web's never do (Issue 22, item 4).
import { describe, expect, it } from 'vitest';
import { CLI_HINTS } from '../client/cli/refusal-hints';
import { type HintPage, REJECTION_WORDS, WEB_HINTS, webHint } from '../client/web/refusal-hints';
import { BATCH_REJECTION_CODES, MAX_NOTE_LENGTH, REFUSAL_CODES } from '../workflows/contract';

const PAGES: (HintPage | undefined)[] = [undefined, 'batch', 'reactivation'];

describe('refusal hints', () => {
  it('every refusal code has a CLI hint and a web hint, and neither table has a code the contract lacks', () => {
    for (const code of REFUSAL_CODES) {
      expect(CLI_HINTS[code]?.trim(), code).toMatch(/\S/);
      for (const page of PAGES) expect(webHint(code, page).trim(), `${code} ${page ?? ''}`).toMatch(/\S/);
    }
    expect(Object.keys(CLI_HINTS).sort()).toEqual([...REFUSAL_CODES].sort());
    expect(Object.keys(WEB_HINTS).filter((k) => k !== 'UNAVAILABLE').sort()).toEqual([...REFUSAL_CODES].sort());
  });

  it('the web never names a CLI command or flag', () => {
    for (const code of [...REFUSAL_CODES, 'UNAVAILABLE' as const]) {
      for (const page of PAGES) expect(webHint(code, page), code).not.toMatch(/`|offboard (users|list|status|items|start|reassign|close|done|remove|cancel|reactivate|report|codec-tokens)\b|--[a-z]/);
    }
  });

  it('the note limit is the contract’s', () => {
    expect(webHint('NOTE_TOO_LONG')).toContain(`${MAX_NOTE_LENGTH.toLocaleString('en-US')} characters`);
  });

  it('every reason batch validation gives for leaving someone out has the pages’ words, in one table', () => {
    expect(Object.keys(REJECTION_WORDS).sort()).toEqual([...BATCH_REJECTION_CODES].sort());
    for (const code of BATCH_REJECTION_CODES) expect(REJECTION_WORDS[code], code).toMatch(/^[a-z]/);
  });
});
