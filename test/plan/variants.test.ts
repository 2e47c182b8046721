import { test } from "node:test";
import assert from "node:assert/strict";
import { planRecipe, variantNames } from "../../src/plan/compile.js";
import { expandVariants, findVariant, type Variant } from "../../src/plan/variants.js";
import { diffPlans } from "../../src/plan/diff.js";
import { renderPlan } from "../../src/plan/render.js";
import { descendants } from "../../src/common/graph.js";
import type { Plan } from "../../src/plan/types.js";
import { findBlock, QUICK_FILES, quickRecipe, tempFiles, type QuickOptions } from "./fixture.js";

const root = tempFiles(QUICK_FILES);
const ENGINE = { alignc: "t", epoch: 1 };
const sweep = (name: string, prop: string, values: number[]): QuickOptions["patch"] => (blocks) => {
  const b = findBlock(blocks, name);
  b.props = { ...b.props, [prop]: { $sweep: values } };
};
const both = (...ps: QuickOptions["patch"][]): QuickOptions["patch"] => (blocks) => ps.forEach((p) => p!(blocks));

test("a sweep expands into named variants; --variant picks one, by name or label", () => {
  const recipe = quickRecipe({ root, patch: sweep("policy", "kl_coef", [0.02, 0.05, 0.1]) });
  assert.deepEqual(variantNames(recipe), ["quick[kl_coef=0.02]", "quick[kl_coef=0.05]", "quick[kl_coef=0.1]"]);
  const one = planRecipe(recipe, { engine: ENGINE, variant: "kl_coef=0.05" }).plan!;
  assert.equal(one.recipe.variant, "quick[kl_coef=0.05]");
  assert.deepEqual(one.recipe.bindings, { "policy.kl_coef": 0.05 });
  assert.equal(one.variants, undefined);
  assert.equal(one.nodes.find((n) => n.id === "policy")!.params.kl_coef, 0.05);
  // the variant's plan is the plan of the recipe with that value written in
  const written = planRecipe(quickRecipe({ root, patch: (bs) => (findBlock(bs, "policy").props.kl_coef = 0.05) }), { engine: ENGINE }).plan!;
  assert.deepEqual(one.nodes, written.nodes);
  const bad = planRecipe(recipe, { engine: ENGINE, variant: "kl_coef=9" });
  assert.equal(bad.plan, null);
  assert.equal(bad.diagnostics[0]!.code, "AL4011");
});

// huntZ40 H3: values were written bare into names, so `prompt = "{{instruction}},response=A"` made two of four
// variants one name, and merging the variants' plans gave the fourth the first one's demos node
test("variant names tell every variant apart: a string holding a separator is quoted, and names that would meet quote every string", () => {
  const strings = (prop: string, values: string[]): QuickOptions["patch"] => (blocks) => {
    const b = findBlock(blocks, "demos");
    b.props = { ...b.props, [prop]: { $sweep: values } };
  };
  const recipe = quickRecipe({ root, patch: both(strings("prompt", ["{{instruction}}", "{{instruction}},response=A"]), strings("response", ["A,response={{response}}", "{{response}}"])) });
  const names = variantNames(recipe);
  assert.equal(new Set(names).size, 4, names.join("\n"));
  assert.ok(names.includes('quick[prompt="{{instruction}},response=A",response={{response}}]'), names.join("\n"));
  const plans = names.map((v) => planRecipe(recipe, { engine: ENGINE, variant: v }).plan!);
  const demos = plans.map((p) => p.nodes.find((n) => n.id === "demos")!);
  assert.equal(new Set(demos.map((n) => n.hash)).size, 4, "each variant its own demos node");
  assert.deepEqual(demos.map((n) => [n.params.prompt, n.params.response]), [
    ["{{instruction}}", "A,response={{response}}"],
    ["{{instruction}}", "{{response}}"],
    ["{{instruction}},response=A", "A,response={{response}}"],
    ["{{instruction}},response=A", "{{response}}"],
  ]);
  const merged = planRecipe(recipe, { engine: ENGINE }).plan!;
  assert.equal(merged.variants!.length, 4);
  // a ref and a string of the same text: every string quoted
  const mixed = quickRecipe({ root, patch: (bs) => (findBlock(bs, "policy").props.reward = { $sweep: [{ $ref: "rm" }, "rm"] }) });
  assert.deepEqual(variantNames(mixed), ["quick[reward=rm]", 'quick[reward="rm"]']);
});

test("sweep variants share every upstream node hash; only the swept node and its descendants fork", () => {
  const recipe = quickRecipe({ root, patch: sweep("policy", "kl_coef", [0.02, 0.05]) });
  const plans = variantNames(recipe).map((v) => planRecipe(recipe, { engine: ENGINE, variant: v }).plan!);
  const forked = new Set(["policy", ...descendants(plans[0]!.nodes, "policy")]);
  const h1 = new Map(plans[1]!.nodes.map((n) => [n.id, n.hash]));
  for (const n of plans[0]!.nodes) assert.equal(n.hash === h1.get(n.id), !forked.has(n.id), n.id);

  const union = planRecipe(recipe, { engine: ENGINE }).plan!;
  assert.deepEqual(union.variants!.map((v) => v.name), ["quick[kl_coef=0.02]", "quick[kl_coef=0.05]"]);
  const ids = union.nodes.map((n) => n.id);
  assert.ok(ids.includes("policy[kl_coef=0.02]") && ids.includes("judge[kl_coef=0.05]"));
  assert.ok(ids.includes("sft") && !ids.includes("policy"));
  assert.equal(union.nodes.length, plans[0]!.nodes.length + forked.size);
  const judge = union.nodes.find((n) => n.id === "judge[kl_coef=0.05]")!;
  assert.ok(judge.inputs.includes("policy[kl_coef=0.05]"));
  assert.equal(judge.hash, plans[1]!.nodes.find((n) => n.id === "judge")!.hash);
  assert.match(renderPlan(union), /quick\[kl_coef=0\.02\]: policy\[kl_coef=0\.02\]/);
});

test("several sweeps give the cross product, and diff compares any two variants", () => {
  const recipe = quickRecipe({ root, patch: both(sweep("policy", "kl_coef", [0.02, 0.05]), sweep("sft", "lr", [1e-4, 3e-4])) });
  const names = variantNames(recipe);
  assert.deepEqual(names, ["quick[kl_coef=0.02,lr=0.0001]", "quick[kl_coef=0.02,lr=0.0003]", "quick[kl_coef=0.05,lr=0.0001]", "quick[kl_coef=0.05,lr=0.0003]"]);
  const get = (v: string): Plan => planRecipe(recipe, { engine: ENGINE, variant: v }).plan!;
  const d = diffPlans(get(names[0]!), get(names[1]!));
  assert.deepEqual(d.entries.find((e) => e.id === "sft")!.changes, [{ path: "lr", old: 1e-4, new: 3e-4 }]);
  assert.deepEqual(d.reused, ["pre"]); // upstream of sft: reused
  assert.deepEqual(d.rerun, ["judge", "policy", "rm", "rm_acc", "sft", "zero_shot"]);
  const d2 = diffPlans(get(names[0]!), get(names[2]!));
  assert.deepEqual(d2.rerun, ["judge", "policy"]);
  const union = planRecipe(recipe, { engine: ENGINE }).plan!;
  assert.equal(union.variants!.length, 4);
  // same property name in two blocks: labels use the dotted path
  const twice = quickRecipe({ root, patch: both(sweep("sft", "lr", [1e-4, 3e-4]), sweep("rm", "lr", [1e-5, 1e-4])) });
  assert.equal(variantNames(twice)[0], "quick[rm.lr=0.00001,sft.lr=0.0001]");
});

test("for any sweeps over stage and eval parameters, variants share every node that no swept block reaches", async () => {
  const { default: fc } = await import("fast-check");
  const knobs: [string, string, number[]][] = [
    ["pre", "lr", [1e-3, 3e-4]],
    ["sft", "steps", [100, 300]],
    ["rm", "lr", [1e-4, 3e-5]],
    ["policy", "clip", [0.1, 0.2]],
    ["judge", "n", [100, 300]],
  ];
  fc.assert(
    fc.property(fc.subarray(knobs, { minLength: 1, maxLength: 3 }), (picked) => {
      const recipe = quickRecipe({ root, patch: both(...picked.map(([b, p, v]) => sweep(b, p, v))) });
      const names = variantNames(recipe);
      assert.equal(names.length, 2 ** picked.length);
      const plans = names.map((v) => planRecipe(recipe, { engine: ENGINE, variant: v }).plan!);
      const reached = new Set(picked.flatMap(([b]) => [b, ...descendants(plans[0]!.nodes, b)]));
      for (const n of plans[0]!.nodes)
        if (!reached.has(n.id)) for (const p of plans.slice(1)) assert.equal(p.nodes.find((m) => m.id === n.id)!.hash, n.hash, n.id);
      const union = planRecipe(recipe, { engine: ENGINE }).plan!;
      const distinct = new Set(plans.flatMap((p) => p.nodes.map((n) => n.hash)));
      assert.equal(union.nodes.length, distinct.size, "the union holds each distinct computation once");
    }),
    { numRuns: 12 },
  );
});

test("--variant names a variant by its label's parts in any order; a part that differs finds none", () => {
  const recipe = quickRecipe({ root, patch: both(sweep("policy", "kl_coef", [0.02, 0.05]), sweep("sft", "lr", [1e-4, 3e-4])) });
  const variants = expandVariants(recipe);
  const label = variants[1]!.label;
  assert.equal(label.split(",").length, 2);
  const swapped = label.split(",").reverse().join(", ");
  assert.notEqual(swapped, label);
  assert.equal(findVariant(variants, swapped), variants[1]);
  assert.equal(findVariant(variants, variants[1]!.name), variants[1]);
  assert.equal(findVariant(variants, `quick[${swapped}]`), variants[1], "the full name, parts reordered");
  assert.equal(findVariant(variants, `other[${swapped}]`), undefined, "another recipe's name");
  assert.equal(findVariant(variants, label.replace(/=[^,]*$/, "=9")), undefined);
  const one = planRecipe(recipe, { engine: ENGINE, variant: swapped }).plan!;
  assert.equal(one.recipe.variant, variants[1]!.name);
});

test("--variant matches a label's parts whole: a value that holds a comma (a range, a list) never lets another variant match", () => {
  const v = (a: string, b: string): Variant => ({ name: `v[${a},${b}]`, label: `${a},${b}`, parts: [a, b], bindings: {}, recipe: null as never });
  const variants = [v("a=[0,1]", "b=[1,2]"), v("a=[0,2]", "b=[1,1]")];
  // split on commas and sorted, "b=[1,1],a=[0,2]" has the first variant's pieces (review36: it named that one)
  assert.equal(findVariant(variants, "b=[1,1],a=[0,2]"), variants[1]);
  assert.equal(findVariant(variants, "v[b=[1,1], a=[0,2]]"), variants[1]);
  assert.equal(findVariant(variants, "b=[1,2],a=[0,1]"), variants[0]);
  assert.equal(findVariant(variants, "b=[1,2],a=[0,2]"), undefined);
});
