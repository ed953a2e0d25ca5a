// The "Hand over to" options are rendered once per project and repeated in every select of that
// project's items (client/web/views/hand-over-options.tsx): still escaped, and the same HTML as the
// options written out in place.
import { Fragment, jsx } from 'hono/jsx';
import { describe, expect, it } from 'vitest';
import { handOverOptions, handOverOptionsByProject } from '../client/web/views/hand-over-options';

const people = [
  { id: 7, name: 'Grace Liu', jobTitle: 'Scheduler' },
  { id: 8, name: '<script>alert("x")</script> Eve', jobTitle: '"><img src=x onerror=alert(1)>' },
  { id: 9, name: 'Tomás & Co', jobTitle: null },
];

const render = async (node: ReturnType<typeof jsx>) => String(await node.toString());

describe('hand-over options', () => {
  it('escapes names and job titles, and is the same HTML as the options written in place', async () => {
    const once = handOverOptions(people);
    expect(String(once)).toBe(
      '<option value="7">Grace Liu (Scheduler)</option>' +
        '<option value="8">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Eve (&quot;&gt;&lt;img src=x onerror=alert(1)&gt;)</option>' +
        '<option value="9">Tomás &amp; Co</option>',
    );
    const inPlace = jsx('select', {}, ...people.map((p) => jsx('option', { value: String(p.id) }, p.jobTitle ? `${p.name} (${p.jobTitle})` : p.name)));
    expect(await render(jsx('select', {}, once))).toBe(await render(inPlace));
  });

  it('is rendered once per project and not escaped a second time where it is repeated', async () => {
    const byProject = handOverOptionsByProject(new Map([[1, people], [2, []]]));
    expect([...byProject.keys()]).toEqual([1, 2]);
    expect(String(byProject.get(2))).toBe('');
    const html = await render(jsx(Fragment, {}, jsx('select', {}, byProject.get(1)), jsx('select', {}, byProject.get(1))));
    expect(html.match(/<option value="8">&lt;script&gt;/g)).toHaveLength(2);
    expect(html).not.toContain('&amp;lt;');
  });
});
