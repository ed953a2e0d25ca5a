// The `offboard` command line: argument parsing (node:util parseArgs), help, dispatch, and the one
// place where errors become exit codes. `run` never throws and never prints a stack trace.
import { parseArgs } from 'node:util';
import { status as grpcStatus } from '@grpc/grpc-js';
import { loadSettings } from '../../config/settings';
import { cancel, remove, status } from './commands/batch';
import { codecTokens } from './commands/codec-tokens';
import { connectionsCommand } from './commands/connections';
import { list, reactivate, report, users } from './commands/directory';
import { importCommand } from './commands/import';
import { close, done, items, reassign } from './commands/items';
import { start } from './commands/start';
import { webhooksCommand } from './commands/webhooks';
import type { Args, Command } from './common';
import { type Connections, openConnections } from '../connections';
import { describeError, errorDocument, EXIT, type ExitCode, grpcCodeOf, UnreachableError, UsageError } from './exit-codes';
import { createOutput, type OutputStream } from './output';

export const COMMANDS: readonly Command[] = [start, status, items, reassign, close, done, remove, cancel, report, users, reactivate, list, codecTokens, connectionsCommand, webhooksCommand, importCommand];

const GLOBAL_HELP = [
  '--json    machine-readable output (one JSON document; one per redraw with --watch)',
  '--help    this help',
];

export function toolHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'offboard — offboard users: start a batch, follow it, reassign or close open items, inactivate, reactivate',
    '',
    'Usage: offboard <command> [arguments] [--json] [--help]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command:',
    ...GLOBAL_HELP.map((l) => `  ${l}`),
    '',
    '<user> is a numeric user ID or an email address.',
    'Exit codes: 0 done · 1 refused (reason code and what to do) · 2 usage error · 3 a service is unreachable.',
    'Configuration: TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,',
    '  TEMPORAL_TLS_CLIENT_CERT_PATH / _KEY_PATH, TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TASK_QUEUE,',
    '  DATABASE_URL (default: the embedded PostgreSQL of `npm start`).',
    '',
    'Run `offboard <command> --help` for a command’s flags.',
  ].join('\n');
}

export function commandHelp(c: Command): string {
  return [`Usage: offboard ${c.synopsis} [--json]`, '', c.summary, '', ...c.help.map((l) => `  ${l}`), ...GLOBAL_HELP.map((l) => `  ${l}`)].join('\n');
}

/**
 * parseArgs refuses a value that starts with a dash as "ambiguous" (`--project -1`: a value, or a
 * flag?). Unless it is one of the command's flags, it is the value: written `--project=-1`, it is
 * then checked like any other value and refused with what is wrong with it.
 */
function attachDashValues(argv: readonly string[], options: Command['options'], command: string): string[] {
  const shorts = Object.values(options).flatMap((o) => (o.short ? [`-${o.short}`] : []));
  const isFlag = (arg: string) => (arg.startsWith('--') ? Object.hasOwn(options, arg.slice(2).split('=')[0] ?? '') : shorts.includes(arg));
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return [...args, ...argv.slice(i)];
    const next = argv[i + 1];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && next.length > 1 && next.startsWith('-')) {
      if (isFlag(next) || next === '--') throw new UsageError(`--${name} needs a value`, command);
      args.push(`${arg}=${next}`);
      i++;
      continue;
    }
    args.push(arg);
  }
  return args;
}

function parse(c: Command, argv: string[]): Args & { json: boolean; help: boolean } {
  const options: Command['options'] = { ...c.options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };
  const args = attachDashValues(argv, options, c.name);
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] ?? e.message : String(e);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/, ''), c.name);
  }
  // parseArgs keeps the last of a repeated flag: `--to 8 --to 22` would act on 22 without a word.
  const given = new Map<string, number>();
  for (const t of parsed.tokens) if (t.kind === 'option') given.set(t.name, (given.get(t.name) ?? 0) + 1);
  for (const [name, times] of given) {
    if (times > 1 && !options[name]?.multiple) throw new UsageError(`--${name} was given ${times} times; give it once`, c.name);
  }
  const { json, help, ...values } = parsed.values;
  return { values, positionals: parsed.positionals, json: json === true, help: help === true };
}

export type RunOptions = { env?: NodeJS.ProcessEnv; stdout?: OutputStream; stderr?: OutputStream };

export async function run(argv: string[], options: RunOptions = {}): Promise<ExitCode> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const [name, ...rest] = argv;
  const out = createOutput({ json: rest.includes('--json'), stdout, stderr });
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === undefined) out.error(toolHelp());
    else out.help(toolHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  let conn: Connections | undefined;
  try {
    if (!command) throw new UsageError(`unknown command "${name.slice(0, 40)}"`);
    const args = parse(command, rest);
    if (args.help) {
      out.help(commandHelp(command));
      return EXIT.ok;
    }
    const { min, max, names } = command.positionals;
    if (args.positionals.length < min) throw new UsageError(`missing ${names}`, command.name);
    if (args.positionals.length > max) throw new UsageError(`unexpected argument "${String(args.positionals[max]).slice(0, 40)}"`, command.name);
    conn = openConnections(loadSettings(options.env ?? process.env));
    const c = conn;
    try {
      await command.run({ out, conn: c }, args);
    } catch (e) {
      if (e instanceof UnreachableError) throw e;
      const grpc = grpcCodeOf(e);
      if (grpc === grpcStatus.UNAVAILABLE) throw new UnreachableError('temporal', c.temporalAddress, 'connection lost');
      // A query or update nobody picked up: the server is there, the worker is not.
      if (grpc === grpcStatus.DEADLINE_EXCEEDED) throw new UnreachableError('worker', c.settings.taskQueue, 'deadline exceeded');
      throw e;
    }
    // A reader that went away (EPIPE) is a normal end; a stdout that could not be written is not.
    // A failed write is reported on a later tick: let it arrive first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (out.writeFailure !== undefined) {
      out.error(`offboard: could not write the output (${out.writeFailure})`);
      return EXIT.refused;
    }
    return EXIT.ok;
  } catch (e) {
    const outcome = describeError(e);
    if (out.json) out.error(JSON.stringify(errorDocument(outcome)));
    else for (const l of outcome.lines) out.error(l);
    return outcome.code;
  } finally {
    await conn?.close();
  }
}
