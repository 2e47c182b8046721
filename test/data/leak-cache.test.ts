// The contamination check's cache (src/data/leak-cache.ts): a second check of an unchanged recipe
// gives the same warnings from the cache; an edit to a data file, or to the recipe's blocks, is a miss
// whose warnings follow the edit; source positions are not part of the key (the warnings' spans come
// from the current recipe).
import { test } from "node:test";
import { ENGINE_EPOCH } from "../../src/plan/hash.js";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkRecipeText } from "../../src/check/index.js";
import type { CheckedRecipe } from "../../src/check/ir.js";
import { LeakCache } from "../../src/data/leak-cache.js";
import { leakWarnings } from "../../src/data/leaks.js";

const demo = (instruction: string, response: string) => JSON.stringify({ instruction, context: "", response, category: "x" });

const RECIPE = (evalName: string, pad = "") => `${pad}
tokenizer bytes = byte_level {}
model m = gpt { tokenizer = bytes  context = 64 }
source train_demos = jsonl("train.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
source eval_demos = jsonl("evals.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
stage pre = pretrain { init = m  data = text("corpus.txt")  steps = 2  holdout = 0 }
stage sft = sft { init = pre  data = train_demos  steps = 2 }
eval ${evalName} = lm_loss { model = sft  data = eval_demos }
`;

test("leak cache: a hit gives the uncached warnings; a data edit or a rename is a miss; a moved line still hits", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-leak-cache-"));
  try {
    writeFileSync(join(dir, "corpus.txt"), "Cats are animals.\n");
    writeFileSync(join(dir, "train.jsonl"), [demo("Add 2 and 3.", "5"), demo("Write cat in capitals.", "CAT")].join("\n") + "\n");
    writeFileSync(join(dir, "evals.jsonl"), [demo("Add 2 and 3.", "5"), demo("Name a fruit.", "apple")].join("\n") + "\n");
    const file = join(dir, "r.align");
    const recipe = async (src: string): Promise<CheckedRecipe> => {
      const r = await checkRecipeText(src, file);
      assert.ok(r.recipe, JSON.stringify(r.diagnostics));
      return r.recipe;
    };
    const cache = new LeakCache(join(dir, "cache"));
    const entries = (): string[] => readdirSync(join(dir, "cache", "leaks")).filter((f) => f.endsWith(".json"));

    const r1 = await recipe(RECIPE("held"));
    const uncached = await leakWarnings(r1, null);
    assert.equal(uncached.length, 1);
    assert.match(uncached[0]!.message, /eval `held`: evaluated texts found in training: 1 in sft\.data \(train_demos\)/);
    assert.deepEqual(await leakWarnings(r1, cache), uncached, "first check: computed and stored");
    assert.equal(entries().length, 1);
    const key = cache.key(r1)!;
    // another engine (an epoch bump, a new alignc) misses: seed keys alone stay equal across engines (audit33 M2)
    assert.notEqual(cache.key(r1, { alignc: "0.1.0", epoch: -1 }), key);
    assert.notEqual(cache.key(r1, { alignc: "9.9.9", epoch: ENGINE_EPOCH }), key);
    // the pairs, and the blocks compared (pre holds nothing out: no pool of its own)
    assert.deepEqual(cache.get(key), { pairs: [{ evalBlock: "held", evalProp: "data", trainPool: "sft.data (train_demos)", count: 1 }], checked: ["held"], notChecked: [], empty: [], tokenizerPairs: [] });
    assert.deepEqual(await leakWarnings(await recipe(RECIPE("held")), cache), uncached, "an unchanged recipe: the same warnings, from the cache");

    // two lines further down: same key, warnings on the new lines
    const moved = await recipe(RECIPE("held", "\n\n"));
    assert.equal(cache.key(moved), key);
    const movedWarnings = await leakWarnings(moved, cache);
    assert.equal(movedWarnings[0]!.span!.line, uncached[0]!.span!.line + 2);
    assert.equal(entries().length, 1);

    // a rename is a miss (the warning names the eval)
    const renamed = await leakWarnings(await recipe(RECIPE("held_out")), cache);
    assert.match(renamed[0]!.message, /eval `held_out`/);
    assert.equal(entries().length, 2);

    // new content behind the same path is a miss: the leak is gone
    writeFileSync(join(dir, "evals.jsonl"), [demo("Name a fruit.", "apple")].join("\n") + "\n");
    const edited = await recipe(RECIPE("held"));
    assert.notEqual(cache.key(edited), key);
    assert.deepEqual(await leakWarnings(edited, cache), []);
    assert.equal(entries().length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("leak cache: a FIFO at an entry's path is a miss, not a read that waits for a writer forever (check and plan hung)", { skip: spawnSync("mkfifo", ["--version"]).status !== 0 && "mkfifo is not installed" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-leak-fifo-"));
  try {
    writeFileSync(join(dir, "corpus.txt"), "Cats are animals.\n");
    writeFileSync(join(dir, "train.jsonl"), demo("Add 2 and 3.", "5") + "\n");
    writeFileSync(join(dir, "evals.jsonl"), demo("Add 2 and 3.", "5") + "\n");
    const r = await checkRecipeText(RECIPE("held"), join(dir, "r.align"));
    assert.ok(r.recipe, JSON.stringify(r.diagnostics));
    const cache = new LeakCache(join(dir, "cache"));
    const warnings = await leakWarnings(r.recipe, cache);
    const entry = join(dir, "cache", "leaks", `${cache.key(r.recipe)}.json`);
    rmSync(entry);
    assert.equal(spawnSync("mkfifo", [entry]).status, 0);
    assert.equal(cache.get(cache.key(r.recipe)!), undefined);
    assert.deepEqual(await leakWarnings(r.recipe, cache), warnings, "computed again");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
