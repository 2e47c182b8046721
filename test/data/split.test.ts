// The held-out split is a split of distinct texts (src/data/split.ts): for any list of texts with
// copies, no text is on both sides; for texts without copies, the split is exactly splitIndices'
// (so data without copies splits as it did before); and a source whose rows repeat builds held-out
// data disjoint as text from its training data.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { Rng, splitIndices } from "../../src/common/rng.js";
import { splitKeepingTexts } from "../../src/data/split.js";
import { heldOutRecipe } from "./held-out-recipe.js";

const texts = fc.array(fc.constantFrom("a", "b", "c", " a ", "a\n", "d e", "d  e", "f", "g"), { maxLength: 40 });
const share = fc.double({ min: 0, max: 0.9, noNaN: true });

test("for any texts with copies and any share: the two sides are a partition of the rows, share no text (whitespace normalised) and hold out round(distinct × share) texts", () => {
  fc.assert(
    fc.property(texts, share, fc.integer({ min: 0, max: 1000 }), (xs, s, seed) => {
      const r = splitKeepingTexts(xs.length, s, new Rng(seed), (i) => xs[i]!);
      const all = [...r.train, ...r.heldout].sort((a, b) => a - b);
      assert.deepEqual(all, xs.map((_, i) => i));
      const norm = (i: number) => xs[i]!.trim().replace(/\s+/g, " ");
      const held = new Set(r.heldout.map(norm));
      assert.equal(held.size, Math.round(new Set(xs.map((_, i) => norm(i))).size * s));
      return r.train.every((i) => !held.has(norm(i)));
    }),
  );
});

test("for any distinct texts: the split is splitIndices' own draw (data without copies splits as before)", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 60 }), share, fc.integer({ min: 0, max: 1000 }), (n, s, seed) => {
      const r = splitKeepingTexts(n, s, new Rng(seed), (i) => `text ${i}`);
      assert.deepEqual(r, splitIndices(n, s, new Rng(seed)));
      return true;
    }),
  );
});

test("copies: the split is splitIndices' draw over the distinct texts (in the order of their first copy), each with all its copies", () => {
  const xs = ["p", "q", "r", "p", "q", "r", "s", "p"];
  const r = splitKeepingTexts(xs.length, 0.5, new Rng(1), (i) => xs[i]!);
  const groups = splitIndices(4, 0.5, new Rng(1)); // p, q, r, s
  const heldTexts = new Set(groups.heldout.map((g) => "pqrs"[g]!));
  assert.equal(heldTexts.size, 2, "round(4 × 0.5) distinct texts held out");
  assert.deepEqual(r.heldout, xs.map((x, i) => [x, i] as const).filter(([x]) => heldTexts.has(x)).map(([, i]) => i));
});

test("repeated demonstrations, rankings and corpus lines: every stage's held-out split is disjoint as text from its training data (leaks: 0)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-split-"));
  try {
    const demo = (p: string, r: string) => JSON.stringify({ instruction: p, context: "", response: r });
    writeFileSync(join(dir, "corpus.txt"), Array.from({ length: 40 }, (_, i) => `Line ${i % 10} of a corpus with repeats.`).join("\n") + "\n");
    writeFileSync(join(dir, "demos.jsonl"), Array.from({ length: 40 }, (_, i) => demo(`Add ${i % 10} and 1.`, `${(i % 10) + 1}`)).join("\n") + "\n");
    writeFileSync(join(dir, "ranks.jsonl"), Array.from({ length: 40 }, (_, i) => JSON.stringify({ prompt: `Name the number ${i % 10}.`, responses: [`${i % 10}`, "no"], ranking: "A > B" })).join("\n") + "\n");
    const { report: rep } = await heldOutRecipe(dir);
    // each stage holds something out (10 distinct texts, 4 copies each: whole texts move together)
    assert.deepEqual(rep.evalPools.map((p) => p.name), ["stage pre (held-out split)", "stage sft (held-out split)", "stage rm (held-out split)"]);
    for (const p of rep.evalPools) assert.ok(p.texts.length > 0 && p.texts.length % 4 === 0, `${p.name}: ${p.texts.length} held-out rows, whole groups of 4 copies`);
    assert.equal(rep.total, 0, JSON.stringify(rep.leaks.map((l) => [l.evalPool.name, l.trainPool.name, l.count])));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
