// What a person may write (notes, reasons) and how their text is counted and shown. Pure functions,
// used alike by the CLI, the web, the workflow validators, the activities and the email templates.
//
// Lengths count Unicode code points, which is what PostgreSQL's char_length counts (the database's
// check constraints use it), so every layer gives the same answer: 2,000 emoji are 2,000 characters,
// not 4,000 UTF-16 units.
//
// Control characters are refused in what people write, and neutralised wherever text from the
// directory (names, titles) or from people is shown: terminal escape sequences (ESC …), C1 controls,
// and the bidirectional overrides that make "gpj.exe" read as "exe.jpg" (U+202A–U+202E,
// U+2066–U+2069). A note may keep its line breaks (\n, or \r\n as browsers send them) and tabs.

/** Number of code points, as PostgreSQL's char_length counts them. */
export function textLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

// These patterns exist to find control characters.
/* eslint-disable no-control-regex */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|\r(?!\n)/;
const CONTROL_OR_BREAK = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const CONTROL_ALL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|\r(?!\n)/g;
/* eslint-enable no-control-regex */

/**
 * The first character a person may not write, as `U+001B`, or undefined. `lineBreaks` allows \n and
 * \r\n (notes); without it any line break is refused too (one-line text).
 */
export function forbiddenCharacter(text: string, options: { lineBreaks: boolean }): string | undefined {
  const m = (options.lineBreaks ? CONTROL : CONTROL_OR_BREAK).exec(text);
  if (!m) return undefined;
  return `U+${(m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Text for display: every control character (line breaks and tabs kept) becomes U+FFFD. */
export function neutralizeControls(text: string): string {
  return text.replace(CONTROL_ALL, '\uFFFD');
}

export type TextRule = { what: string; max: number; lineBreaks: boolean };

/**
 * Why `text` breaks `rule`, as a sentence naming `rule.what`, or undefined when it is fine. Callers
 * turn the sentence into their own refusal (NOTE_TOO_LONG for notes, INVALID_INPUT otherwise).
 */
export function textProblem(text: unknown, rule: TextRule): { kind: 'type' | 'length' | 'character'; message: string } | undefined {
  if (typeof text !== 'string') return { kind: 'type', message: `${rule.what} must be text.` };
  const length = textLength(text);
  if (length > rule.max) {
    return { kind: 'length', message: `${rule.what} has ${length} characters; at most ${rule.max} are allowed.` };
  }
  const bad = forbiddenCharacter(text, { lineBreaks: rule.lineBreaks });
  if (bad) {
    return {
      kind: 'character',
      message: `${rule.what} contains the control character ${bad}${rule.lineBreaks ? '' : ' (or a line break)'}; remove it and try again.`,
    };
  }
  return undefined;
}
