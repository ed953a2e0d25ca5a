// What every command shares: the command shape, argument validation (zod at the edge), user lookup,
// Temporal "not found" handling and item tables.
import type { ParseArgsConfig } from 'node:util';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import { resolveUserRef } from '../domain/directory';
import type { Database } from '../db/client';
import type { User } from '../db/schema';
import type { OpenItem } from '../workflows/contract';
import type { RefusalCode } from '../workflows/contract';
import type { Connections } from './connections';
import { UsageError } from './exit-codes';
import type { Column, Output } from './output';
import { refuse } from '../workflows/contract';

export type Ctx = { out: Output; conn: Connections };

export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;
export type Args = { values: ParsedValues; positionals: string[] };

export type Command = {
  name: string;
  /** One line: `offboard <synopsis>`. */
  synopsis: string;
  summary: string;
  /** Extra help lines (flags, examples). */
  help: string[];
  options: NonNullable<ParseArgsConfig['options']>;
  positionals: { min: number; max: number; names: string };
  run(ctx: Ctx, args: Args): Promise<void>;
};

/** Validates parsed flags with zod; a failure is a usage error naming the flag. */
export function flags<T extends z.ZodType>(command: string, schema: T, values: ParsedValues): z.infer<T> {
  const r = schema.safeParse(values);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const name = issue?.path[0];
  const flag = typeof name === 'string' ? `--${name}` : 'arguments';
  const message = issue?.code === 'invalid_type' && issue.input === undefined ? 'is required' : (issue?.message ?? 'is invalid');
  throw new UsageError(`${flag} ${message}`, command);
}

export const requiredText = z.string({ error: 'is required' }).trim().min(1, 'must not be empty');

/** A numeric ID or an email; USER_NOT_FOUND otherwise. */
export async function resolveUser(db: Database, ref: string): Promise<User> {
  return resolveUserRef(db, ref);
}

export function userLabel(u: Pick<User, 'id' | 'name' | 'email'>): string {
  return `${u.name} (${u.id}${u.email ? `, ${u.email}` : ''})`;
}

/** Runs a Temporal call, turning "no such workflow" into the given refusal. */
export async function orNotFound<T>(call: () => Promise<T>, code: RefusalCode, message: string): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (isNotFound(e)) refuse(code, message);
    throw e;
  }
}

export function isNotFound(e: unknown): boolean {
  if (e instanceof WorkflowNotFoundError) return true;
  // A query/describe of an unknown ID can also surface as a gRPC NOT_FOUND (5) ServiceError.
  let c: unknown = e;
  for (let d = 0; d < 4 && c instanceof Error; d++) {
    if ((c as { code?: unknown }).code === 5) return true;
    c = c.cause;
  }
  return false;
}

/** The workflow's status name, or undefined when it does not exist. */
export async function statusOf(handle: WorkflowHandle): Promise<string | undefined> {
  try {
    return (await handle.describe()).status.name;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export const ITEM_COLUMNS: Column[] = [
  { key: 'key', title: 'ITEM KEY' },
  { key: 'project', title: 'PROJECT', max: 24 },
  { key: 'number', title: 'NO.' },
  { key: 'title', title: 'TITLE', max: 40 },
  { key: 'status', title: 'STATUS' },
];

export function itemRows(items: readonly OpenItem[]): Record<string, unknown>[] {
  return items.map((i) => ({ key: i.key, project: i.projectName, number: i.number, title: i.title, status: i.status }));
}

export function printItems(out: Output, items: readonly OpenItem[], heading: string): void {
  out.line(heading);
  if (items.length > 0) out.table(ITEM_COLUMNS, itemRows(items));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
