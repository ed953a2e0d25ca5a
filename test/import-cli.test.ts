// `offboard import <file>` end to end on real PostgreSQL: the 200-item example file of docs/ loads
// into the demo directory, again changes nothing, and a file with bad lines loads its good lines and
// lists the bad ones by line number, with their refusal codes, changing nothing for them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { count, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../config/settings';
import { seedDemoDirectory } from '../db/seed';
import { auditLog, defectItems, rfis } from '../db/schema';
import { assignmentReport } from '../domain/directory';
import { CapturedStream, runCli } from './helpers/cli';
import { createTestDatabase, type TestDatabase } from './helpers/database';

let t: TestDatabase;
let dir: string;
const HELEN = 'helen.park@northwind-builders.example';
const EXAMPLE = path.join(projectRoot, 'docs', 'import-example.jsonl');

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemoDirectory(t.db);
  dir = await mkdtemp(path.join(os.tmpdir(), 'offboard-import-'));
});
afterAll(async () => {
  await t?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Nothing in these files names someone being offboarded, so Temporal is never asked: point it nowhere.
const offboard = (args: string[]) => runCli(args, { DATABASE_URL: t.url, TEMPORAL_ADDRESS: '127.0.0.1:1' });

type Summary = {
  counts: Record<'created' | 'updated' | 'unchanged' | 'refused', number>;
  refused: { line: number; ref: string | null; code: string; message: string }[];
  heldByInactiveUser: { line: number; tool: string; externalId: string; userId: number }[];
};

const importedItems = async () =>
  (
    await t.db.execute<{ n: number }>(sql`
      select (select count(*) from rfis where external_id is not null) + (select count(*) from submittals where external_id is not null)
           + (select count(*) from observations where external_id is not null) + (select count(*) from meeting_items where external_id is not null)
           + (select count(*) from inspections where external_id is not null) + (select count(*) from defect_items where external_id is not null)
           + (select count(*) from timecard_entries where external_id is not null) as n`)
  )[0]?.n;

describe('offboard import', () => {
  it('loads the example file (2 projects, 16 members, 200 items), then answers unchanged for all of it', async () => {
    const first = await offboard(['import', EXAMPLE, '--by', HELEN, '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const s = first.json<Summary>();
    expect(s.counts).toEqual({ created: 218, updated: 0, unchanged: 0, refused: 0 });
    expect(Number(await importedItems())).toBe(200);
    // Line 24 of the example gives a punch list item to Olivia Grant, who left in 2025.
    expect(s.heldByInactiveUser).toEqual([expect.objectContaining({ line: 24, tool: 'defect', externalId: 'defect-1005' })]);
    const olivia = s.heldByInactiveUser[0]?.userId ?? 0;
    const [row] = await assignmentReport(t.db, [olivia]);
    expect(row?.status).toBe('inactive');
    expect(row?.items.map((i) => i.key)).toContainEqual(expect.stringMatching(/^defect:\d+:assigned-to$/));

    const text = await offboard(['import', EXAMPLE, '--by', HELEN]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('218 record(s)');
    expect(text.stdout).toContain('0 created, 0 updated, 218 unchanged, 0 refused');
    // On a pipe: a progress line per 10,000 lines, so none for 218.
    expect(text.stderr).toBe('');
    expect(Number(await importedItems())).toBe(200);
  });

  it('loads the good lines of a file with bad ones, lists the bad ones by line, exits 1, and changes nothing for them', async () => {
    const lines = [
      '{"kind":"project","number":"BAD-1","name":"Bad lines"}',
      '{"kind":"item","tool":"rfi"', // malformed JSON
      '{"kind":"item","tool":"rfi","externalId":"bad-type","project":"BAD-1","number":42,"title":"t","status":"open","people":[]}', // wrong type
      '{"kind":"item","tool":"rfi","externalId":"bad-field","project":"BAD-1","number":"1","title":"t","status":"open","people":[],"priority":"high"}', // unknown field
      '{"kind":"item","tool":"rfi","externalId":"bad-person","project":"BAD-1","number":"2","title":"t","status":"open","people":[{"role":"manager","email":"nobody@example.com"}]}',
      '{"kind":"item","tool":"rfi","externalId":"bad-project","project":"NOPE","number":"3","title":"t","status":"open","people":[]}',
      '{"kind":"item","tool":"defect","externalId":"bad-role","project":"BAD-1","number":"4","title":"t","status":"work_required","people":[{"role":"manager","email":"helen.park@northwind-builders.example"}]}',
      '',
      '{"kind":"item","tool":"defect","externalId":"good-defect","project":"BAD-1","number":"5","title":"Good one","status":"work_required","people":[{"role":"assigned-to","email":"aisha.bello@northwind-builders.example"}]}',
    ];
    const file = path.join(dir, 'bad-lines.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);
    const audits = (await t.db.select({ n: count() }).from(auditLog))[0]?.n ?? 0;
    const r = await offboard(['import', file, '--by', HELEN, '--json']);
    expect(r.code).toBe(1);
    const s = r.json<Summary>();
    expect(s.counts).toEqual({ created: 2, updated: 0, unchanged: 0, refused: 6 });
    expect(s.refused.map((x) => [x.line, x.code])).toEqual([
      [2, 'INVALID_INPUT'],
      [3, 'INVALID_INPUT'],
      [4, 'INVALID_INPUT'],
      [5, 'USER_NOT_FOUND'],
      [6, 'PROJECT_NOT_FOUND'],
      [7, 'ROLE_NOT_IN_TOOL'],
    ]);
    expect(s.refused[1]?.message).toContain('number');
    expect(s.refused[2]?.message).toContain('unknown field "priority"');
    expect(JSON.parse(r.stderr) as unknown).toEqual({ error: expect.objectContaining({ code: 'INVALID_INPUT', exitCode: 1 }) });
    const stored = await t.db.select({ e: rfis.externalId }).from(rfis).where(sql`${rfis.externalId} like 'bad-%'`);
    expect(stored).toEqual([]);
    expect(await t.db.select({ e: defectItems.externalId }).from(defectItems).where(sql`${defectItems.externalId} in ('bad-role', 'good-defect')`)).toEqual([{ e: 'good-defect' }]);
    expect((await t.db.select({ n: count() }).from(auditLog))[0]?.n).toBe(audits + 2);

    const textRun = await offboard(['import', file, '--by', HELEN]);
    expect(textRun.stdout).toMatch(/Refused \(nothing of these lines was imported\):/);
    expect(textRun.stdout).toMatch(/^\s+7\s+defect bad-role\s+ROLE_NOT_IN_TOOL/m);
    expect(textRun.stderr).toContain('6 of 8 record(s)');
  });

  it('refuses a line over 64 KiB without keeping it, and still imports the next line', async () => {
    const file = path.join(dir, 'long-line.jsonl');
    const long = JSON.stringify({ kind: 'project', number: 'LONG-1', name: 'x'.repeat(70 * 1024) });
    await writeFile(file, `${long}\r\n{"kind":"project","number":"LONG-2","name":"After the long line"}\r\n`);
    const r = await offboard(['import', file, '--by', HELEN, '--json']);
    expect(r.code).toBe(1);
    const s = r.json<Summary>();
    expect(s.counts).toEqual({ created: 1, updated: 0, unchanged: 0, refused: 1 });
    expect(s.refused).toEqual([{ line: 1, ref: null, code: 'INVALID_INPUT', message: 'longer than 65536 bytes' }]);
  });

  it('draws a progress bar on a terminal, redrawn in place, ending at 100%', async () => {
    const tty = Object.assign(new CapturedStream(), { isTTY: true });
    const r = await runCli(['import', EXAMPLE, '--by', HELEN], { DATABASE_URL: t.url, TEMPORAL_ADDRESS: '127.0.0.1:1' }, { stderr: tty });
    expect(r.code).toBe(0);
    const drawn = tty.text();
    expect(drawn.startsWith('\r\u001b[K[')).toBe(true);
    expect(drawn.endsWith('218 lines, 0 created, 0 updated, 218 unchanged, 0 refused\n')).toBe(true);
    expect(drawn).toContain('[##############################] 100%');
  });

  it('refuses a missing file (exit 2) and a non-admin importer (exit 1), changing nothing', async () => {
    expect((await offboard(['import', path.join(dir, 'missing.jsonl'), '--by', HELEN])).code).toBe(2);
    expect((await offboard(['import', EXAMPLE])).code).toBe(2);
    const r = await offboard(['import', EXAMPLE, '--by', 'aisha.bello@northwind-builders.example']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('PERMISSION_DENIED');
  });
});
