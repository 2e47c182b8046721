// recipes/replicate/: the recipes behind the README's two-seed and lab figures. None is run by npm test
// (each takes minutes to an hour); each must plan cleanly and BE what it says it is, node by node: the
// quickstart's plan of the same seed wherever it claims so (a cache that ran the quickstart reuses those
// nodes), and different exactly where its change reaches.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { compile } from "../../src/compile.js";
import { tempDir } from "./fixture.js";
import { byteLevelQuickstart } from "./byte-level-quickstart.js";
import { repoRoot } from "../repo-root.js";

// never the user's ~/.cache
process.env.ALIGNC_CACHE_DIR = tempDir("alignc-replicate-cache-");

const recipesDir = join(repoRoot(), "recipes");

const rep = (f: string) => join(recipesDir, "replicate", f);
/** The quickstart of `seed` as the replicate recipes' figures were measured against it: PPO's rollouts at
 * T 0.7, its setting until 7 Dec 2026 (recipes/replicate/quickstart-t07.align; the recipes pin it). */
const quickstartAsMeasured = async (seed: 17 | 18) => (await compile(rep("quickstart-t07.align"), { machine: false, backend: "wasm", variant: `seed=${seed}` })).plan!;
const nodeHashes = (p: { nodes: { id: string; hash: string }[] }) => new Map(p.nodes.map((n) => [n.id, n.hash]));
/** The validation recipe's plan with the quickstart's PPO settings (kl 0.05, lr 1e-4): the labs' baseline. */
const validationHashes = async (seed: number) => nodeHashes((await compile(rep("quickstart-ppo-validation.align"), { machine: false, backend: "wasm", variant: `kl_coef=0.05,lr=0.0001,seed=${seed}` })).plan!);
/** The nodes of `plan` whose hash differs from `before`'s, sorted. */
const changedNodes = (before: Map<string, string>, plan: { nodes: { id: string; hash: string }[] }) => [...nodeHashes(plan)].filter(([id, h]) => before.get(id) !== h).map(([id]) => id).sort();
/** What a PPO change reaches on the validation recipe: PPO and every node that reads the policy. */
const PPO_AND_READERS = ["judge", "lm_ptx", "policy", "rule_judge", "tax_ptx", "val_judge"];


// recipes/replicate/: each example's second seed (run by hand for the README's two-seed figures, not by
// npm test's --tiny runs). It must plan cleanly, and differ from its recipe in the seed only.
async function assertSeedReplicate(base: string, replicate: string, seeds: [number, number]): Promise<void> {
  const a = await compile(join(recipesDir, base), { machine: false, backend: "wasm" });
  const b = await compile(join(recipesDir, "replicate", replicate), { machine: false, backend: "wasm" });
  assert.ok(b.plan, b.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  assert.deepEqual([a.plan!.recipe.seed, b.plan.recipe.seed], seeds);
  assert.deepEqual(b.plan.nodes.map((n) => [n.id, n.kind]), a.plan!.nodes.map((n) => [n.id, n.kind]));
  // file paths are written relative to each recipe's folder: compare them without the leading ../
  const paramsOf = (p: typeof a.plan) => p!.nodes.map((n) => JSON.stringify({ ...n.params, seed: undefined }).replace(/"\$(file|dir)":"(\.\.\/)*/g, '"$$$1":"'));
  assert.deepEqual(paramsOf(b.plan), paramsOf(a.plan));
}

test("recipes/replicate/quickstart-seed18.align plans cleanly and differs from the quickstart only by its seed", () => assertSeedReplicate("quickstart.align", "quickstart-seed18.align", [17, 18]));

test("recipes/replicate/flan-zero-shot-seed12.align plans cleanly and differs from flan-zero-shot only by its seed", () => assertSeedReplicate("flan-zero-shot.align", "flan-zero-shot-seed12.align", [11, 12]));

test("recipes/replicate/lima-seed4.align plans cleanly and differs from lima only by its seed", () => assertSeedReplicate("lima.align", "lima-seed4.align", [3, 4]));

// recipes/replicate/quickstart(-seed18)-seen-templates.align: the quickstart's own plan, every node the
// same (its cache serves them), plus one accuracy eval of its SFT on held-out rows in training phrasings
test("the seen-templates recipes are the quickstart's plans of their seed plus seen_templates alone", async () => {
  for (const [base, extra] of [
    [join(recipesDir, "quickstart.align"), rep("quickstart-seen-templates.align")],
    [rep("quickstart-seed18.align"), rep("quickstart-seed18-seen-templates.align")],
  ] as const) {
    const before = nodeHashes((await compile(base, { machine: false, backend: "wasm" })).plan!);
    const after = (await compile(extra, { machine: false, backend: "wasm" })).plan;
    assert.ok(after);
    assert.deepEqual(changedNodes(before, after), ["seen_templates"]);
    const seen = after.nodes.find((n) => n.id === "seen_templates")!;
    assert.deepEqual([seen.kind, seen.params.split], ["eval", "heldout"]);
  }
});

// recipes/replicate/quickstart-ptx.align: PPO with and without ptx on both seeds. Its ptx_coef = 0.2
// variants must BE the quickstart and its seed-18 replicate (equal node hashes), so that a cache that ran
// those reuses every node, and the ptx_coef = 0 variants must differ from them in PPO and what reads it only.
test("recipes/replicate/quickstart-ptx.align: its ptx 0.2 variants are the quickstart's plans on both seeds; ptx 0 changes PPO and its readers only", async () => {
  const ptx = join(recipesDir, "replicate", "quickstart-ptx.align");
  const hashes = (p: { nodes: { id: string; hash: string }[] } | null) => new Map(p!.nodes.map((n) => [n.id, n.hash]));
  for (const seed of [17, 18] as const) {
    const base = hashes(await quickstartAsMeasured(seed));
    const same = await compile(ptx, { machine: false, backend: "wasm", variant: `ptx_coef=0.2,seed=${seed}` });
    assert.ok(same.plan, same.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
    assert.deepEqual(hashes(same.plan), base);
    const noPtx = await compile(ptx, { machine: false, backend: "wasm", variant: `ptx_coef=0,seed=${seed}` });
    assert.equal(noPtx.plan!.nodes.find((n) => n.id === "policy")!.params.ptx_coef, 0);
    const changed = [...hashes(noPtx.plan)].filter(([id, h]) => base.get(id) !== h).map(([id]) => id).sort();
    assert.deepEqual(changed, ["judge", "lm_ptx", "policy", "rule_judge", "tax_ptx"]);
  }
});

// recipes/replicate/quickstart-ptx-pretrain.align: ptx on the pretraining text (train(pre)) instead of the
// SFT mixture. Before PPO it must BE the quickstart on each seed (a cache that ran it reuses pre, SFT and
// the RM); PPO, what reads it and the new ptx chain differ, and nothing else; on both of its γ.
test("recipes/replicate/quickstart-ptx-pretrain.align: the quickstart's plans on both seeds and both γ but for PPO's ptx on train(pre) and its readers", async () => {
  const file = join(recipesDir, "replicate", "quickstart-ptx-pretrain.align");
  const hashes = (p: { nodes: { id: string; hash: string }[] } | null) => new Map(p!.nodes.map((n) => [n.id, n.hash]));
  for (const seed of [17, 18] as const) for (const gamma of [0.2, 0.015]) {
    const before = hashes(await quickstartAsMeasured(seed));
    const r = await compile(file, { machine: false, backend: "wasm", variant: `ptx_coef=${gamma},seed=${seed}` });
    assert.ok(r.plan, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
    assert.deepEqual(r.diagnostics.filter((d) => d.code === "AL3070"), [], "no leak: the tax's held-out text is not ptx data");
    const policy = r.plan.nodes.find((n) => n.id === "policy")!.params;
    assert.deepEqual([policy.ptx_data, policy.ptx_coef], [{ $ref: "pre@train/tokenize" }, gamma]);
    const changed = [...hashes(r.plan)].filter(([id, h]) => before.get(id) !== h).map(([id]) => id).sort();
    assert.deepEqual(changed, ["judge", "lm_ptx", "policy", "pre@train/tokenize", "rule_judge", "tax_ptx"]);
  }
});


/** The plan of `file`'s variant and the node ids whose hashes differ from the plan of the quickstart of
 * that seed as these recipes were measured against it (quickstartAsMeasured), sorted. */
async function againstQuickstart(file: string, seed: 17 | 18, variant: string) {
  const hashes = (p: { nodes: { id: string; hash: string }[] } | null) => new Map(p!.nodes.map((n) => [n.id, n.hash]));
  const before = hashes(await quickstartAsMeasured(seed));
  const r = await compile(file, { machine: false, backend: "wasm", variant });
  assert.ok(r.plan, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return { r, plan: r.plan, changed: [...hashes(r.plan)].filter(([id, h]) => before.get(id) !== h).map(([id]) => id).sort() };
}

// recipes/replicate/quickstart-rule-reward.align: issue 12's control, the demo rule as PPO's reward.
// Before PPO it must BE the quickstart on each seed (a cache that ran it reuses pre, SFT and the RM);
// PPO and what reads it differ, and nothing else.
test("recipes/replicate/quickstart-rule-reward.align: the quickstart's plans on both seeds but for PPO's reward = \"rule\" and its readers", async () => {
  const file = join(recipesDir, "replicate", "quickstart-rule-reward.align");
  for (const seed of [17, 18] as const) {
    const { plan, changed } = await againstQuickstart(file, seed, `seed=${seed}`);
    assert.equal(plan.nodes.find((n) => n.id === "policy")!.params.reward, "rule");
    assert.deepEqual(changed, ["judge", "lm_ptx", "policy", "rule_judge", "tax_ptx"]);
  }
});

// recipes/replicate/quickstart-best-of.align: best-of-n evals of the quickstart's SFT. On each seed it must
// BE the quickstart's plan (a cache that ran it reuses every node, PPO included) plus its six evals.
test("recipes/replicate/quickstart-best-of.align: the quickstart's plans on both seeds plus its best-of-n evals", async () => {
  const file = join(recipesDir, "replicate", "quickstart-best-of.align");
  for (const seed of [17, 18] as const) {
    const { r, plan, changed } = await againstQuickstart(file, seed, `seed=${seed}`);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(changed, ["bon_rm_16", "bon_rm_4", "bon_rm_8", "oracle_16", "oracle_4", "oracle_8"]);
    const bon = plan.nodes.find((n) => n.id === "bon_rm_4")!;
    assert.deepEqual([bon.params.best_of, bon.params.select, bon.params.temperature, bon.inputs], [4, { $ref: "rm" }, 0.7, ["prefs", "rm", "sft"]]);
  }
});

// recipes/replicate/quickstart-ppo-validation.align: PPO's settings compared on validation prompts. pre,
// SFT and the RM must BE the quickstart's on each seed (its figures are read against them); PPO trains on
// the 70 % of its prompt pool left after the validation split (a stage reads its source's train side),
// so PPO and what reads it differ on every variant, the quickstart's own settings included; its
// val_judge reads only the held-out prompts, which no stage trains on (no AL3070), and each variant
// carries its lr and kl_coef.
test("recipes/replicate/quickstart-ppo-validation.align: the quickstart's pre, SFT and RM on both seeds; PPO on the train split, judged on the held-out prompts", async () => {
  const file = join(recipesDir, "replicate", "quickstart-ppo-validation.align");
  for (const seed of [17, 18] as const)
    for (const [lr, kl] of [[0.0001, 0.05], [0.0002, 0.1]] as const) {
      const { r, plan, changed } = await againstQuickstart(file, seed, `kl_coef=${kl},lr=${lr},seed=${seed}`);
      assert.deepEqual(r.diagnostics.filter((d) => d.code === "AL3070"), [], "no leak: the validation prompts are not PPO's");
      assert.deepEqual(changed, ["judge", "lm_ptx", "policy", "ppo_prompts", "ppo_prompts/format", "ppo_prompts/tokenize", "rule_judge", "tax_ptx", "val_judge"]);
      const policy = plan.nodes.find((n) => n.id === "policy")!;
      assert.deepEqual([policy.params.lr, policy.params.kl_coef, policy.params.prompts], [lr, kl, { $ref: "ppo_prompts/tokenize" }]);
      assert.deepEqual(plan.nodes.find((n) => n.id === "val_judge")!.params.prompts, { $call: "heldout", args: [{ $ref: "ppo_prompts" }] });
    }
});

// recipes/replicate/sentiment-alone.align, sentiment-wide.align and arithmetic-caps-alone.align: issue 12's diagnosis of held-out-template
// accuracy. Their two-layer pretraining must BE the byte-level quickstart's on each seed (the diagnosis is about
// that pretrained model, the quickstart's until 5 Dec 2026, and a cache that ran it reuses it); the wide one
// trains on 3× the sentiment task's rows (720 → 648 after the 10% held out), every one of them.
test("recipes/replicate/ sentiment-alone, sentiment-wide and arithmetic-caps-alone: the byte-level quickstart's pretraining on both seeds; the wide task has 3× the rows", async () => {
  const dir = tempDir("alignc-bytes-");
  for (const [seed, base] of [[17, byteLevelQuickstart(dir)], [18, byteLevelQuickstart(dir, "quickstart-bytes-seed18", "  seed = 18\n")]] as const) {
    const pre = (await compile(base, { machine: false, backend: "wasm" })).plan!.nodes.find((n) => n.id === "pre")!.hash;
    for (const [file, variant] of [["sentiment-alone.align", `seed=${seed},layers=2`], ["sentiment-wide.align", `seed=${seed},steps=600`], ["arithmetic-caps-alone.align", `seed=${seed}`]] as const) {
      const r = await compile(rep(file), { machine: false, backend: "wasm", variant });
      assert.ok(r.plan, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
      assert.equal(r.plan.nodes.find((n) => n.id === "pre")!.hash, pre, `${file} ${variant}`);
      const examples = r.plan.nodes.find((n) => n.id === "sft_data")!.estimates?.size?.examples;
      assert.equal(examples, { "sentiment-wide.align": 648, "sentiment-alone.align": 216, "arithmetic-caps-alone.align": 90 + 126 }[file], `${file}: every training row`);
    }
  }
});

// recipes/replicate/quickstart-ppo80.align: the quickstart's PPO for 80 steps. pre, SFT and the RM are the
// quickstart's on each seed; PPO and what reads it differ, and nothing else.
test("recipes/replicate/quickstart-ppo80.align: the quickstart's plans on both seeds but for 80 PPO steps and their readers", async () => {
  const file = join(recipesDir, "replicate", "quickstart-ppo80.align");
  for (const seed of [17, 18] as const) {
    const { r, plan, changed } = await againstQuickstart(file, seed, `seed=${seed}`);
    assert.deepEqual(r.diagnostics, []);
    assert.equal(plan.nodes.find((n) => n.id === "policy")!.params.steps, 80);
    assert.deepEqual(changed, ["judge", "lm_ptx", "policy", "rule_judge", "tax_ptx"]);
  }
});

// recipes/replicate/quickstart-ppo-samples16.align: 16 samples per prompt at T 1, with the RM or the rule as
// the reward; the batch stays 64 rollouts (4 prompts a step).
test("recipes/replicate/quickstart-ppo-samples16.align: the quickstart's plans on both seeds but for PPO's 16 samples at T 1 (RM or rule) and their readers", async () => {
  const file = join(recipesDir, "replicate", "quickstart-ppo-samples16.align");
  for (const seed of [17, 18] as const)
    for (const [name, reward] of [["rm", { $ref: "rm" }], ["rule", "rule"]] as const) {
      const { r, plan, changed } = await againstQuickstart(file, seed, `reward=${name},seed=${seed}`);
      assert.deepEqual(r.diagnostics, []);
      const p = plan.nodes.find((n) => n.id === "policy")!.params;
      assert.deepEqual([p.samples_per_prompt, p.temperature, p.batch_size, p.reward], [16, 1, 64, reward]);
      assert.deepEqual(changed, ["judge", "lm_ptx", "policy", "rule_judge", "tax_ptx"]);
    }
});

// recipes/replicate/quickstart-rm-onpolicy.align: every quickstart node unchanged (its figures sit beside
// them; prefs@train is the draw's prompt pool, new nodes); the draw reads the quickstart RM's training prompts, which the tool reports (AL3070) for the evals
// on heldout(onpol) and for rm_on's held-out split, and for nothing else.
test("recipes/replicate/quickstart-rm-onpolicy.align: the quickstart's plans on both seeds plus the draw, its reward model, PPO on it and their evals; the leak into rm's data reported", async () => {
  const file = join(recipesDir, "replicate", "quickstart-rm-onpolicy.align");
  for (const seed of [17, 18] as const) {
    const { r, plan, changed } = await againstQuickstart(file, seed, `seed=${seed}`);
    assert.deepEqual(changed, ["bon_rmon_16", "bon_rmon_4", "bon_rmon_8", "onpol", "onpol/draw", "onpol/format", "onpol/tokenize", "policy_on", "prefs@train/format", "prefs@train/tokenize", "rm_acc_on", "rm_on", "rm_on_acc", "rm_on_acc_on", "rule_judge_on"]);
    assert.deepEqual(r.diagnostics.map((d) => `${d.code} ${d.message}`), [
      "AL3070 stage `rm_on`'s held-out split: evaluated texts found in training: 128 in rm.data",
      "AL3070 eval `rm_acc_on`: evaluated texts found in training: 128 in rm.data",
      "AL3070 eval `rm_on_acc_on`: evaluated texts found in training: 128 in rm.data",
    ]);
    const draw = plan.nodes.find((n) => n.id === "onpol/draw")!.params;
    assert.deepEqual([draw.stage, draw.prompts, draw.n, draw.k, draw.temperature], [{ $ref: "sft" }, { $ref: "prefs@train/tokenize" }, 1280, 4, 1]);
    const [rm, rmOn] = ["rm", "rm_on"].map((id) => plan.nodes.find((n) => n.id === id)!.params);
    assert.deepEqual({ ...rmOn, data: null }, { ...rm, data: null }, "rm_on: the quickstart RM's settings on other data");
    const [policy, policyOn] = ["policy", "policy_on"].map((id) => plan.nodes.find((n) => n.id === id)!.params);
    assert.deepEqual({ ...policyOn, reward: null }, { ...policy, reward: null }, "policy_on: the quickstart's PPO on another reward");
  }
});

// recipes/replicate/quickstart-rm-steps-validation.align and quickstart-rm-lr-validation.align: the RM
// variants on validation prompts. Their baseline (600 steps, lr 3e-4) is quickstart-ppo-validation's
// variant of the quickstart's PPO settings, node for node; a variant changes the RM and what reads it.
test("recipes/replicate/quickstart-rm-{steps,lr}-validation.align: the validation recipe's plans but for the reward model and its readers", async () => {
  for (const seed of [17, 18] as const) {
    const before = await validationHashes(seed);
    const plans: [string, string, number, number][] = [
      ["quickstart-rm-steps-validation.align", `seed=${seed},steps=600`, 600, 3e-4],
      ["quickstart-rm-steps-validation.align", `seed=${seed},steps=1200`, 1200, 3e-4],
      ["quickstart-rm-lr-validation.align", `seed=${seed}`, 600, 6e-4],
    ];
    for (const [file, variant, steps, lr] of plans) {
      const r = await compile(rep(file), { machine: false, backend: "wasm", variant });
      assert.ok(r.plan, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
      const rm = r.plan.nodes.find((n) => n.id === "rm")!.params;
      assert.deepEqual([rm.steps, rm.lr], [steps, lr], `${file} ${variant}`);
      const changed = changedNodes(before, r.plan);
      const expected = steps === 600 && lr === 3e-4 ? [] : ["judge", "lm_ptx", "policy", "rm", "rm_acc", "rule_judge", "tax_ptx", "val_judge"];
      assert.deepEqual(changed, expected, `${file} ${variant}`);
    }
  }
});

/**
 * A sweep of one PPO parameter on the validation recipe (quickstart-ppo-validation.align): at the
 * quickstart's value its plans node for node (both seeds), at the others PPO and what reads it only
 * (quickstartValue null: no variant is the quickstart's PPO).
 */
async function ppoSweepOnValidation(file: string, param: string, values: readonly number[], quickstartValue: number | null): Promise<void> {
  for (const seed of [17, 18] as const) {
    const before = await validationHashes(seed);
    for (const value of values) {
      const r = await compile(rep(file), { machine: false, backend: "wasm", variant: `${param}=${value},seed=${seed}` });
      assert.ok(r.plan, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
      assert.equal(r.plan.nodes.find((n) => n.id === "policy")!.params[param], value);
      const changed = changedNodes(before, r.plan);
      assert.deepEqual(changed, value === quickstartValue ? [] : PPO_AND_READERS, `${param} ${value}, seed ${seed}`);
    }
  }
}

test("recipes/replicate/quickstart-ppo-epochs-validation.align: at 2 passes the validation recipe's plans; at 4, PPO and its readers only", async () => {
  await ppoSweepOnValidation("quickstart-ppo-epochs-validation.align", "ppo_epochs", [2, 4], 2);
});

test("recipes/replicate/quickstart-ptx-coef-validation.align: at γ 0.2 the validation recipe's plans; at 0.5 and 1.0, PPO and its readers only", async () => {
  await ppoSweepOnValidation("quickstart-ptx-coef-validation.align", "ptx_coef", [0.2, 0.5, 1], 0.2);
});

test("recipes/replicate/quickstart-ptx-lr-validation.align: lr 2e-4 at γ 0.5 and 1.0 change PPO and its readers only", async () => {
  await ppoSweepOnValidation("quickstart-ptx-lr-validation.align", "ptx_coef", [0.5, 1], null);
});

test("recipes/replicate/quickstart-temperature-validation.align: at T 0.7 the validation recipe's plans; at 0.3 and 0.5, PPO and its readers only", async () => {
  await ppoSweepOnValidation("quickstart-temperature-validation.align", "temperature", [0.3, 0.5, 0.7], 0.7);
});

test("recipes/replicate/quickstart-temperature-movement-validation.align: T 0.3 at each steps × lr changes PPO and its readers only; at 40 steps and lr 1e-4 it is the temperature recipe's T 0.3", async () => {
  for (const seed of [17, 18] as const) {
    const before = await validationHashes(seed);
    const cool = nodeHashes((await compile(rep("quickstart-temperature-validation.align"), { machine: false, backend: "wasm", variant: `temperature=0.3,seed=${seed}` })).plan!);
    for (const [lr, steps] of [[0.0001, 40], [0.0001, 80], [0.0002, 40], [0.0002, 80]] as const) {
      const r = await compile(rep("quickstart-temperature-movement-validation.align"), { machine: false, backend: "wasm", variant: `lr=${lr},steps=${steps},seed=${seed}` });
      assert.ok(r.plan, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
      const policy = r.plan.nodes.find((n) => n.id === "policy")!;
      assert.deepEqual([policy.params.temperature, policy.params.steps, policy.params.lr, policy.params.kl_coef], [0.3, steps, lr, 0.05]);
      const changed = changedNodes(before, r.plan);
      assert.deepEqual(changed, PPO_AND_READERS, `lr ${lr}, steps ${steps}, seed ${seed}`);
      if (lr === 0.0001 && steps === 40) assert.deepEqual([...nodeHashes(r.plan)], [...cool], "Lab 11's first variant is Lab 10's T 0.3");
    }
  }
});

test("recipes/replicate/quickstart-samples8-validation.align: T 0.3 with 8 samples per prompt at batch 64 and 128 changes PPO and its readers only", async () => {
  for (const seed of [17, 18] as const) {
    const before = await validationHashes(seed);
    for (const batch of [64, 128]) {
      const r = await compile(rep("quickstart-samples8-validation.align"), { machine: false, backend: "wasm", variant: `batch_size=${batch},seed=${seed}` });
      assert.ok(r.plan, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
      const p = r.plan.nodes.find((n) => n.id === "policy")!.params;
      assert.deepEqual([p.temperature, p.samples_per_prompt, p.batch_size, p.steps, p.lr, p.kl_coef], [0.3, 8, batch, 40, 1e-4, 0.05]);
      assert.deepEqual(changedNodes(before, r.plan), PPO_AND_READERS, `batch ${batch}, seed ${seed}`);
    }
  }
});

test("recipes/replicate/quickstart-kl-temperature-validation.align: T 0.3 at kl_coef 0.02, 0.01, 0.005 and 0 changes PPO and its readers only", async () => {
  for (const seed of [17, 18] as const) {
    const before = await validationHashes(seed);
    for (const kl of [0.02, 0.01, 0.005, 0]) {
      const r = await compile(rep("quickstart-kl-temperature-validation.align"), { machine: false, backend: "wasm", variant: `kl_coef=${kl},seed=${seed}` });
      assert.ok(r.plan, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
      const p = r.plan.nodes.find((n) => n.id === "policy")!.params;
      assert.deepEqual([p.temperature, p.kl_coef, p.lr, p.steps, p.samples_per_prompt], [0.3, kl, 1e-4, 40, 4]);
      assert.deepEqual(changedNodes(before, r.plan), PPO_AND_READERS, `kl ${kl}, seed ${seed}`);
    }
  }
});

test("recipes/replicate/quickstart-ppo200-validation.align: 200 steps, the reward model or the rule as reward, change PPO and its readers only", async () => {
  for (const seed of [17, 18] as const) {
    const before = await validationHashes(seed);
    for (const reward of ["rm", "rule"]) {
      const r = await compile(rep("quickstart-ppo200-validation.align"), { machine: false, backend: "wasm", variant: `reward=${reward},seed=${seed}` });
      assert.ok(r.plan, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
      const policy = r.plan.nodes.find((n) => n.id === "policy")!;
      assert.equal(policy.params.steps, 200);
      assert.deepEqual(policy.params.reward, reward === "rm" ? { $ref: "rm" } : "rule");
      const changed = changedNodes(before, r.plan);
      assert.deepEqual(changed, PPO_AND_READERS, `reward ${reward}, seed ${seed}`);
    }
  }
});

test("recipes/replicate/quickstart-rule-reward-validation.align: the rule as reward at 40 steps changes PPO and its readers only", async () => {
  for (const seed of [17, 18] as const) {
    const before = await validationHashes(seed);
    const r = await compile(rep("quickstart-rule-reward-validation.align"), { machine: false, backend: "wasm", variant: `seed=${seed}` });
    assert.ok(r.plan, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
    const policy = r.plan.nodes.find((n) => n.id === "policy")!;
    assert.deepEqual([policy.params.steps, policy.params.reward], [40, "rule"]);
    const changed = changedNodes(before, r.plan);
    assert.deepEqual(changed, PPO_AND_READERS, `seed ${seed}`);
  }
});

// recipes/replicate/quickstart-byte-level.align: the quickstart as it was until 5 Dec 2026. Its seed-17
// variant is, node for node, the byte-level quickstart the tests compile (byte-level-quickstart.ts), and
// its seed-18 variant that with seed 18; every node that reads tokens differs from the subword quickstart.
test("recipes/replicate/quickstart-byte-level.align: the byte-level quickstart on both seeds, node for node", async () => {
  const file = join(recipesDir, "replicate", "quickstart-byte-level.align");
  const dir = tempDir("alignc-bytes-");
  const hashes = (p: { nodes: { id: string; hash: string }[] }) => p.nodes.map((n) => `${n.id} ${n.hash}`).sort();
  for (const [seed, base] of [[17, byteLevelQuickstart(dir)], [18, byteLevelQuickstart(dir, "quickstart-bytes-seed18", "  seed = 18\n")]] as const) {
    const r = await compile(file, { machine: false, backend: "wasm", variant: `seed=${seed}` });
    assert.ok(r.plan, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
    assert.deepEqual(hashes(r.plan), hashes((await compile(base, { machine: false, backend: "wasm" })).plan!));
    const { changed } = await againstQuickstart(file, seed, `seed=${seed}`);
    for (const id of ["pre", "sft", "rm", "policy", "rule_judge", "zero_shot_after"]) assert.ok(changed.includes(id), `${id} differs from the subword quickstart's`);
  }
});

// recipes/replicate/quickstart-rm-larger-validation.align (Lab 9): the quickstart on its validation pool
// (its PPO the validation recipe's kl 0.05 / lr 1e-4 variant's, node for node, so a cache that ran that
// reuses pre, SFT, RM and PPO) plus a larger reward model and a PPO on it; nothing else changes.
test("recipes/replicate/quickstart-rm-larger-validation.align: the validation recipe's plans plus a 4-layer reward model and PPO on it, nothing else changed", async () => {
  for (const seed of [17, 18] as const) {
    const before = await validationHashes(seed);
    const r = await compile(rep("quickstart-rm-larger-validation.align"), { machine: false, backend: "wasm", variant: `seed=${seed}` });
    assert.ok(r.plan, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
    const after = nodeHashes(r.plan);
    assert.deepEqual([...after].filter(([id, h]) => before.has(id) && before.get(id) !== h).map(([id]) => id), [], `seed ${seed}: a shared node changed`);
    assert.deepEqual([...before.keys()].filter((id) => !after.has(id)), ["val_judge"], `seed ${seed}`);
    const added = [...after.keys()].filter((id) => !before.has(id) && !id.startsWith("big_pre/")).sort();
    assert.deepEqual(added, ["big", "big_pre", "policy5", "rm_big", "rm_big_prefs", "tax_big", "val_judge5"], `seed ${seed}`);
    const plan = r.plan;
    const params = (id: string) => plan.nodes.find((n) => n.id === id)!.params;
    // the quickstart's PPO and RM settings, copied by hand into the recipe: held to them here
    assert.deepEqual({ ...params("policy5"), reward: null }, { ...params("policy"), reward: null });
    assert.deepEqual(params("policy5").reward, { $ref: "rm_big" });
    assert.deepEqual({ ...params("rm_big"), init: null }, { ...params("rm"), init: null });
    assert.deepEqual([params("big").layers, params("big_pre").steps], [4, 600]);
  }
});

// recipes/replicate/quickstart-t07.align: the quickstart with PPO's rollouts at T 0.7, its setting until
// 7 Dec 2026, on both seeds: the quickstart's plans but for PPO and what reads it.
test("recipes/replicate/quickstart-t07.align: the quickstart's plans on both seeds but for PPO's temperature 0.7 and its readers", async () => {
  for (const [seed, file] of [[17, join(recipesDir, "quickstart.align")], [18, rep("quickstart-seed18.align")]] as const) {
    const now = nodeHashes((await compile(file, { machine: false, backend: "wasm" })).plan!);
    const then = await quickstartAsMeasured(seed);
    assert.equal(then.nodes.find((n) => n.id === "policy")!.params.temperature, 0.7);
    assert.deepEqual(changedNodes(now, then), ["judge", "lm_ptx", "policy", "rule_judge", "tax_ptx"]);
  }
});
