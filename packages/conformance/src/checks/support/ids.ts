/**
 * Ids and keys that differ only in what a naive storage scheme conflates: separators and prefixes,
 * LIKE and glob metacharacters, hash tags, trailing spaces (a padded collation), case, Unicode
 * normalisation forms and compatibility twins, invisible characters. Shared by the key identity
 * checks (S2, per facet) and the tenant walls (T1).
 */

/** Pairs a naive implementation would conflate; each is tried in both directions. */
export const CONFLATING_PAIRS: readonly (readonly [string, string])[] = [
  ["a:b", "a"],
  ["a:b", "a:"],
  ["a%", "ab"],
  ["%", "a"],
  ["a_c", "abc"],
  ["_", "a"],
  ["a\\%", "a%"],
  ["a\\_c", "a_c"],
  ["*", "x"],
  ["a*", "ab"],
  ["a?", "ab"],
  ["a[bc]", "ab"],
  ["{x}", "x"],
  ["{x}:y", "x:y"],
  ["a/b", "a"],
  ["a/b", "a\\b"],
  ["a", "ab"],
  ["a.b", "a"],
  ["$[0]", "$"],
  ["a'", "a''"],
  ["a\nb", "a"],
  ["a ", "a"],
  ["a", "A"],
  ["é", "e\u0301"],
  ["x\u200b", "x"],
  ["ﬁ", "fi"],
];
