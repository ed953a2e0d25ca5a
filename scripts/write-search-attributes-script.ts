// Regenerates the list in deploy/register-search-attributes.sh from SEARCH_ATTRIBUTE_REGISTRATIONS
// (workflows/contract/search-attributes.ts), so docker-compose registers exactly what the workflows upsert.
//   npx tsx scripts/write-search-attributes-script.ts          rewrite the file
//   npx tsx scripts/write-search-attributes-script.ts --check  exit 1 when it is out of date
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../workflows/contract';

export const REGISTER_SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'deploy', 'register-search-attributes.sh');
const BEGIN = '# BEGIN GENERATED SEARCH ATTRIBUTES';
const END = '# END GENERATED SEARCH ATTRIBUTES';

/** The script's text with the generated block replaced by the current list. */
export function renderRegisterScript(current: string): string {
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${REGISTER_SCRIPT}: markers "${BEGIN}" / "${END}" not found`);
  const lines = SEARCH_ATTRIBUTE_REGISTRATIONS.map((sa) => `register ${sa.name} ${sa.type}`);
  return `${current.slice(0, start)}${BEGIN}\n${lines.join('\n')}\n${current.slice(end)}`;
}

/** Name and type of every `register NAME TYPE` line between the markers, in order. */
export function parseRegisterScript(text: string): { name: string; type: string }[] {
  const block = text.slice(text.indexOf(BEGIN) + BEGIN.length, text.indexOf(END));
  return block
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('register '))
    .map((l) => {
      const [, name = '', type = ''] = l.split(/\s+/);
      return { name, type };
    });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const current = fs.readFileSync(REGISTER_SCRIPT, 'utf8');
  const next = renderRegisterScript(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      process.stderr.write(`${REGISTER_SCRIPT} is out of date: run npx tsx scripts/write-search-attributes-script.ts\n`);
      process.exit(1);
    }
  } else if (next !== current) {
    fs.writeFileSync(REGISTER_SCRIPT, next);
    process.stdout.write(`updated ${REGISTER_SCRIPT}\n`);
  }
}
