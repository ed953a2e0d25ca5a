// Issue 24: a test suite no one here wrote. schemathesis (PyPI, installed once per run, scripts/tool-installs.mjs) reads
// /api/v1/openapi.json and sends generated requests — valid and invalid — with a token that has every
// offboarding scope and directory:write, against the real web app, worker, Temporal dev server and PostgreSQL, with
// `--checks all` and a bounded number of examples per operation. No answer may be a 5xx, and none may
// break the document (a status, content type, header or body it does not declare). The other checks
// (ST202, a schema-valid body the domain refuses: an email nobody has, a date too far) are reported, not failed on.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_BASE_PATH } from '../client/web/api/routes';
import { createConnection } from '../domain/connections';
import { directoryFixtures } from './helpers/directory-fixtures';
import { pythonTool, SCHEMATHESIS, venvPython } from './helpers/python-tools';
import { budget } from './helpers/time-budget';
import { startWebStack, type WebStack } from './helpers/web-stack';

/** Per operation; 14 operations, so a few hundred requests in all. */
const MAX_EXAMPLES = 25;
/** Failures (by schemathesis's titles) that mean the server failed or the API broke its own document. */
const DOCUMENT_BREAKING = /server error|undocumented|violates schema|missing content-type|missing required header|malformed media type/i;

let s: WebStack;
let token: string;

beforeAll(async () => {
  s = await startWebStack({ settings: { api: { requestsPerMinute: 1_000_000 } } });
  const f = directoryFixtures(s.h.t.db);
  const admin = await f.admin({ name: 'Helen Park', email: 'helen.park@northwind.example' });
  const project = await f.project('Tower');
  const leaver = await f.user({ name: 'Ann Lee', email: 'ann.lee@northwind.example' });
  await f.member(project, leaver);
  await f.rfi({ projectId: project, assignees: [leaver] });
  token = (await createConnection(s.h.t.db, { name: 'Fuzz', company: 'Northwind', policy: { reason: 'Left', successor: 'none' }, adminUserId: admin, createdBy: 'test', scopes: ['offboardings:read', 'offboardings:write', 'directory:write'] })).token;
}, budget(240_000));
afterAll(async () => {
  await s?.close();
});

type Failure = { code: string; title: string; count: number };

/** The run's summary: schemathesis prints each kind of failure once, as `❌ ST103 Undocumented status code: 1`. */
function failuresOf(output: string): Failure[] {
  return [...output.matchAll(/❌ (ST\d+) ([^:\n]+): (\d+)/g)].map(([, code, title, count]) => ({ code: code ?? '', title: (title ?? '').trim(), count: Number(count) }));
}

it(
  'schemathesis --checks all finds no 5xx and no answer that breaks the document',
  async () => {
    const st = pythonTool(SCHEMATHESIS, 'schemathesis', 'test/api-schemathesis.test.ts');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-schemathesis-'));
    const junit = path.join(dir, 'junit.xml');
    const args = [
      'run',
      `${s.url}${API_BASE_PATH}/openapi.json`,
      '--checks',
      'all',
      '--max-examples',
      String(MAX_EXAMPLES),
      '--header',
      `Authorization: Bearer ${token}`,
      '--report',
      'junit',
      '--report-junit-path',
      junit,
      '--seed',
      '24',
      '--no-color',
    ];
    const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
      // In the run's own directory: schemathesis keeps its example database in ./.schemathesis.
      const child = spawn(venvPython(SCHEMATHESIS), [st, ...args], { cwd: dir, env: { ...process.env, SCHEMATHESIS_HOOKS: '' } });
      child.on('error', (e) => resolve({ code: null, text: `could not run ${st}: ${e.message}` }));
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('close', (code) => resolve({ code, text }));
    });
    const summary = /(\d+) (?:test cases|generated)[^\n]*/.exec(output.text)?.[0] ?? '';
    console.log(`schemathesis exit ${output.code}; ${summary}\n${output.text.split('\n').slice(-40).join('\n')}`);
    expect(fs.existsSync(junit), output.text.slice(-3000)).toBe(true);
    const operations = Number(/Tested: (\d+)/.exec(output.text)?.[1] ?? 0);
    const failures = failuresOf(output.text);
    console.log(`schemathesis: ${operations} operations; ${summary}; failures: ${JSON.stringify(failures)}`);
    // The 8 of offboardings, the 2 of directory:write, and the 4 of /webhooks (answering this token's
    // missing scope: 403, as documented).
    expect(operations).toBe(14);
    expect(failures.filter((f) => DOCUMENT_BREAKING.test(f.title)), output.text.slice(-6000)).toEqual([]);
    expect(s.logs.filter((l) => l.startsWith('error: API request failed'))).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  },
  budget(600_000),
);
