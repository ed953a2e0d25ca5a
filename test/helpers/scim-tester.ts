// Reads the output of the SCIM conformance suite no one here wrote: `scim2-tester`, run through
// `scim2-cli`'s `scim2 --url … test` (PyPI, pinned in scripts/tool-installs.mjs).
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
