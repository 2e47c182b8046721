// Whitespace normalisation of texts compared as texts: the contamination check (leaks.ts) and the
// split that keeps copies of a text on one side (split.ts) must agree on what "the same text" is.

/** trim, and every run of whitespace → one space. The pattern leaves single spaces alone (they are
 * already normal): `/\s+/g` would rewrite each of them, 6× slower on a corpus. */
export function normalizeWhitespace(s: string): string {
  return s.replace(/ *[^\S ]\s*| {2,}/g, " ").trim();
}
