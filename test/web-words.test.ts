// How the pages write counts and codes: plural forms from Intl.PluralRules (issue 21, item 13), and
// items' statuses in words (the same words on the page, the person page and the CSV).
import { describe, expect, it } from 'vitest';
import { plural, pluralWord } from '../client/web/plural';
import { waited } from '../client/web/words';
import { itemStatusWords } from '../workflows/contract';

describe('counts in words', () => {
  it('0, 1 and 2 take the plural form English gives them', () => {
    expect([0, 1, 2].map((n) => plural(n, 'person', 'people'))).toEqual(['0 people', '1 person', '2 people']);
    expect([0, 1, 2].map((n) => plural(n, 'item'))).toEqual(['0 items', '1 item', '2 items']);
    expect([0, 1, 2].map((n) => `${plural(n, 'person', 'people')} ${pluralWord(n, 'matches', 'match')}`)).toEqual([
      '0 people match',
      '1 person matches',
      '2 people match',
    ]);
    expect(pluralWord(1, 'stays', 'stay')).toBe('stays');
  });

  it('writes large numbers as people read them', () => {
    expect(plural(10_000, 'person', 'people')).toBe('10,000 people');
  });

  it('waiting times: 1 hour, 2 hours, 2 days', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    expect(waited(new Date(now.getTime() - 3_600_000), now)).toBe('1 hour');
    expect(waited(new Date(now.getTime() - 2 * 3_600_000), now)).toBe('2 hours');
    expect(waited(new Date(now.getTime() - 49 * 3_600_000), now)).toBe('2 days');
  });
});

describe('item statuses in words', () => {
  it('the tools’ codes read as words', () => {
    expect(['work_required', 'in_review', 'ready_for_review', 'not_started', 'open'].map(itemStatusWords)).toEqual([
      'work required',
      'in review',
      'ready for review',
      'not started',
      'open',
    ]);
  });
});
