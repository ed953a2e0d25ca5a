// Where a page sends someone who is not signed in: the sign-in page, told why a session just ended.
import type { Context } from 'hono';
import type { AppEnv } from './context';

export function signInPath(c: Context<AppEnv>): string {
  const ended = c.get('endedBecause');
  return ended ? `/signin?ended=${ended}` : '/signin';
}
