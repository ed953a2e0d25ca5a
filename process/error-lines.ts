// What an operator reads when the worker or `npm start` cannot go on: one line per error, with no
// stack trace and no password.

/** The first line of an error's message, with its errno code when the message leaves it out. */
export function reason(e: unknown): string {
  // Node's connect to "localhost" tries IPv4 and IPv6 and reports both in an AggregateError whose
  // own message is empty; the first attempt says what went wrong.
  if (e instanceof AggregateError && e.errors.length > 0) return reason(e.errors[0]);
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    const msg = e.message.split('\n')[0] ?? '';
    return code && !msg.includes(code) ? `${code} ${msg}`.trim() : msg || e.name;
  }
  return String(e);
}

/** A URL fit to print: its password masked; one that does not parse is not printed at all. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
