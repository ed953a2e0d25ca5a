// The file `offboard import` reads: JSON Lines (docs/import.md), one record per line, read as a
// stream and handed on MAX_IMPORT_RECORDS records at a time, so memory stays the same whatever the
// file's size. Each line is checked on its own (JSON, then the record schema); a bad line is answered
// with its line number and refusal, and the good lines around it still go in.
import type { Readable } from 'node:stream';
import { describeIssue, type ImportRecord, importRecordSchema, MAX_IMPORT_RECORDS } from '../../domain/work-import-records';
import type { RefusalCode } from '../../workflows/contract';

/** A longer line is refused without being kept whole in memory (a record is a few hundred bytes). */
export const MAX_LINE_BYTES = 64 * 1024;

export type LineRefusal = { line: number; code: RefusalCode; message: string };

/** One call's worth: the records and the line each came from; the bad lines met on the way. */
export type ImportChunk = { records: ImportRecord[]; lines: number[]; refused: LineRefusal[]; bytesRead: number };

/** Splits a byte stream into lines (LF or CRLF); a line over `maxBytes` is answered as `tooLong`. */
async function* linesOf(input: Readable, maxBytes: number): AsyncGenerator<{ text: string; tooLong: boolean; bytes: number }> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  const end = () => {
    const buf = Buffer.concat(parts);
    const text = buf.toString('utf8').replace(/\r$/, '');
    const line = { text: tooLong ? '' : text, tooLong, bytes: size + 1 };
    parts = [];
    size = 0;
    tooLong = false;
    return line;
  };
  for await (const chunk of input) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    for (;;) {
      const nl = buf.indexOf(0x0a);
      const piece = nl === -1 ? buf : buf.subarray(0, nl);
      if (!tooLong) {
        if (size + piece.length > maxBytes) {
          tooLong = true;
          parts = [];
        } else parts.push(piece);
      }
      size += piece.length;
      if (nl === -1) break;
      yield end();
      buf = buf.subarray(nl + 1);
    }
  }
  if (size > 0 || parts.length > 0) yield end();
}

/** Parses one line into a record, or says why it is refused. */
export function parseLine(text: string): { record: ImportRecord } | { code: RefusalCode; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { code: 'INVALID_INPUT', message: `not JSON (${e instanceof Error ? e.message.slice(0, 120) : 'unreadable'})` };
  }
  const r = importRecordSchema.safeParse(value);
  return r.success ? { record: r.data } : { code: 'INVALID_INPUT', message: describeIssue(r.error) };
}

/** The file's records, MAX_IMPORT_RECORDS at a time (the last chunk may be shorter, or records-free). */
export async function* importChunks(input: Readable, size = MAX_IMPORT_RECORDS): AsyncGenerator<ImportChunk> {
  let chunk: ImportChunk = { records: [], lines: [], refused: [], bytesRead: 0 };
  let lineNo = 0;
  let bytesRead = 0;
  for await (const line of linesOf(input, MAX_LINE_BYTES)) {
    lineNo++;
    bytesRead += line.bytes;
    if (line.tooLong) chunk.refused.push({ line: lineNo, code: 'INVALID_INPUT', message: `longer than ${MAX_LINE_BYTES} bytes` });
    else if (line.text.trim() !== '') {
      const parsed = parseLine(line.text);
      if ('record' in parsed) {
        chunk.records.push(parsed.record);
        chunk.lines.push(lineNo);
      } else chunk.refused.push({ line: lineNo, code: parsed.code, message: parsed.message });
    }
    if (chunk.records.length >= size) {
      yield { ...chunk, bytesRead };
      chunk = { records: [], lines: [], refused: [], bytesRead };
    }
  }
  if (chunk.records.length > 0 || chunk.refused.length > 0) yield { ...chunk, bytesRead };
}
