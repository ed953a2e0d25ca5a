// offboard import <file> --by <admin>: a company's projects, members and open items from a JSON Lines
// file (docs/import.md), streamed and sent MAX_IMPORT_RECORDS records per call to the import the
// JSON API uses too. Bad lines are skipped and listed with their line numbers, the good ones go in;
// the exit code is 1 when any line was refused, so a script notices.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { IMPORT_OUTCOMES, type ImportOutcome } from '../../../domain/work-import';
import { MAX_IMPORT_RECORDS } from '../../../domain/work-import-records';
import { type RefusalCode, refuse } from '../../../workflows/contract';
import { type Command, flags, operationsOf, resolveUser } from '../common';
import { UsageError } from '../exit-codes';
import { importChunks } from '../import-file';
import { importWork, type RecheckOutcome } from '../../operations';

/** On a pipe, a progress line every this many lines. */
export const PROGRESS_EVERY_LINES = 10_000;
/** Refusals (and items held by inactive people) kept to be listed; the rest are counted. */
const MAX_LISTED = 1000;

type Listed = { line: number; ref: string | null; code: RefusalCode; message: string };
type Held = { line: number; tool: string; externalId: string; role: string; userId: number };

function bar(fraction: number, width = 30): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.floor(fraction * 100)}%`;
}

export const importCommand: Command = {
  name: 'import',
  synopsis: 'import <file> --by <admin>',
  summary: 'Import projects, project members and the tools’ open items from a JSON Lines file (docs/import.md)',
  help: [
    '<file>         JSON Lines: one project, member or item record per line (docs/import-example.jsonl)',
    '--by <admin>   the company directory admin importing (required; recorded in the audit log)',
    `Sent ${MAX_IMPORT_RECORDS} records per call; importing the same file again changes nothing.`,
    'Bad lines are skipped and listed with their line numbers; the rest are imported. Exit code 1 when any line was refused.',
  ],
  options: { by: { type: 'string' } },
  positionals: { min: 1, max: 1, names: '<file>' },
  async run(ctx, { values, positionals }) {
    const f = flags('import', z.object({ by: z.string({ error: 'is required (the admin importing)' }).trim().min(1) }), values);
    const file = positionals[0] ?? '';
    const size = await stat(file).then(
      (s) => (s.isFile() ? s.size : undefined),
      () => undefined,
    );
    if (size === undefined) throw new UsageError(`cannot read the file "${file.slice(0, 200)}"`, 'import');
    const db = await ctx.conn.db();
    const by = await resolveUser(db, f.by);
    const ops = operationsOf(ctx);

    const counts: Record<ImportOutcome, number> = { created: 0, updated: 0, unchanged: 0, refused: 0 };
    const refused: Listed[] = [];
    const held: Held[] = [];
    let heldCount = 0;
    const rechecks = new Map<number, RecheckOutcome>();
    let lines = 0;
    let nextProgress = PROGRESS_EVERY_LINES;
    const started = Date.now();
    const showProgress = !ctx.out.json || ctx.out.stderrIsTTY;
    const progressText = (bytes: number) =>
      `${ctx.out.stderrIsTTY ? `${bar(size === 0 ? 1 : bytes / size)} ` : ''}${lines.toLocaleString('en-US')} lines, ${IMPORT_OUTCOMES.map((o) => `${counts[o]} ${o}`).join(', ')}`;
    const refuseLine = (l: Listed) => {
      counts.refused++;
      if (refused.length < MAX_LISTED) refused.push(l);
    };

    const input = createReadStream(file);
    try {
      for await (const chunk of importChunks(input)) {
        for (const r of chunk.refused) refuseLine({ line: r.line, ref: null, code: r.code, message: r.message });
        if (chunk.records.length > 0) {
          const result = await importWork(ops, by.id, chunk.records);
          for (const r of result.results) {
            const line = chunk.lines[r.index] ?? 0;
            if (r.outcome === 'refused') refuseLine({ line, ref: r.ref, code: r.code ?? 'INVALID_INPUT', message: r.message ?? '' });
            else counts[r.outcome]++;
          }
          for (const h of result.heldByInactiveUser) {
            heldCount++;
            if (held.length < MAX_LISTED) held.push({ line: chunk.lines[h.index] ?? 0, tool: h.tool, externalId: h.externalId, role: h.role, userId: h.userId });
          }
          for (const c of result.rechecks) rechecks.set(c.userId, c);
        }
        lines = Math.max(lines, ...chunk.lines, ...chunk.refused.map((r) => r.line));
        if (showProgress && (ctx.out.stderrIsTTY || lines >= nextProgress)) {
          ctx.out.progress(progressText(chunk.bytesRead));
          while (nextProgress <= lines) nextProgress += PROGRESS_EVERY_LINES;
        }
      }
    } finally {
      input.destroy();
    }
    if (showProgress && ctx.out.stderrIsTTY) ctx.out.progress(progressText(size), true);

    const seconds = (Date.now() - started) / 1000;
    ctx.out.data({
      file,
      counts,
      refused,
      refusedNotListed: counts.refused - refused.length,
      heldByInactiveUser: held,
      heldByInactiveUserNotListed: heldCount - held.length,
      rechecks: [...rechecks.values()],
    });
    const total = IMPORT_OUTCOMES.reduce((n, o) => n + counts[o], 0);
    ctx.out.line(`Imported ${file}: ${total} record(s) in ${seconds.toFixed(1)} s — ${IMPORT_OUTCOMES.map((o) => `${counts[o]} ${o}`).join(', ')}.`);
    if (refused.length > 0) {
      ctx.out.line('Refused (nothing of these lines was imported):');
      ctx.out.table(
        [
          { key: 'line', title: 'LINE', align: 'right' },
          { key: 'ref', title: 'RECORD', max: 40 },
          { key: 'code', title: 'CODE' },
          { key: 'message', title: 'WHY', max: 100 },
        ],
        refused,
      );
      if (counts.refused > refused.length) ctx.out.line(`… and ${counts.refused - refused.length} more (the first ${MAX_LISTED} are listed).`);
    }
    if (held.length > 0) {
      ctx.out.line(`Held by an inactive user (imported; shown in the Assignment Report, \`offboard report\`): ${heldCount} item(s)`);
      ctx.out.table(
        [
          { key: 'line', title: 'LINE', align: 'right' },
          { key: 'tool', title: 'TOOL' },
          { key: 'externalId', title: 'EXTERNAL ID', max: 40 },
          { key: 'role', title: 'ROLE' },
          { key: 'userId', title: 'USER', align: 'right' },
        ],
        held,
      );
    }
    for (const c of rechecks.values()) {
      ctx.out.line(
        c.rechecked
          ? `User ${c.userId} is being offboarded: their offboarding re-checked their open items (\`offboard items ${c.userId}\`).`
          : `User ${c.userId} is being offboarded: ${c.note ?? 'not re-checked'}.`,
      );
    }
    if (counts.refused > 0) {
      refuse('INVALID_INPUT', `${counts.refused} of ${total} record(s) in ${file} were refused (listed above); the others were imported.`);
    }
  },
};
