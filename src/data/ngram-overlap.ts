// Near duplicates: evaluated texts that are not verbatim in a training pool but share a run of n words
// with one (`alignc data RECIPE --leaks --ngram N`). The verbatim check (leaks.ts) misses a prompt
// reworded at one end, re-cased or re-punctuated, or embedded in a longer training text; an n-gram
// overlap check is how GPT-3 measured contamination (Brown et al. 2020, appendix C: 13-grams of
// lowercased words without punctuation), and PaLM and Llama 2 after it. Words are Unicode words,
// normalised and lowercased, so punctuation, case and accent encoding never hide an overlap; a text
// shorter than n words is a near duplicate of a training prompt with the same words. Memory: the
// evaluated texts' n-grams; the training pools are streamed past them.
import type { LeakReport, Pool } from "./leaks.js";
import { normalizeWhitespace } from "./normalize.js";

// Unicode word boundaries (UAX #29, with ICU's dictionaries for scripts written without spaces:
// Chinese, Japanese, Thai): a regex over letters would cut Devanagari at its vowel signs and read a
// whole Chinese sentence as one word. One locale, named: the machine's (LANG, LC_ALL) may tailor word
// breaks where ICU has a tailoring for it (none seen with this Node's ICU), and a leak finding must not
// depend on where it ran (the leak cache is not keyed by it either; cacheK41)
export const SEGMENTER_LOCALE = "en";
const segmenter = new Intl.Segmenter(SEGMENTER_LOCALE, { granularity: "word" });

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
 * The near duplicates among the pools a leak report compared. The evaluated texts' runs are indexed
 * (evaluated pools are small) and each training pool is streamed past them, text by text: a training
 * pool's own runs are never all held at once (a corpus of 100 MB has more of them than a JavaScript Set
 * can hold, ~16.7 million). A training pool's runs are read per text for prompt pools, over the whole
 * text for a corpus (its lines in turn, a run crossing lines as a document's would). Texts the verbatim
 * check found in a pool are left out of that pool's near duplicates (they are leaks, counted there).
 */
export function nearDuplicates(r: LeakReport, n: number): NearDuplicateReport {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n-gram length must be a positive whole number, got ${n}`);
  const verbatim = new Map<Pool, Map<Pool, Set<string>>>(); // evaluated pool → training pool → texts found verbatim
  for (const l of r.leaks) verbatim.set(l.evalPool, (verbatim.get(l.evalPool) ?? new Map()).set(l.trainPool, new Set(l.found)));
  const evals = r.evalPools.map((e) => {
    const texts = e.texts.map(normalizeWhitespace).filter((t) => t.length > 0);
    const words = texts.map(wordsOf); // once per text, for every training pool
    return { pool: e, texts, words, runs: words.map((w) => ngramsOf(w, n)) };
  });
  // run → where it occurs among the evaluated texts: [evaluated pool, text, position of the run in the text]
  const byRun = new ShardedMap<[number, number, number][]>();
  // a text of fewer than n words has no run of n: against prompts it is compared by its whole word
  // sequence (the same words, other case or punctuation), against a corpus verbatim only
  const byWhole = new Map<string, [number, number][]>();
  const shortTexts = new Set<string>();
  evals.forEach((e, ei) =>
    e.texts.forEach((t, ti) => {
      e.runs[ti]!.forEach((g, at) => {
        const where = byRun.get(g);
        if (where) where.push([ei, ti, at]);
        else byRun.set(g, [[ei, ti, at]]);
      });
      if (e.runs[ti]!.length === 0 && e.words[ti]!.length > 0) {
        shortTexts.add(t);
        const whole = e.words[ti]!.join(" ");
        const where = byWhole.get(whole);
        if (where) where.push([ei, ti]);
        else byWhole.set(whole, [[ei, ti]]);
      }
    }),
  );
  const perEval = evals.map(() => [] as NearDuplicate[]);
  for (const t of r.trainPools) {
    // evaluated text "ei ti" → the first of its runs found in this pool (by position in the text); -1: its whole words
    const first = new Map<string, number>();
    const hit = (ei: number, ti: number, at: number) => {
      const k = `${ei} ${ti}`;
      const was = first.get(k);
      if (was === undefined || at < was) first.set(k, at);
    };
    const found = new ShardedMap<true>(); // evaluated runs already met in this pool: their texts are recorded (at most the evaluated runs)
    const scan = (words: readonly string[]) => {
      for (let i = 0; i + n <= words.length; i++) {
        const g = words.slice(i, i + n).join(" ");
        const where = byRun.get(g);
        if (!where || found.get(g)) continue;
        found.set(g, true);
        for (const [ei, ti, at] of where) hit(ei, ti, at);
      }
    };
    if (t.kind === "text") {
      // the corpus's lines joined, read in turn: the last n − 1 words of what came before carry over
      let tail: string[] = [];
      for (const line of t.texts) {
        const words = [...tail, ...wordsOf(line)];
        scan(words);
        tail = words.slice(Math.max(0, words.length - (n - 1)));
      }
    } else
      for (const x of t.texts) {
        const words = wordsOf(x);
        scan(words);
        for (const [ei, ti] of byWhole.get(words.join(" ")) ?? []) hit(ei, ti, -1);
      }
    evals.forEach((e, ei) => {
      const leaked = verbatim.get(e.pool)?.get(t);
      const hits: { text: string; ngram: string }[] = [];
      e.texts.forEach((text, ti) => {
        const at = first.get(`${ei} ${ti}`);
        if (at === undefined || leaked?.has(text)) return;
        hits.push({ text, ngram: at < 0 ? e.words[ti]!.join(" ") : e.runs[ti]![at]! });
      });
      const seen = new Set<string>();
      if (hits.length) perEval[ei]!.push({ evalPool: e.pool, trainPool: t, count: hits.length, examples: hits.filter((h) => !seen.has(h.text) && seen.add(h.text)).slice(0, EXAMPLES) });
    });
  }
  const pairs = perEval.flat(); // evaluated pool by evaluated pool, each in training-pool order, as before
  return { n, pairs, total: pairs.reduce((a, p) => a + p.count, 0), short: shortTexts.size };
}

/** A string-keyed map split over several Maps: one Map holds at most 2^24 (~16.7 million) entries, and
 * an evaluated corpus (an lm_loss eval on a large held-out text) can have more runs than that. */
class ShardedMap<V> {
  private readonly shards = Array.from({ length: 64 }, () => new Map<string, V>());
  private shard(key: string): Map<string, V> {
    let h = 0;
    for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
    return this.shards[h & 63]!;
  }
  get(key: string): V | undefined {
    return this.shard(key).get(key);
  }
  set(key: string, value: V): void {
    this.shard(key).set(key, value);
  }
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
