// What every command shares: the command shape, argument validation (zod at the edge), user lookup,
// and item tables.
import type { ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { resolveUserRef } from '../../domain/directory';
import type { Database } from '../../db/client';
import type { User } from '../../db/schema';
import type { OpenItem } from '../../workflows/contract';
import type { Connections } from '../connections';
import type { OperationsContext } from '../operations';
import { UsageError } from './exit-codes';
import type { Column, Output } from './output';

export type Ctx = { out: Output; conn: Connections };

/** The shared operations, on the CLI's lazily opened connections. */
export function operationsOf(ctx: Ctx): OperationsContext {
  return { db: () => ctx.conn.db(), temporal: () => ctx.conn.temporal(), taskQueue: ctx.conn.settings.taskQueue };
}

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

