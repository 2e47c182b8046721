// Near duplicates (`alignc data --leaks --ngram N`, src/data/ngram-overlap.ts): an evaluated text that
// is not verbatim in a training pool but shares a run of N words with it (re-cased, re-punctuated,
// reworded at one end, embedded in a longer text) is listed per pair of pools, and so is a text under N
// words with the same words as a training prompt; verbatim leaks are not counted twice; `leaks: N` stays last.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import fc from "fast-check";
import { checkRecipeText } from "../../src/check/index.js";
import { findLeaks, type LeakReport, type Pool } from "../../src/data/leaks.js";
import { normalizeWhitespace } from "../../src/data/normalize.js";
import { leakText } from "../../src/data/leak-text.js";
import { nearDuplicateText, nearDuplicates, ngramsOf, wordsOf } from "../../src/data/ngram-overlap.js";
import { repoRoot } from "../repo-root.js";
import { demo, leakRecipe } from "./leak-fixture.js";


test("words are Unicode words, NFKC-normalised and lowercased; n-grams are every run of n of them", () => {
  assert.deepEqual(wordsOf("Is 'Très bien!' POSITIVE, or negative?"), ["is", "très", "bien", "positive", "or", "negative"]);
  assert.deepEqual(wordsOf("हिन्दी भाषा"), ["हिन्दी", "भाषा"], "vowel signs stay in their word");
  assert.deepEqual(wordsOf("cafe\u0301 ＡＢＣ"), wordsOf("café abc"), "decomposed accents and full-width letters are the same words");
  assert.ok(wordsOf("我喜欢这部电影").length > 1, "a sentence written without spaces is several words");
  assert.deepEqual(ngramsOf(["a", "b", "c", "d"], 3), ["a b c", "b c d"]);
  assert.deepEqual(ngramsOf(["a", "b"], 3), []);
});

test("for any text, each of its n-grams is found in itself and a text of fewer than n words has none", () => {
  fc.assert(
    fc.property(fc.array(fc.stringMatching(/^[a-z0-9]{1,5}$/), { maxLength: 20 }), fc.integer({ min: 1, max: 6 }), (words, n) => {
      const grams = ngramsOf(words, n);
      assert.equal(grams.length, Math.max(0, words.length - n + 1));
      const again = new Set(ngramsOf(wordsOf(words.join(", ")), n));
      for (const g of grams) assert.ok(again.has(g), g);
    }),
  );
});

const TRAIN = [
  demo("Read the review and say whether the writer liked the film at all.", "positive"),
  demo("Add 2 and 3.", "5"),
  demo("Summarise: the committee met on Tuesday and voted to keep the old bridge open to traffic.", "kept"),
];
const CORPUS = ["Once upon a time a fox lived in the deep dark forest near the river.", "It was happy."];
const EVALS = [
  demo("READ THE REVIEW, and say whether the writer liked the film at all!", "positive"), // re-cased, re-punctuated
  demo("Add 2 and 3.", "5"), // verbatim: a leak, not a near duplicate
  demo("Did a fox live in the deep dark forest near the river?", "yes"), // 8 words of the corpus
  demo("The committee met on Tuesday and voted to keep the old bridge open.", "yes"), // inside a longer training prompt
  demo("Name a fruit.", "apple"), // short, not in training
  demo("add 2 and 3!", "5"), // short, the same words as a training prompt
  demo("Write a short poem about the sea in the morning light please.", "…"), // disjoint
];

const recipe = () => leakRecipe(EVALS, CORPUS, TRAIN);

test("near duplicates at 8 words: re-cased, inside a longer training text, in the corpus; verbatim leaks and disjoint texts are not", async () => {
  const r = recipe();
  try {
    const checked = await checkRecipeText(r.src, r.file);
    assert.ok(checked.recipe, JSON.stringify(checked.diagnostics));
    const rep = await findLeaks(checked.recipe);
    assert.equal(rep.total, 1, "one verbatim leak: Add 2 and 3.");
    const near = nearDuplicates(rep, 8);
    const pairs = near.pairs.map((p) => `${p.evalPool.name} ∩ ${p.trainPool.name}: ${p.count}`).sort();
    assert.deepEqual(pairs, ["eval held ∩ pre.data (pretraining text): 1", "eval held ∩ sft.data (train_demos): 3"]);
    assert.equal(near.total, 4);
    assert.equal(near.short, 3, "the two additions and Name a fruit. have fewer than 8 words");
    const sft = near.pairs.find((p) => p.trainPool.name.startsWith("sft"))!;
    assert.deepEqual(sft.examples.map((x) => [x.text, x.ngram]), [
      ["READ THE REVIEW, and say whether the writer liked the film at all!", "read the review and say whether the writer"],
      ["The committee met on Tuesday and voted to keep the old bridge open.", "the committee met on tuesday and voted to"],
      ["add 2 and 3!", "add 2 and 3"], // shorter than 8 words: its whole word sequence
    ]);
    const text = leakText(rep, nearDuplicateText(near));
    assert.match(text, /near duplicates \(not verbatim; sharing a run of 8 words, case and punctuation aside\):/);
    assert.match(text, /"Did a fox live in the deep dark forest near the river\?" shares "in the deep dark forest near the river"/);
    assert.match(text, /3 evaluated text\(s\) have fewer than 8 words: compared by their whole word sequence with prompts, verbatim with a corpus\nnear duplicates: 4\n\nleaks: 1$/);
    // longer runs find fewer: at 13 words the fox question and the poem (12 words each) have none
    const long = nearDuplicates(rep, 13);
    assert.deepEqual([long.total, long.short], [3, 5]);
    assert.throws(() => nearDuplicates(rep, 0), /positive whole number/);
  } finally {
    r.done();
  }
});

test("alignc data --leaks --ngram: the near duplicates before `leaks: N`, in --json too; --ngram alone or not a whole number is a usage error", () => {
  const r = recipe();
  const data = (...args: string[]) => spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), "data", r.file, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  try {
    const plain = data("--leaks", "--ngram", "8");
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(plain.stdout, /near duplicates: 4\n\nleaks: 1\n$/);
    const json = data("--leaks", "--ngram", "8", "--json");
    assert.equal(json.status, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as { leaks: { total: number }; near_duplicates: { n: number; total: number; shorter_than_n: number } };
    assert.deepEqual([doc.leaks.total, doc.near_duplicates.n, doc.near_duplicates.total, doc.near_duplicates.shorter_than_n], [1, 8, 4, 3]);
    assert.doesNotMatch(data("--leaks").stdout, /near duplicates/, "without --ngram, the verbatim check only");
    for (const bad of [["--ngram", "8"], ["--leaks", "--ngram", "0"], ["--leaks", "--ngram", "2.5"], ["--leaks", "--ngram", "x"], ["--leaks", "--ngram", "0x8"], ["--leaks", "--ngram", "1e1"]]) {
      const out = data(...bad);
      assert.equal(out.status, 2, `${bad.join(" ")}: ${out.stderr}`);
      assert.match(out.stderr, /alignc data: --ngram /);
    }
  } finally {
    r.done();
  }
});

/** The algorithm before the evaluated texts' runs were indexed: every run of every training pool in a Set. */
function referenceNearDuplicates(r: LeakReport, n: number) {
  const verbatim = new Map<Pool, Map<Pool, Set<string>>>();
  for (const l of r.leaks) verbatim.set(l.evalPool, (verbatim.get(l.evalPool) ?? new Map()).set(l.trainPool, new Set(l.found)));
  const grams = r.trainPools.map((t) => new Set(t.kind === "text" ? ngramsOf(wordsOf(t.texts.join(" ")), n) : t.texts.flatMap((x) => ngramsOf(wordsOf(x), n))));
  const wholes = r.trainPools.map((t) => (t.kind === "text" ? null : new Set(t.texts.map((x) => wordsOf(x).join(" ")))));
  const out: { e: string; t: string; count: number; examples: { text: string; ngram: string }[] }[] = [];
  for (const e of r.evalPools) {
    const texts = e.texts.map(normalizeWhitespace).filter((t) => t.length > 0);
    r.trainPools.forEach((t, j) => {
      const hits: { text: string; ngram: string }[] = [];
      for (const text of texts) {
        if (verbatim.get(e)?.get(t)?.has(text)) continue;
        const words = wordsOf(text);
        const runs = ngramsOf(words, n);
        const whole = words.join(" ");
        const shared = runs.length ? runs.find((g) => grams[j]!.has(g)) : whole && wholes[j]?.has(whole) ? whole : undefined;
        if (shared !== undefined) hits.push({ text, ngram: shared });
      }
      const seen = new Set<string>();
      if (hits.length) out.push({ e: e.name, t: t.name, count: hits.length, examples: hits.filter((h) => !seen.has(h.text) && seen.add(h.text)).slice(0, 3) });
    });
  }
  return out;
}

test("for any pools, streaming the training pools past the evaluated texts' runs finds exactly what holding every training run found", () => {
  // letters in other cases and encodings (NFKC, lowercase), punctuation, a script without spaces
  const word = fc.constantFrom("a", "b", "c", "d", "E", "f!", "é", "e\u0301", "É", "ß", "日本");
  const text = fc.array(word, { maxLength: 7 }).map((ws) => ws.join(" "));
  const pool = (name: string, kind: "prompts" | "text") => fc.array(text, { maxLength: 6 }).map((texts): Pool => ({ name, block: name, prop: "data", kind, texts }));
  fc.assert(
    fc.property(fc.tuple(pool("e1", "prompts"), pool("e2", "prompts")), fc.tuple(pool("p", "prompts"), pool("c", "text")), fc.integer({ min: 1, max: 4 }), (evalPools, trainPools, n) => {
      // a verbatim leak of the first evaluated text, when the prompt pool has it: left out of that pair
      const found = evalPools[0].texts.filter((t) => trainPools[0].texts.includes(t)).map(normalizeWhitespace);
      const r = { evalPools, trainPools, leaks: found.length ? [{ evalPool: evalPools[0], trainPool: trainPools[0], found }] : [] } as unknown as LeakReport;
      const d = nearDuplicates(r, n);
      const want = referenceNearDuplicates(r, n);
      assert.deepEqual(d.pairs.map((p) => ({ e: p.evalPool.name, t: p.trainPool.name, count: p.count, examples: p.examples })), want);
      assert.equal(d.total, want.reduce((a, p) => a + p.count, 0));
      const short = new Set(evalPools.flatMap((p) => p.texts.map(normalizeWhitespace)).filter((t) => t && wordsOf(t).length > 0 && wordsOf(t).length < n));
      assert.equal(d.short, short.size);
    }),
  );
});
