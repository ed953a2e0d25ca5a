// Counts in words: English plural forms chosen by Intl.PluralRules (not `n === 1`), so "1 person
// matches" and "0 people match" come from one rule, and the number is written as people read it
// (10,000). Every page writes its counts through these.
const rules = new Intl.PluralRules('en');

/** The form of a word that goes with the count: `one` or `many`. */
export const pluralWord = (n: number, one: string, many = `${one}s`): string => (rules.select(n) === 'one' ? one : many);

/** `1 person`, `2 people`, `10,000 items`. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${pluralWord(n, one, many)}`;
