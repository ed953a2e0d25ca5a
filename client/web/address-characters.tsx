// Addresses with control characters in them (NUL, ESC, line breaks…) name nothing here: no name,
// email, ID, token or filter holds one, and PostgreSQL refuses NUL in text outright (a 500 before
// this check). Every request's path and query values are judged before anything reads them, and
// such an address answers 400 with a page saying so; nothing is read from the database.
import type { MiddlewareHandler } from 'hono';
import { forbiddenCharacter } from '../../workflows/contract';
import type { AppEnv } from './context';
import { Stop } from './views/layout';

const decoded = (text: string): string => {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    // Malformed percent-encoding stays as it is: it is not a control character, and the route refuses it.
    return text;
  }
};

/** The first control character of the address (path or query), as `U+0000`, or undefined. */
export function controlCharacterInAddress(url: string): string | undefined {
  const { pathname, search } = new URL(url);
  const parts = [...pathname.split('/'), ...search.replace(/^\?/, '').split(/[&=]/)];
  for (const part of parts) {
    const found = forbiddenCharacter(decoded(part), { lineBreaks: false });
    if (found) return found;
  }
  return undefined;
}

export function refuseControlCharacters(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const found = controlCharacterInAddress(c.req.url);
    if (!found) return next();
    return c.html(
      <Stop title="This address cannot be opened" viewer={null} csrfToken="">
        <p>It holds a control character ({found}), which no name, email address or ID has. Nothing was changed.</p>
        <p>
          <a href="/">Start page</a>
        </p>
      </Stop>,
      400,
    );
  };
}
