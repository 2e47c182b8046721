// Lowering to the CheckedRecipe IR: defaults filled, references and calls tagged, paths absolute,
// quantities normalised, components under props.components, blocks dependencies-first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { FULL, P, expectClean, fixtureDir } from "./helpers.js";
import type { CheckedBlock, CheckedRecipe } from "../../src/check/ir.js";

const block = (r: CheckedRecipe, name: string): CheckedBlock => {
  const b = r.blocks.find((x) => x.name === name);
  assert.ok(b, `no block ${name}`);
  return b;
};

test("the full snippet checks clean and lowers to the IR", async () => {
  const r = (await expectClean(FULL)).recipe!;
  assert.equal(r.name, "t");
  assert.equal(r.seed, 1);
  assert.equal(r.file, join(fixtureDir, "snippet.align"));
  assert.equal(r.dir, fixtureDir);
  assert.equal(r.extendsFile, null);
  assert.deepEqual(r.header, { seed: 1, backend: "auto" });
  // dependencies first, ties by name (Kahn's algorithm taking the smallest ready name)
  assert.deepEqual(
    r.blocks.map((b) => b.name),
    ["bytes", "chat", "demos", "m", "pre", "prefs", "qa", "mixd", "sft", "acc", "rm", "policy", "wr"],
  );
  const policy = block(r, "policy");
  assert.deepEqual(policy.props["kl_coef"], { $sweep: [0.05, 0.1] });
  assert.deepEqual(policy.props["prompts"], { $ref: "prefs", member: "prompts" });
  assert.deepEqual(policy.props["reward"], { $ref: "rm" });
  assert.equal(policy.props["lr"], 1e-5); // the ppo default, not the shared training one
  assert.equal(policy.props["clip"], 0.2);
  assert.deepEqual(policy.deps, ["mixd", "prefs", "rm", "sft"]);
  assert.equal(policy.propSpans["kl_coef"]!.line, 12);
  assert.equal(policy.keyword, "stage");
  assert.equal(policy.kind, "ppo");

  const mixd = block(r, "mixd");
  assert.deepEqual(mixd.props["components"], { qa: { proportional: true, cap: 100 }, demos: { weight: 1 } });
  assert.equal(mixd.props["dedup"], "exact");
  assert.deepEqual(mixd.deps, ["demos", "qa"]);
  assert.ok(mixd.propSpans["components.qa"]);

  const qa = block(r, "qa");
  assert.deepEqual(qa.props["data"], { $call: "jsonl", args: [join(fixtureDir, "data/rows.jsonl")] });
  assert.deepEqual(qa.props["templates"], { $call: "dir", args: [join(fixtureDir, "tpl")] });
  assert.deepEqual(qa.props["shots"], { $range: [0, 2] });
  assert.equal(qa.props["holdout"], 0.1);

  const demos = block(r, "demos");
  assert.deepEqual(demos.args, [join(fixtureDir, "data/demos.jsonl")]);
  assert.equal(demos.role, "demonstrations");
  assert.equal(block(r, "sft").props["loss_on"], "response"); // a bare word lowered to the enum string
  assert.deepEqual(block(r, "wr").props["prompts"], { $call: "heldout", args: [{ $ref: "prefs" }] });
  assert.deepEqual(block(r, "wr").deps, ["policy", "prefs", "rm", "sft"]);
  assert.deepEqual(block(r, "chat").args, [join(fixtureDir, "chat.hbs")]);

  assert.deepEqual(
    r.budget.map((c) => [c.left, c.op, c.right]),
    [
      ["time", "<=", { $quantity: 600, unit: "s" }],
      ["memory", "<=", { $quantity: 4 * 1024 ** 3, unit: "B" }],
      ["tokens", "<=", { $quantity: 2e6, unit: "" }],
    ],
  );
  assert.deepEqual(r.expects[0], {
    left: { $ref: "acc", member: "accuracy" },
    op: ">=",
    right: 0.1,
    span: r.expects[0]!.span,
    text: "acc.accuracy >= 0.1",
    file: join(fixtureDir, "snippet.align"),
  });
  // the IR is plain JSON (apart from the AST kept for spans)
  const json = JSON.parse(JSON.stringify(r.blocks.map((b) => ({ ...b, decl: null }))));
  assert.deepEqual(json[0].props, r.blocks[0]!.props);
});

test("`judge = rule` is the enum word, `judge = rm` a reference", async () => {
  const r = (await expectClean(FULL.replace("judge = rm", "judge = rule"))).recipe!;
  assert.equal(block(r, "wr").props["judge"], "rule");
  assert.deepEqual(block(r, "wr").deps, ["policy", "prefs", "sft"]);
});

test("a recipe without a header takes its name from the file and seed 0", async () => {
  const r = (await expectClean(P, "no-header.align")).recipe!;
  assert.equal(r.name, "no-header");
  assert.equal(r.seed, 0);
  assert.deepEqual(block(r, "m").props, { tokenizer: { $ref: "bytes" }, layers: 2, d_model: 128, heads: 4, context: 64, dropout: 0, init_std: 0.02 });
});

test("a header seed sweep stays a sweep; the IR seed is its first value", async () => {
  const r = (await expectClean("recipe s { seed = sweep [3, 4] }\n" + P)).recipe!;
  assert.deepEqual(r.header["seed"], { $sweep: [3, 4] });
  assert.equal(r.seed, 3);
});

test("clean snippets: comments, empty bodies, references to any stage, quantities", async () => {
  await expectClean(`// only a comment\n` + P); // a comment alone declares nothing: AL2039 (codes.test.ts)
  await expectClean(P + "/* block */ tokenizer b2 = gpt2\n");
  await expectClean(FULL.replace("stage rm = reward_model { init = sft  data = prefs  steps = 5 }", "stage rm = reward_model { init = sft  data = prefs  epochs = 0.5  pairs = adjacent }"));
  await expectClean(FULL.replace("eval acc = accuracy { model = sft  task = qa }", "eval acc = accuracy { model = m  task = mixd  split = heldout  n = 50 }"));
});

test("names that are special in JavaScript are ordinary names", async () => {
  const src = FULL.replace(/\bqa\b/g, "__proto__").replace(/\bdemos\b/g, "constructor").replace("data/constructor.jsonl", "data/demos.jsonl");
  const r = (await expectClean(src)).recipe!;
  const mixd = r.blocks.find((b) => b.name === "mixd")!;
  assert.deepEqual(Object.keys(mixd.props["components"] as object), ["__proto__", "constructor"]);
  assert.deepEqual(JSON.parse(JSON.stringify(mixd.props["components"])), JSON.parse('{"__proto__":{"proportional":true,"cap":100},"constructor":{"weight":1}}'));
  assert.deepEqual(mixd.deps, ["__proto__", "constructor"]);
});

// a default that depends on another property (`defaultWhen` in the kinds table), filled by the checker
// where the recipe leaves the property out: FLAN's patterns show their options always, .hbs folders half
test("with_options: 1 for flan_templates(…) left out, the table's 0.5 for a dir(…) folder, the recipe's own share when written", async () => {
  const withOptions = async (templates: string, written = "") => {
    const src = FULL.replace(`templates = dir("tpl")`, `templates = ${templates}${written}`);
    const r = await expectClean(src);
    return block(r.recipe!, "qa").props.with_options;
  };
  assert.equal(await withOptions(`flan_templates("data/rows.jsonl", "qa")`), 1);
  assert.equal(await withOptions(`flan_templates("data/rows.jsonl", "qa")`, "  with_options = 0.3"), 0.3);
  assert.equal(await withOptions(`dir("tpl")`), 0.5);
});
