// Near duplicates: evaluated texts that are not verbatim in a training pool but share a run of n words
// with one (`alignc data RECIPE --leaks --ngram N`). The verbatim check (leaks.ts) misses a prompt
// reworded at one end, re-cased or re-punctuated, or embedded in a longer training text; an n-gram
// overlap check is how GPT-3 measured contamination (Brown et al. 2020, appendix C: 13-grams of
// lowercased words without punctuation), and PaLM and Llama 2 after it. Words are Unicode words,
// normalised and lowercased, so punctuation, case and accent encoding never hide an overlap; a text
// shorter than n words is a near duplicate of a training prompt with the same words. Memory: every
// n-gram of the training pools is held as a string (opt-in, and sized like the training text).
import type { LeakReport, Pool } from "./leaks.js";
import { normalizeWhitespace } from "./normalize.js";

// Unicode word boundaries (UAX #29, with ICU's dictionaries for scripts written without spaces:
// Chinese, Japanese, Thai): a regex over letters would cut Devanagari at its vowel signs and read a
// whole Chinese sentence as one word
const segmenter = new Intl.Segmenter(undefined, { granularity: "word" });

/** The words of a text, NFKC-normalised and lowercased (so composed and decomposed accents, full-width
 * forms and case are one word), punctuation and spacing dropped. */
export function wordsOf(text: string): string[] {
  const out: string[] = [];
  for (const s of segmenter.segment(text.normalize("NFKC").toLowerCase())) if (s.isWordLike) out.push(s.segment);
  return out;
}

/** Every run of n consecutive words, as one string (words joined by a space). */
export function ngramsOf(words: readonly string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= words.length; i++) out.push(words.slice(i, i + n).join(" "));
  return out;
}

export interface NearDuplicate {
  evalPool: Pool;
  trainPool: Pool;
  count: number; // evaluated texts, not verbatim in the pool, that share an n-word run with it
  examples: { text: string; ngram: string }[]; // a few of them (normalised), with a shared run
}

export interface NearDuplicateReport {
  n: number;
  pairs: NearDuplicate[];
  total: number; // Σ count over every (evaluated, training) pair of pools
  short: number; // distinct evaluated texts of 1 to n − 1 words: no n-word run (compared by their whole words)
}

const EXAMPLES = 3;

/**
 * The near duplicates among the pools a leak report compared. A training pool's runs are collected
 * once: per text for prompt pools, over the whole text for a corpus (its lines joined, so a run may
 * cross lines as a document's would). Texts the verbatim check found in a pool are left out of that
 * pool's near duplicates (they are leaks, counted there).
 */
export function nearDuplicates(r: LeakReport, n: number): NearDuplicateReport {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n-gram length must be a positive whole number, got ${n}`);
  const verbatim = new Map<Pool, Map<Pool, Set<string>>>(); // evaluated pool → training pool → texts found verbatim
  for (const l of r.leaks) verbatim.set(l.evalPool, (verbatim.get(l.evalPool) ?? new Map()).set(l.trainPool, new Set(l.found)));
  const grams = r.trainPools.map((t) => new Set(t.kind === "text" ? ngramsOf(wordsOf(t.texts.join(" ")), n) : t.texts.flatMap((x) => ngramsOf(wordsOf(x), n))));
  // a text of fewer than n words has no run of n: against prompts it is compared by its whole word
  // sequence (the same words, other case or punctuation), against a corpus verbatim only
  const wholes = r.trainPools.map((t) => (t.kind === "text" ? null : new Set(t.texts.map((x) => wordsOf(x).join(" ")))));
  const shortTexts = new Set<string>();
  const pairs: NearDuplicate[] = [];
  for (const e of r.evalPools) {
    const texts = e.texts.map(normalizeWhitespace).filter((t) => t.length > 0);
    const words = texts.map(wordsOf); // once per text, for every training pool
    const runs = words.map((w) => ngramsOf(w, n));
    texts.forEach((t, i) => runs[i]!.length === 0 && words[i]!.length > 0 && shortTexts.add(t));
    r.trainPools.forEach((t, j) => {
      const leaked = verbatim.get(e)?.get(t);
      const hits: { text: string; ngram: string }[] = [];
      texts.forEach((text, i) => {
        if (leaked?.has(text)) return;
        const whole = words[i]!.join(" ");
        const shared = runs[i]!.length ? runs[i]!.find((g) => grams[j]!.has(g)) : whole && wholes[j]?.has(whole) ? whole : undefined;
        if (shared !== undefined) hits.push({ text, ngram: shared });
      });
      const seen = new Set<string>();
      if (hits.length) pairs.push({ evalPool: e, trainPool: t, count: hits.length, examples: hits.filter((h) => !seen.has(h.text) && seen.add(h.text)).slice(0, EXAMPLES) });
    });
  }
  return { n, pairs, total: pairs.reduce((a, p) => a + p.count, 0), short: shortTexts.size };
}

/** The near-duplicate section of `alignc data --leaks --ngram N`, printed before its `leaks: N` line. */
export function nearDuplicateText(d: NearDuplicateReport): string[] {
  const lines: string[] = [``, `near duplicates (not verbatim; sharing a run of ${d.n} words, case and punctuation aside):`];
  for (const p of d.pairs) {
    lines.push(`${p.evalPool.name} ∩ ${p.trainPool.name}: ${p.count} of ${p.evalPool.texts.length}`);
    for (const x of p.examples) lines.push(`  ${JSON.stringify(x.text.length > 100 ? `${x.text.slice(0, 97)}...` : x.text)} shares "${x.ngram}"`);
  }
  if (d.short) lines.push(`${d.short} evaluated text(s) have fewer than ${d.n} words: compared by their whole word sequence with prompts, verbatim with a corpus`);
  lines.push(`near duplicates: ${d.total}`);
  return lines;
}
