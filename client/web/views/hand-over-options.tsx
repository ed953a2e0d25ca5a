// The <option>s of a "Hand over to" select. They are the same for every item of one project, and a
// leaving person can hold hundreds of items on a few projects of ~60 members each: rendering them per
// item built 12,000 elements for 200 items and made the page slow (bench/web.bench.ts). So each
// project's list is rendered ONCE per page, by the escaping templates like everything else, and the
// finished HTML is repeated in every select of that project.
import type { HtmlEscapedString } from 'hono/utils/html';
import { raw } from 'hono/html';
import type { EligiblePerson } from '../../../domain/assignee-eligibility';

/** The people who may take an item over, as escaped <option> HTML to put inside a <select>. */
export function handOverOptions(people: readonly EligiblePerson[]): HtmlEscapedString {
  const list = (
    <>
      {people.map((p) => (
        <option value={String(p.id)}>{p.jobTitle ? `${p.name} (${p.jobTitle})` : p.name}</option>
      ))}
    </>
  );
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a hono/jsx node's toString() IS its rendering
  const html = list.toString();
  // Plain elements render synchronously; a Promise would mean an async component crept in.
  if (typeof html !== 'string') throw new Error('handOverOptions: the option list must render synchronously');
  // Already escaped by the template above (names are user data): mark it so it is not escaped twice.
  return raw(html);
}

/** One rendered option list per project of the page. */
export function handOverOptionsByProject(eligible: ReadonlyMap<number, readonly EligiblePerson[]>): Map<number, HtmlEscapedString> {
  return new Map([...eligible].map(([projectId, people]) => [projectId, handOverOptions(people)]));
}
