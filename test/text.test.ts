// What a person may write, and how it is counted: the same answer in the CLI, the web, the workflow
// validators, the activities and PostgreSQL's check constraints (issue 16, items 8 and 9).
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_NOTE_LENGTH, MAX_REASON_LENGTH, NOTE_RULE, REASON_RULE } from '../workflows/contract';
import { forbiddenCharacter, neutralizeControls, textLength, textProblem } from '../workflows/contract';
import { createOutput } from '../client/cli/output';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { directoryFixtures } from './helpers/directory-fixtures';

const EMOJI = '\u{1F600}'; // one code point, two UTF-16 units

describe('textLength', () => {
  it('counts code points, as PostgreSQL does, not UTF-16 units', () => {
    expect(textLength('')).toBe(0);
    expect(textLength('abc')).toBe(3);
    expect(textLength(EMOJI.repeat(2_000))).toBe(2_000);
    expect(EMOJI.repeat(2_000).length).toBe(4_000);
    expect(textLength('é')).toBe(1);
    expect(textLength('\uD83D')).toBe(1); // a lone surrogate is one (invalid) code unit
  });

  it('2,000 emoji are a note of 2,000 characters: accepted; one more is too long', () => {
    expect(textProblem(EMOJI.repeat(MAX_NOTE_LENGTH), NOTE_RULE)).toBeUndefined();
    expect(textProblem(EMOJI.repeat(MAX_NOTE_LENGTH + 1), NOTE_RULE)).toMatchObject({ kind: 'length', message: 'The note has 2001 characters; at most 2000 are allowed.' });
  });
});

describe('control characters', () => {
  it('refuses terminal escapes, C1 controls and bidi overrides; a note keeps line breaks and tabs, a reason is one line', () => {
    expect(forbiddenCharacter('plain text, ünïcode, \u{1F600}', { lineBreaks: false })).toBeUndefined();
    expect(forbiddenCharacter('red \u001b[31m alert', { lineBreaks: true })).toBe('U+001B');
    expect(forbiddenCharacter('file \u202Egpj.exe', { lineBreaks: true })).toBe('U+202E');
    expect(forbiddenCharacter('isolate \u2066x\u2069', { lineBreaks: true })).toBe('U+2066');
    expect(forbiddenCharacter('c1 \u0085 next line', { lineBreaks: true })).toBe('U+0085');
    expect(forbiddenCharacter('bell \u0007', { lineBreaks: true })).toBe('U+0007');
    expect(forbiddenCharacter('line one\nline two\r\nthree\tcol', { lineBreaks: true })).toBeUndefined();
    expect(forbiddenCharacter('overwrite\rme', { lineBreaks: true })).toBe('U+000D');
    expect(forbiddenCharacter('one\ntwo', { lineBreaks: false })).toBe('U+000A');
    expect(textProblem('x\u001by', REASON_RULE)).toMatchObject({ kind: 'character' });
    expect(textProblem(42, REASON_RULE)).toMatchObject({ kind: 'type' });
  });

  it('neutralises them for display, keeping line breaks and tabs', () => {
    expect(neutralizeControls('a\u001b[2Jb\u202Ec\nd\te\r\nf\rg')).toBe('a\uFFFD[2Jb\uFFFDc\nd\te\r\nf\uFFFDg');
  });
});

describe('the database counts the same way', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('stores a reason of 500 emoji and refuses 501; the same for notes in the audit log', async () => {
    const f = directoryFixtures(t.db);
    const u = await f.user();
    const setReason = (reason: string) =>
      t.sql`update users set status = 'inactive', inactivated_at = now(), inactivation_reason = ${reason} where id = ${u}`;
    await expect(setReason(EMOJI.repeat(MAX_REASON_LENGTH))).resolves.toBeDefined();
    await expect(setReason(EMOJI.repeat(MAX_REASON_LENGTH + 1))).rejects.toThrow(/users_inactivation_reason_length/);
    const audit = (after: Record<string, string>) =>
      t.sql`insert into audit_log (action, entity_type, entity_id, after) values ('test', 'test', '1', ${JSON.stringify(after)}::jsonb)`;
    await expect(audit({ note: EMOJI.repeat(MAX_NOTE_LENGTH) })).resolves.toBeDefined();
    await expect(audit({ note: EMOJI.repeat(MAX_NOTE_LENGTH + 1) })).rejects.toThrow(/audit_log_note_length/);
    await expect(audit({ reason: 'r'.repeat(MAX_REASON_LENGTH + 1) })).rejects.toThrow(/audit_log_reason_length/);
  });
});

describe('the CLI shows what people wrote without its control characters', () => {
  it('tables, lines and errors neutralise ESC sequences and bidi overrides; JSON stays exact', () => {
    const chunks: { out: string[]; err: string[] } = { out: [], err: [] };
    const stream = (into: string[]) => new Writable({ write: (c: Buffer, _e, done) => (into.push(c.toString()), done()) });
    const human = createOutput({ json: false, stdout: stream(chunks.out), stderr: stream(chunks.err) });
    const name = 'Eve\u001b[2J\u202egpj.exe';
    human.table([{ key: 'name', title: 'Name' }], [{ name }]);
    human.line(`Removed ${name} (18)`);
    human.error(`USER_NOT_FOUND: ${name}`);
    const shown = chunks.out.join('') + chunks.err.join('');
    // eslint-disable-next-line no-control-regex -- looks for the escape character on purpose
    expect(shown).not.toMatch(/[\u001b\u202e]/u);
    expect(shown).toContain('Eve\uFFFD[2J\uFFFDgpj.exe');

    const machine = { out: [] as string[] };
    createOutput({ json: true, stdout: stream(machine.out), stderr: stream([]) }).data({ name });
    expect(JSON.parse(machine.out.join('')) as unknown).toEqual({ name });
  });
});
