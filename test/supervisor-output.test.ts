// What `npm start` and `npm run stack` print and how they take Ctrl-C (issue 21, item 14), without
// starting them: the `npx offboard …` commands of their banners carry the variables the CLI needs in
// another terminal, and one Ctrl-C (which arrives twice: from the terminal and from npm) is one stop.
// test/runtime.test.ts runs a printed command against a real `npm start` on moved ports.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { embeddedDatabaseUrl } from '../config/settings';
import { cliEnvironment, cliPasswordNote, offboardCommand } from '../launcher/cli-command';
import { DUPLICATE_MS, onStopSignals } from '../launcher/stop-signals';

const DEFAULT_TARGET = { databaseUrl: embeddedDatabaseUrl(54329), temporalAddress: '127.0.0.1:7233', namespace: 'default', taskQueue: 'offboarding' };

describe('the banners’ CLI commands', () => {
  it('are bare where everything is where the CLI looks by default', () => {
    expect(offboardCommand(DEFAULT_TARGET, 'report')).toBe('npx offboard report');
    expect(cliPasswordNote(DEFAULT_TARGET)).toEqual([]);
  });

  it('carry the moved ports, namespace and task queue', () => {
    const t = { databaseUrl: embeddedDatabaseUrl(55001), temporalAddress: '127.0.0.1:7301', namespace: 'ops', taskQueue: 'offboarding-2' };
    expect(offboardCommand(t, 'status <batch-id>')).toBe(
      'EMBEDDED_PG_PORT=55001 TEMPORAL_ADDRESS=127.0.0.1:7301 TEMPORAL_NAMESPACE=ops TEMPORAL_TASK_QUEUE=offboarding-2 npx offboard status <batch-id>',
    );
  });

  it('carry a DATABASE_URL, without its password, and say so', () => {
    const t = { ...DEFAULT_TARGET, databaseUrl: 'postgres://app:s3cret@db.internal:5432/offboarding?sslmode=require' };
    const cmd = offboardCommand(t, 'report');
    expect(cmd).toBe("DATABASE_URL='postgres://app:***@db.internal:5432/offboarding?sslmode=require' npx offboard report");
    expect(cmd).not.toContain('s3cret');
    expect(cliEnvironment(t).hidesPassword).toBe(true);
    expect(cliPasswordNote(t).join('')).toContain('***');
    const noPassword = { ...DEFAULT_TARGET, databaseUrl: 'postgres://app@db.internal/offboarding' };
    expect(offboardCommand(noPassword, 'report')).toBe('DATABASE_URL=postgres://app@db.internal/offboarding npx offboard report');
  });
});

describe('stop signals', () => {
  function harness() {
    const source = new EventEmitter();
    let clock = 0;
    const calls: string[] = [];
    onStopSignals({ stop: (s) => calls.push(`stop ${s}`), again: (s) => calls.push(`again ${s}`) }, { source, now: () => clock });
    return { source, calls, advance: (ms: number) => (clock += ms) };
  }

  it('one Ctrl-C, delivered by the terminal and again by npm, stops once and says nothing more', () => {
    const h = harness();
    h.source.emit('SIGINT');
    h.advance(3);
    h.source.emit('SIGINT');
    expect(h.calls).toEqual(['stop SIGINT']);
  });

  it('a second Ctrl-C later is told that the stop is under way', () => {
    const h = harness();
    h.source.emit('SIGINT');
    h.advance(DUPLICATE_MS + 500);
    h.source.emit('SIGINT');
    h.source.emit('SIGTERM');
    expect(h.calls).toEqual(['stop SIGINT', 'again SIGINT', 'again SIGTERM']);
  });
});
