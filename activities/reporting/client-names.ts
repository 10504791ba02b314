/**
 * A client's name as the client directory compares it (`ReportingStore.clients`), so a returning
 * client typed differently from before ("Acme Limited" for "ACME Ltd", "Muller and Sohn" for
 * "Müller & Sohn GmbH", "Acmee") is still offered to the manager: picked, the project keeps the id
 * its earlier ones have, and regular clients and client spend (counted by id) are not split in two.
 * Plain TypeScript: the store turns these words into SQL, the same on PostgreSQL and PGlite.
 */

/**
 * Words that say what kind of company a client is, or join its name, not which company it is: one
 * client is "ACME Ltd" on one brief and "Acme Limited" or "The Acme Company" on the next. Ignored
 * in what is typed while some other word remains (typed alone, "Ltd" is still looked for as it was,
 * so it does not find every client). "&" is read as "and" before these apply.
 */
export const CLIENT_NAME_FILLER_WORDS: ReadonlySet<string> = new Set([
  'ltd', 'limited', 'llc', 'llp', 'inc', 'incorporated', 'gmbh', 'ag', 'co', 'company', 'corp', 'corporation',
  'plc', 'sa', 'sarl', 'srl', 'bv', 'nv', 'oy', 'ab', 'pty', 'the', 'and',
]);

/** Apostrophes join a word's letters ("O’Brien" is "OBrien", "Bagshaw's" is "Bagshaws"). */
export const NAME_APOSTROPHES = "'’‘`´";

/**
 * Characters that only separate words ("Corp." is "Corp", "Smith-Jones" is "Smith Jones"): ASCII
 * punctuation and spaces, and the typographic ones briefs are pasted with. Listed rather than a
 * regular expression class, whose meaning for letters beyond ASCII depends on the server's locale
 * (PGlite's C locale and a production server's would disagree).
 */
export const NAME_WORD_BREAKS = ' \t\r\n\u00a0!"#$%()*+,-./:;<=>?@[\\]^_{|}~–—“”„«»·…';

/** The words of a name as typed: without combining marks, apostrophes joined, "&" as "and", split at punctuation. */
function nameWords(text: string): string[] {
  let plain = text.normalize('NFD').replace(/\p{M}/gu, '');
  for (const apostrophe of NAME_APOSTROPHES) plain = plain.replaceAll(apostrophe, '');
  plain = plain.replaceAll('&', ' and ');
  let spaced = '';
  for (const ch of plain) spaced += NAME_WORD_BREAKS.includes(ch) ? ' ' : ch;
  return spaced.split(' ').filter(Boolean);
}

/** The words a client search looks for: legal-form and joining words left out, unless nothing else was typed. */
export function clientSearchWords(search: string): string[] {
  const words = nameWords(search);
  const telling = words.filter((w) => !CLIENT_NAME_FILLER_WORDS.has(w.toLowerCase()));
  return telling.length > 0 ? telling : words;
}

/**
 * The shortest typed word looked for with a letter off: in a shorter one a wrong letter is a third
 * of the word or more ("Ace" would find "Apex", "Acme" and "Acne").
 */
export const NEAR_SPELLING_MIN_LENGTH = 4;

/**
 * LIKE patterns (`_` any one letter; the word's own `%`, `_` and `\` cannot occur: they are word
 * breaks) for the words one edit away from `word`: a letter wrong, missing, extra, or two side by
 * side swapped. About four per letter, so a search costs the directory a bounded number of
 * comparisons per client (the query is at most 100 characters), with no extension (pg_trgm,
 * fuzzystrmatch) that PGlite or a managed server may lack. None for a word shorter than
 * `NEAR_SPELLING_MIN_LENGTH`.
 */
export function nearSpellings(word: string): string[] {
  const letters = [...word];
  if (letters.length < NEAR_SPELLING_MIN_LENGTH) return [];
  const spelled = (parts: string[]) => parts.join('');
  const variants = new Set<string>();
  for (let i = 0; i < letters.length; i++) {
    variants.add(spelled([...letters.slice(0, i), '_', ...letters.slice(i + 1)])); // wrong
    variants.add(spelled([...letters.slice(0, i), ...letters.slice(i + 1)])); // extra
    if (i + 1 < letters.length) variants.add(spelled([...letters.slice(0, i), letters[i + 1], letters[i], ...letters.slice(i + 2)])); // swapped
  }
  for (let i = 0; i <= letters.length; i++) variants.add(spelled([...letters.slice(0, i), '_', ...letters.slice(i)])); // missing
  variants.delete(word); // two like letters swapped: the word itself, found as it is
  return [...variants];
}
