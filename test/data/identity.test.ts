// Seeds come from the seed keys of plan nodes, never from block names (src/data/plan-input.ts): the plan's
// hashes are rename-invariant, so the examples must be too, or the run cache would reuse a stage a
// fresh run would not reproduce.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";
import type { CheckedRecipe } from "../../src/check/ir.js";
import { buildExamples } from "../../src/data/index.js";
import { dataPlanOf, keyOf } from "../../src/data/plan-input.js";

/** The seed key of a block's plan node (the data layer seeds every draw with it). */
const blockIdentity = (r: CheckedRecipe, name: string): string => keyOf(dataPlanOf(r), name);
import { RECIPES, block, call, recipe } from "./recipe-fixture.js";

const QUICKSTART = resolve(RECIPES, "quickstart.align");

// Blocks of the quickstart that can be renamed by a token replace: `judge` is left alone because
// it is also a property name (`judge = rm`).
const RENAMABLE = ["chars", "tiny", "sentiment", "addition", "uppercase", "demos", "prefs", "sft_data", "chat", "pre", "sft", "rm", "policy", "rm_acc", "rule_judge", "zero_shot_after", "tax_ptx"];
const KEYWORDS = "tokenizer|model|source|task|mixture|format|stage|eval";

/** Rename identifiers outside strings and comments; a declaration's kind (`stage sft = sft`) is not a name. */
export function renameBlocks(text: string, rename: ReadonlyMap<string, string>): string {
  const code = (s: string) => s.replace(/\b[A-Za-z_]\w*\b/g, (w) => rename.get(w) ?? w);
  const line = (l: string): string => {
    const parts = l.split(/("(?:[^"\\]|\\.)*"|\/\/.*$)/); // odd indices: strings and comments, kept
    const head = new RegExp(`^(\\s*(?:${KEYWORDS})\\s+)(\\w+)(\\s*=\\s*)(\\w+)`).exec(parts[0]!);
    return parts
      .map((p, i) => {
        if (i % 2 === 1) return p;
        if (i === 0 && head) return `${head[1]}${rename.get(head[2]!) ?? head[2]}${head[3]}${head[4]}${code(p.slice(head[0].length))}`;
        return code(p);
      })
      .join("");
  };
  return text.split("\n").map(line).join("\n");
}

async function check(text: string): Promise<CheckedRecipe> {
  const { checkRecipeText } = await import("../../src/check/index.js");
  const r = await checkRecipeText(text, QUICKSTART);
  assert.ok(r.recipe, JSON.stringify(r.diagnostics.slice(0, 3)));
  return r.recipe!;
}

/** What a rename must not change: every text the SFT stage, the RM stage and pretraining see, in order. */
async function observed(r: CheckedRecipe, names: (n: string) => string): Promise<unknown> {
  const sft = await buildExamples(r, names("sft"));
  const rm = await buildExamples(r, names("rm"));
  const pre = await buildExamples(r, names("pre"));
  assert.ok(sft.kind === "sft" && rm.kind === "comparisons" && pre.kind === "text");
  return {
    sft: [sft.train, sft.heldout, sft.heldoutTemplates, sft.heldoutTasks].map((xs) => xs.map((e) => e.text)),
    rm: [rm.train, rm.heldout].map((gs) => gs.map((g) => [g.prompt, g.responses, g.pairs])),
    pre: [pre.train.lines, pre.heldout.lines],
  };
}

/** The quickstart recipe's text, or null when it or the checker is not available (the tests skip). */
async function quickstartText(): Promise<string | null> {
  try {
    const text = readFileSync(QUICKSTART, "utf8");
    await import("../../src/check/index.js");
    return text;
  } catch {
    return null;
  }
}

test("renameBlocks renames declarations and references, not kinds, strings or property names", () => {
  const out = renameBlocks('stage sft = sft { init = pre  data = sft_data  format = chat } // sft\ntemplates = dir("../templates/chat/sft")', new Map([["sft", "b_x"], ["chat", "b_c"], ["pre", "b_p"]]));
  assert.equal(out, 'stage b_x = sft { init = b_p  data = sft_data  format = b_c } // sft\ntemplates = dir("../templates/chat/sft")');
});

test("property: for any renaming of the quickstart's blocks, the SFT, RM and pretraining data are identical", async (t) => {
  const text = await quickstartText();
  if (text === null) return t.skip("recipes/quickstart.align or src/check not available");
  const base = await observed(await check(text), (n) => n);
  const fresh = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/).map((s) => `b_${s}`); // b_ prefix: never a keyword, kind or existing name
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(fresh, { minLength: RENAMABLE.length, maxLength: RENAMABLE.length }),
      fc.array(fc.boolean(), { minLength: RENAMABLE.length, maxLength: RENAMABLE.length }),
      async (names, which) => {
        const rename = new Map(RENAMABLE.flatMap((n, i) => (which[i] ? [[n, names[i]!] as const] : [])));
        const renamed = await check(renameBlocks(text, rename));
        assert.deepEqual(await observed(renamed, (n) => rename.get(n) ?? n), base);
      },
    ),
    { numRuns: 6, seed: 20261125 },
  );
});

test("every component renamed at once: same examples (regression for name-ordered mixtures)", async (t) => {
  const text = await quickstartText();
  if (text === null) return t.skip("recipes/quickstart.align or src/check not available");
  // reverses the alphabetical order of the mixture's components
  const rename = new Map([["addition", "z_addition"], ["demos", "y_demos"], ["sentiment", "x_sentiment"], ["uppercase", "w_uppercase"]]);
  const a = await observed(await check(text), (n) => n);
  const b = await observed(await check(renameBlocks(text, rename)), (n) => n);
  assert.deepEqual(b, a);
});

test("seed keys: a path enters by its content, a property by its value; the name never", () => {
  const d = (p: string) => resolve(RECIPES, p);
  const task = (name: string, shots: number) =>
    block("task", name, "flan", { data: call("jsonl", d("data/tasks/addition.jsonl")), templates: call("dir", d("../templates/flan/addition")), shots: { $range: [0, shots] }, holdout: 0.1 });
  const mixture = (a: string, b: string) => block("mixture", "m", "mix", { components: { [a]: { proportional: true }, [b]: { weight: 1 } } });
  const r1 = recipe([task("a", 1), task("b", 0), mixture("a", "b")]);
  const r2 = recipe([task("zz", 1), task("yy", 0), mixture("zz", "yy")]);
  assert.equal(blockIdentity(r1, "a"), blockIdentity(r2, "zz"));
  assert.equal(blockIdentity(r1, "m"), blockIdentity(r2, "m"));
  assert.notEqual(blockIdentity(r1, "a"), blockIdentity(r1, "b"));
  const r3 = recipe([task("a", 1), task("b", 0), mixture("b", "a")]); // options swapped between the tasks
  assert.notEqual(blockIdentity(r3, "m"), blockIdentity(r1, "m"));
});
