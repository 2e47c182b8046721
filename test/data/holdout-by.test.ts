// `holdout_by`: a held-out split that keeps rows sharing a field's value on one side, besides every
// copy of a prompt. OASST's K-way rankings come from conversation trees whose later turns quote the
// earlier turns' ranked replies in their prompts: split by prompt alone, a held-out reply sits inside
// training prompts (the shared slice at seed 5: 15 replies of 13 of the 29 held-out groups) and `--leaks` (whole prompts) says 0.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { checkRecipeText } from "../../src/check/index.js";
import { buildExamples } from "../../src/data/build.js";
import { DataError } from "../../src/data/diag.js";
import { splitKeepingTexts } from "../../src/data/split.js";
import { rngFor, splitIndices } from "../../src/common/rng.js";
import { hasShared, shared } from "./shared-data.js";

const dir = mkdtempSync(join(tmpdir(), "alignc-holdout-by-"));
const recipe = (file: string, by: string) => `recipe o { seed = 5 }
source prefs = jsonl("${file}") as rankings { k = 2..9  holdout = 0.2${by} }
`;

/** Held-out replies that appear inside a training prompt: the contamination holdout_by prevents. */
function quoted(built: Awaited<ReturnType<typeof buildExamples>>): number {
  if (built.kind !== "comparisons") throw new Error("rankings expected");
  const prompts = built.train.map((g) => g.prompt);
  return built.heldout.flatMap((g) => g.responses).filter((r) => r.length >= 20 && prompts.some((p) => p.includes(r))).length;
}

test("OASST as published (../shared): split by prompt, held-out replies are quoted in training prompts; holdout_by = \"message_tree_id\" keeps each tree on one side", { skip: !hasShared && "../shared/data is absent" }, async () => {
  const file = shared("preference/oasst_en_kway_ranked_dev.jsonl");
  const byPrompt = await checkRecipeText(recipe(file, ""), join(dir, "a.align"));
  const plain = await buildExamples(byPrompt.recipe!, "prefs");
  assert.ok(quoted(plain) > 0, "the leak the option exists for is real in this file");
  const byTree = await checkRecipeText(recipe(file, '  holdout_by = "message_tree_id"'), join(dir, "b.align"));
  assert.deepEqual(byTree.diagnostics, []);
  const built = await buildExamples(byTree.recipe!, "prefs");
  assert.equal(quoted(built), 0);
  if (built.kind !== "comparisons" || plain.kind !== "comparisons") throw new Error("rankings expected");
  assert.equal(built.train.length + built.heldout.length, plain.train.length + plain.heldout.length, "every group on one side");
  const rows = (await import("node:fs")).readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { message_tree_id: string });
  const side = new Map<string, string>();
  for (const [s, gs] of [["train", built.train], ["heldout", built.heldout]] as const)
    for (const g of gs) {
      const tree = rows[g.meta.row!]!.message_tree_id;
      assert.notEqual(side.get(tree) ?? s, s === "train" ? "heldout" : "train", `tree ${tree} on both sides`);
      side.set(tree, s);
    }
});

test("holdout_by naming a field a row lacks is a located error, not a group of its own", async () => {
  const file = join(dir, "r.jsonl");
  writeFileSync(file, '{"prompt": "a", "responses": ["x", "y"], "ranking": [0, 1], "tree": "t1"}\n{"prompt": "b", "responses": ["x", "y"], "ranking": [0, 1]}\n');
  const r = await checkRecipeText(recipe(file, '  holdout_by = "tree"'), join(dir, "c.align"));
  await assert.rejects(buildExamples(r.recipe!, "prefs"), (e: DataError) => e.diagnostics.some((d) => d.span?.line === 2 && /missing field `tree`/.test(d.message)));
});

/** The by-text split as it was before holdout_by (groups of copies, in first-copy order): a recipe that
 * does not write holdout_by must keep its split, and so its examples and figures. */
function byTextBefore(texts: string[], share: number, seed: number) {
  const ids = new Map<string, number>();
  const groupOf = texts.map((t) => (ids.has(t) ? ids.get(t)! : (ids.set(t, ids.size), ids.size - 1)));
  const groups = splitIndices(ids.size, share, rngFor(seed, "t"));
  const held = new Set(groups.heldout);
  return { train: texts.flatMap((_, i) => (held.has(groupOf[i]!) ? [] : [i])), heldout: texts.flatMap((_, i) => (held.has(groupOf[i]!) ? [i] : [])) };
}

test("for any items, texts and keys: items sharing a text or a key are on one side; without keys the split is the by-text split it always was", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })), { minLength: 1, maxLength: 40 }), fc.double({ min: 0.1, max: 0.9, noNaN: true }), fc.nat(1000), (items, share, seed) => {
      const text = (i: number) => `t${items[i]![0]}`;
      const s = splitKeepingTexts(items.length, share, rngFor(seed, "t"), text, (i) => `k${items[i]![1]}`);
      const held = new Set(s.heldout);
      for (let i = 0; i < items.length; i++)
        for (let j = 0; j < items.length; j++)
          if (items[i]![0] === items[j]![0] || items[i]![1] === items[j]![1]) assert.equal(held.has(i), held.has(j), `${i} and ${j}`);
      assert.equal(s.train.length + s.heldout.length, items.length);
      const texts = items.map((_, i) => text(i));
      const sorted = (x: { train: number[]; heldout: number[] }) => ({ train: [...x.train].sort((a, b) => a - b), heldout: [...x.heldout].sort((a, b) => a - b) });
      assert.deepEqual(sorted(splitKeepingTexts(items.length, share, rngFor(seed, "t"), text)), sorted(byTextBefore(texts, share, seed)));
    }),
  );
});

test("holdout_by on a source whose split it would not group (a text or records source) is AL2004 where it is written, not ignored", async () => {
  const file = join(dir, "c.jsonl");
  writeFileSync(file, '{"text": "a", "tree": "t"}\n');
  for (const role of ["text", "records"]) {
    const line = `source c = jsonl("${file}") as ${role} { holdout = 0.2  holdout_by = "tree" }`;
    const r = await checkRecipeText(`recipe o { seed = 5 }\n${line}\n`, join(dir, `${role}.align`));
    const d = r.diagnostics.find((x) => x.code === "AL2004");
    assert.ok(d, `${role}: ${JSON.stringify(r.diagnostics)}`);
    assert.deepEqual([d.span?.line, d.span?.col], [2, line.indexOf("holdout_by") + 1]);
    assert.match(d.message, new RegExp(`not of a ${role} source`));
  }
});
