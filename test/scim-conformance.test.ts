// Issue 23: the SCIM conformance suite no one here wrote — scim2-tester, through `scim2 --url … test`
// (installed once per run into .tools/venv-scim2, scripts/tool-installs.mjs) — against the running web app (with its worker,
// Temporal and PostgreSQL) and a connection's token. Every check for what ServiceProviderConfig
// advertises must pass; the suite's own findings that we believe wrong are listed in KNOWN_WRONG with
// the RFC section, and nothing else may fail.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConnection } from '../domain/connections';
import { directoryFixtures } from './helpers/directory-fixtures';
import { pythonTool, SCIM_TESTER, venvPython } from './helpers/python-tools';
import { type ConformanceCheck, parseConformance } from './helpers/scim-tester';
import { budget } from './helpers/time-budget';
import { startWebStack, type WebStack } from './helpers/web-stack';

const run = promisify(execFile);

const OURS = 'urn:offboarding-worker:params:scim:schemas:extension:offboarding:2.0:User';

/**
 * Checks of the suite we believe wrong: the check's title, what its reason names, and why, with the
 * RFC section. Any other failing check fails the test; one of these that passes is logged.
 */
const KNOWN_WRONG: { title: string; names: string; why: string }[] = [
  ...['check_add_attribute', 'check_replace_attribute', 'check_remove_attribute'].map((title) => ({
    title,
    names: OURS,
    why:
      'Our extension has only readOnly attributes (stage, batchId). RFC 7643 §7 gives mutability per attribute, and RFC 7644 §3.5.2 ' +
      'answers an attempt to modify a readOnly attribute with 400 mutability; the suite treats the extension as a whole as readWrite.',
  })),
  {
    title: 'check_remove_attribute',
    names: "'active'",
    why:
      'RFC 7643 §4.1.1 leaves the meaning of active to the service provider: here a person’s administrative status always exists, ' +
      'so a remove cannot make it unassigned (RFC 7644 §3.5.2.2); the status is kept and reported. Okta and Entra ID set it, never remove it.',
  },
];
const knownWrong = (c: ConformanceCheck) => KNOWN_WRONG.find((k) => k.title === c.title && c.reason.includes(k.names));

let s: WebStack;
let token: string;

beforeAll(async () => {
  s = await startWebStack({ settings: { intakeWindowMs: 1000, scim: { requestsPerMinute: 100_000 } } });
  const admin = await directoryFixtures(s.h.t.db).admin({ name: 'Helen Park', email: 'helen@conformance.example', company: 'Conformance Co' });
  token = (await createConnection(s.h.t.db, { name: 'scim2-tester', company: 'Conformance Co', policy: { reason: 'Conformance', successor: 'none' }, adminUserId: admin, createdBy: 'test' })).token;
}, budget(240_000));
afterAll(async () => {
  await s?.close();
});

it('passes every check of scim2-tester for what ServiceProviderConfig advertises', async () => {
  const scim2 = pythonTool(SCIM_TESTER, 'scim2', 'test/scim-conformance.test.ts');
  const result = await run(venvPython(SCIM_TESTER), [scim2, '--url', `${s.url}/scim/v2`, 'test', '--verbose'], {
    // The token in the environment, not on the command line (other users of the machine see that).
    env: { ...process.env, SCIM_CLI_HEADERS: `Authorization: Bearer ${token}`, NO_COLOR: '1' },
    timeout: budget(300_000),
    maxBuffer: 16 * 1024 * 1024,
  }).catch((e: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
  const checks = parseConformance(result.stdout);
  const counts = checks.reduce<Record<string, number>>((n, c) => ({ ...n, [c.status]: (n[c.status] ?? 0) + 1 }), {});
  console.log(`scim2-tester: ${JSON.stringify(counts)}`);
  for (const c of checks) if (c.status !== 'SUCCESS') console.log(`${c.status} ${c.title}\n  ${c.reason.trim().split('\n')[0]}`);
  expect(checks.length, `no checks in the output:\n${result.stdout}\n${result.stderr}`).toBeGreaterThan(20);
  const failing = checks.filter((c) => c.status === 'ERROR' || c.status === 'CRITICAL');
  expect(failing.filter((c) => !knownWrong(c)).map((c) => `${c.title}: ${c.reason.trim().slice(0, 400)}`)).toEqual([]);
  // The checks we believe wrong are reported when they did not fail this time: scim2-tester picks the
  // attributes it tries at random, so a run may not touch our read-only extension at all.
  const notSeen = KNOWN_WRONG.filter((k) => !failing.some((c) => knownWrong(c) === k));
  if (notSeen.length > 0) console.log(`known-wrong checks that did not fail this run: ${notSeen.map((k) => `${k.title} ${k.names}`).join('; ')}`);
}, budget(400_000));
