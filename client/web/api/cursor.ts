// Cursors of the API's lists: opaque to the caller (base64url of JSON), checked when they come back,
// so a made-up or truncated cursor is a 422 and never a query with odd values.
import type { z } from 'zod';
import { ApiProblem } from './problem';

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiProblem(422, 'INVALID_INPUT', 'The cursor is not one this list gave out; start again without it.');
  return parsed.data;
}

/**
 * A page from `rows`, read with a limit of `size + 1`: the extra row only says there is a next page,
 * whose cursor is made from the page's last row.
 */
export function pageOf<R>(rows: readonly R[], size: number, cursorOf: (last: R) => unknown): { page: R[]; nextCursor: string | null } {
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > size && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}
