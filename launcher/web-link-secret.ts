// WEB_LINK_SECRET signs the links in emails (the worker) and the web app's forms. Unset, `npm start`
// and `npm run stack` keep one in their data folder (created on first start, readable by this user
// only), so links in emails already sent survive restarts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WEB_LINK_SECRET_FILE } from '../config/settings';

export function webLinkSecret(o: { configured?: string; dataDir: string; log: (line: string) => void }): string {
  if (o.configured) return o.configured;
  const file = path.join(o.dataDir, WEB_LINK_SECRET_FILE);
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch {
    // first start: create it below
  }
  fs.mkdirSync(o.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  o.log(`web: generated WEB_LINK_SECRET into ${file}`);
  return secret;
}
