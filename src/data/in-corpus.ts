// Whether evaluated texts occur in a training corpus as substrings: one rolling-hash pass over the
// corpus, linear in its length (the contamination check, leaks.ts, runs it once per pair of pools).
import { normalizeWhitespace } from "./normalize.js";

/** Longest window the rolling hash uses: evaluated texts longer than this are found by their first WINDOW_MAX characters, then verified. */
const WINDOW_MAX = 64;

const FILTER_SIZE = 1 << 20;

/** What one inCorpus pass did: corpus positions hashed, Map lookups (positions the bitset let
 * through), characters compared verifying candidates (at most each candidate's length). */
export interface InCorpusWork {
  positions: number;
  lookups: number;
  compared: number;
}
const BASE = 0x01000193; // FNV prime: odd, so multiplying by it mod 2^32 is invertible

/**
 * Evaluated texts that occur in the corpus as substrings. The corpus is normalised as one text (its
 * lines joined by a space, as whitespace normalisation would): an evaluated text spanning two
 * documents still counts. One rolling-hash pass with a window w = the shortest evaluated text (at
 * most WINDOW_MAX): each text is indexed by the hash of its first w characters, each corpus position
 * whose window hash is indexed verifies its candidates with startsWith. O(corpus + candidates).
 * `work`, when given, is added what the pass did (tests assert it grows linearly: no clock).
 */
export function inCorpus(texts: readonly string[], lines: readonly string[], work?: InCorpusWork): string[] {
  const wanted = [...new Set(texts.filter((t) => t.length > 0))];
  if (wanted.length === 0 || lines.length === 0) return [];
  const corpus = normalizeWhitespace(lines.join(" "));
  const w = Math.min(WINDOW_MAX, ...wanted.map((t) => t.length));
  if (corpus.length < w) return [];
  const hashOf = (s: string, from: number): number => {
    let h = 0;
    for (let i = from; i < from + w; i++) h = (Math.imul(h, BASE) + s.charCodeAt(i)) >>> 0;
    return h;
  };
  const byHash = new Map<number, string[]>();
  // a bitset over the hash's low bits answers "no candidate here" for almost every position without
  // a Map lookup (uint32 keys above 2^30 are heap numbers in V8: a lookup per position is slow)
  const seen = new Uint8Array(FILTER_SIZE);
  for (const t of wanted) {
    const h = hashOf(t, 0);
    byHash.set(h, [...(byHash.get(h) ?? []), t]);
    seen[h & (FILTER_SIZE - 1)] = 1;
  }
  // BASE^(w−1) mod 2^32: the weight of the character leaving the window
  let top = 1;
  for (let i = 1; i < w; i++) top = Math.imul(top, BASE) >>> 0;
  const found = new Set<string>();
  let h = hashOf(corpus, 0);
  for (let i = 0; ; i++) {
    if (seen[h & (FILTER_SIZE - 1)]) {
      if (work) work.lookups++;
      const cands = byHash.get(h);
      if (cands)
        for (const t of cands)
          if (!found.has(t)) {
            if (work) work.compared += t.length; // a verification compares at most t.length characters
            if (corpus.startsWith(t, i)) found.add(t);
          }
    }
    if (found.size === wanted.length || i + w >= corpus.length) {
      if (work) work.positions += i + 1;
      break;
    }
    h = (Math.imul((h - Math.imul(corpus.charCodeAt(i), top)) >>> 0, BASE) + corpus.charCodeAt(i + w)) >>> 0;
  }
  return texts.filter((t) => found.has(t));
}

/** Shortest evaluated text searched for inside a corpus's text. A shorter one ("No.", "ROMEO:", a
 * held-out corpus line of two words) occurs inside almost any corpus without having been trained on,
 * and as the rolling hash's window it would make every corpus position a candidate for every text
 * sharing its first characters: it leaks only as a whole line of the corpus. */
export const MIN_SUBSTRING = 20;

/** The evaluated texts (normalised) a corpus holds: as a substring when MIN_SUBSTRING characters or
 * longer (one inCorpus pass), as a whole normalised line when shorter. */
export function inText(texts: readonly string[], lines: readonly string[]): Set<string> {
  const long = texts.filter((t) => t.length >= MIN_SUBSTRING);
  const short = new Set(texts.filter((t) => t.length < MIN_SUBSTRING));
  const found = new Set(inCorpus(long, lines));
  if (short.size)
    for (const l of lines) {
      const n = normalizeWhitespace(l);
      if (short.has(n)) found.add(n);
    }
  return found;
}
