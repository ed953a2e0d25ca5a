// The SCIM conformance suite no one here wrote: `scim2-tester`, run through `scim2-cli`'s
// `scim2 --url … test`, both from PyPI, pinned, installed into the project's .tools/venv (the venv
// the Temporal CLI comes from) once per run by the global setup, under the same install lock.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { toolsDir, venvDir, withLockFile } from '../../launcher/temporal-binaries';

export const SCIM2_CLI_VERSION = '0.6.0';
export const SCIM2_TESTER_VERSION = '0.5.2';
export const scim2Binary = path.join(venvDir, 'bin', 'scim2');

const run = promisify(execFile);

/** Installs scim2-cli and scim2-tester when missing; '' when ready, else why not (one line). */
export async function ensureScimTester(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  return withLockFile(path.join(toolsDir, 'install.lock'), async () => {
    const pip = path.join(venvDir, 'bin', 'pip');
    const have = await run(pip, ['show', 'scim2-cli', 'scim2-tester'], { timeout: 60_000 }).then(
      (r) => r.stdout,
      () => '',
    );
    if (fs.existsSync(scim2Binary) && have.includes(`Version: ${SCIM2_CLI_VERSION}`) && have.includes(`Version: ${SCIM2_TESTER_VERSION}`)) return '';
    if (!fs.existsSync(pip)) return `${pip} does not exist (the Temporal binaries' venv is made first)`;
    log(`scim conformance: installing scim2-cli==${SCIM2_CLI_VERSION} and scim2-tester==${SCIM2_TESTER_VERSION} from PyPI into ${venvDir} (once)`);
    try {
      await run(pip, ['install', '--disable-pip-version-check', '--quiet', `scim2-cli==${SCIM2_CLI_VERSION}`, `scim2-tester==${SCIM2_TESTER_VERSION}`], { timeout: 600_000 });
      return '';
    } catch (e) {
      return `pip install scim2-cli scim2-tester failed: ${e instanceof Error ? e.message.split('\n').slice(-2).join(' ') : String(e)}`;
    }
  });
}

export type ConformanceCheck = { status: string; title: string; reason: string };

/** The checks of `scim2 test`'s output: a status word and a title, then the reason indented. */
export function parseConformance(output: string): ConformanceCheck[] {
  const checks: ConformanceCheck[] = [];
  for (const line of output.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '').split('\n')) {
    const head = /^(SUCCESS|COMPLIANT|ACCEPTABLE|DEVIATION|ERROR|CRITICAL|SKIPPED) (.*)$/.exec(line);
    if (head) checks.push({ status: head[1]!, title: head[2]!, reason: '' });
    else if (line.startsWith('  ') && checks.length > 0) checks[checks.length - 1]!.reason += `${line.trim()}\n`;
  }
  return checks;
}
