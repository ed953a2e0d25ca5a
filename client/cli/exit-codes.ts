// Exit codes and the mapping of every error to one of them, with one line (plus a hint) for a person:
//   0 done · 1 refused (a domain refusal code and what to do) · 2 usage error · 3 a service is unreachable.
import type { status } from '@grpc/grpc-js';
import { isGrpcServiceError, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ConfigurationError } from '../../config/settings';
import type { RefusalCode } from '../../workflows/contract';
import { refusalOf } from '../refusals';
import { cliHint } from './refusal-hints';

export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Wrong command, flag or argument: exit 2 with the command's usage hint. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

export type Service = 'temporal' | 'postgres' | 'worker';

/** A service could not be reached: exit 3, naming the service and how to start it. */
export class UnreachableError extends Error {
  override name = 'UnreachableError';
  constructor(
    readonly service: Service,
    readonly target: string,
    readonly detail: string,
  ) {
    super(
      service === 'temporal'
        ? `Temporal at ${target} is unreachable (${detail}): start it with \`npm start\` or set TEMPORAL_ADDRESS`
        : service === 'postgres'
          ? `PostgreSQL at ${target} is unreachable (${detail}): start it with \`npm start\` or set DATABASE_URL`
          : `No worker answered on task queue ${target} (${detail}): start it with \`npm start\` or \`npm run worker\`, or check TEMPORAL_TASK_QUEUE`,
    );
  }
}

/** The gRPC status code anywhere in the cause chain (UNAVAILABLE: the server is gone; DEADLINE_EXCEEDED: nobody answered). */
export function grpcCodeOf(err: unknown): status | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e instanceof Error; depth++) {
    if (isGrpcServiceError(e)) return e.code;
    e = e.cause;
  }
  return undefined;
}

/** An error as the CLI reports it: exit code, the lines for stderr, and the refusal code if it is one. */
export type Outcome = { code: ExitCode; lines: string[]; refusal: RefusalCode | null };

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim();
}

/** Maps any error to an exit code and the lines written to stderr: never a stack trace. */
export function describeError(err: unknown): Outcome {
  const refusal = refusalOf(err);
  if (refusal) {
    return { code: EXIT.refused, lines: [`${refusal.code}: ${firstLine(refusal.message)}`, `  ${cliHint(refusal.code)}`], refusal: refusal.code };
  }
  if (err instanceof UsageError) {
    const help = err.command ? `offboard ${err.command} --help` : 'offboard --help';
    return { code: EXIT.usage, lines: [`offboard: ${err.message}`, `  See \`${help}\`.`], refusal: null };
  }
  if (err instanceof ConfigurationError) {
    return { code: EXIT.usage, lines: [`offboard: invalid configuration: ${err.message}`], refusal: null };
  }
  if (err instanceof UnreachableError) return { code: EXIT.unreachable, lines: [err.message], refusal: null };
  if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowFailedError) {
    const cause = err.cause instanceof Error ? `: ${firstLine(err.cause.message)}` : '';
    return { code: EXIT.refused, lines: [`offboard: ${firstLine(err.message)}${cause}`], refusal: null };
  }
  const message = err instanceof Error ? firstLine(err.message) : String(err);
  return { code: EXIT.refused, lines: [`offboard: unexpected error: ${message}`], refusal: null };
}

/**
 * The --json form of an error: `message` is the stderr lines as one text. Lines are sentences of
 * their own on stderr (workflow messages have no full stop), so each gets one before the next.
 */
export function errorDocument(outcome: Outcome): { error: { exitCode: ExitCode; message: string; code: RefusalCode | null } } {
  const sentences = outcome.lines.map((l) => l.replace(/\s+/g, ' ').trim()).filter((l) => l !== '');
  const message = sentences.map((l, i) => (i < sentences.length - 1 && !/[.!?]$/.test(l) ? `${l}.` : l)).join(' ');
  return { error: { exitCode: outcome.code, message, code: outcome.refusal } };
}
