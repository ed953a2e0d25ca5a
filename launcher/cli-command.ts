// The `npx offboard …` commands the start banners print (`npm start`, `npm run stack`), written so they
// work as printed in another terminal: the CLI there reads only its own environment, so when the
// database, Temporal, the namespace or the task queue are not where it looks by default (ports moved
// with EMBEDDED_PG_PORT or TEMPORAL_PORT, DATABASE_URL, …) the command carries the variables it needs.
import { DEFAULT_EMBEDDED_PG_PORT, DEFAULT_TEMPORAL_PORT, embeddedDatabaseUrl } from '../config/settings';

/** Where the CLI must reach what the supervisor started. */
export type CliTarget = { databaseUrl: string; temporalAddress: string; namespace: string; taskQueue: string };

/** The CLI's own defaults (config/settings.ts with nothing set). */
const DEFAULTS = { temporalAddress: `127.0.0.1:${DEFAULT_TEMPORAL_PORT}`, namespace: 'default', taskQueue: 'offboarding' };

/** A value as one shell word: bare when it is plain, else single-quoted. */
const shellWord = (v: string) => (/^[A-Za-z0-9_./:@%+=,-]+$/.test(v) ? v : `'${v.replaceAll("'", `'\\''`)}'`);

/**
 * The variables the CLI needs, in order. The embedded server's URL becomes EMBEDDED_PG_PORT (no
 * password printed); a DATABASE_URL's password is never printed: it shows as `***` and `hidesPassword`
 * says so, for the banner to tell the reader to put it in.
 */
export function cliEnvironment(t: CliTarget): { vars: [string, string][]; hidesPassword: boolean } {
  const vars: [string, string][] = [];
  let hidesPassword = false;
  const embedded = /^postgres:\/\/postgres:postgres@127\.0\.0\.1:(\d+)\/offboarding$/.exec(t.databaseUrl);
  if (embedded && t.databaseUrl === embeddedDatabaseUrl(Number(embedded[1]))) {
    if (Number(embedded[1]) !== DEFAULT_EMBEDDED_PG_PORT) vars.push(['EMBEDDED_PG_PORT', embedded[1]!]);
  } else {
    let url = t.databaseUrl;
    try {
      const u = new URL(url);
      if (u.password) {
        u.password = '***';
        url = u.toString();
        hidesPassword = true;
      }
    } catch {
      // printed as given: the CLI will name what is wrong with it
    }
    vars.push(['DATABASE_URL', url]);
  }
  if (t.temporalAddress !== DEFAULTS.temporalAddress) vars.push(['TEMPORAL_ADDRESS', t.temporalAddress]);
  if (t.namespace !== DEFAULTS.namespace) vars.push(['TEMPORAL_NAMESPACE', t.namespace]);
  if (t.taskQueue !== DEFAULTS.taskQueue) vars.push(['TEMPORAL_TASK_QUEUE', t.taskQueue]);
  return { vars, hidesPassword };
}

/** `npx offboard <args>`, after the variables it needs (`EMBEDDED_PG_PORT=55432 npx offboard report`). */
export function offboardCommand(t: CliTarget, args: string): string {
  const { vars } = cliEnvironment(t);
  return [...vars.map(([k, v]) => `${k}=${shellWord(v)}`), 'npx offboard', args].join(' ');
}

/** The banner's line under the commands when a password had to be left out of them, else none. */
export function cliPasswordNote(t: CliTarget): string[] {
  return cliEnvironment(t).hidesPassword ? ['  (put DATABASE_URL’s password in place of *** in these commands)'] : [];
}
