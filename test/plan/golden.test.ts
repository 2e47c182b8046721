// Golden plans: every example recipe in recipes/ is recompiled and compared with its
// recipes/NAME.plan.json. ALIGNC_UPDATE_GOLDENS=1 rewrites them (as `alignc test --update` does).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../src/compile.js";
import { compareGolden, ESTIMATE_TOLERANCE, goldenPath, goldenText, writeGolden } from "../../src/plan/golden.js";
import { renderDiff } from "../../src/plan/render.js";
import { tempDir } from "./fixture.js";
import { byteLevelQuickstart } from "./byte-level-quickstart.js";
import { repoRoot } from "../repo-root.js";

// Goldens never depend on the user's ~/.cache: a fresh sizes cache, filled by the first compile and
// read by the second, so a cached size that differs from a measured one fails here too.
process.env.ALIGNC_CACHE_DIR = tempDir("alignc-golden-cache-");

const recipesDir = join(repoRoot(), "recipes");
const recipes = readdirSync(recipesDir).filter((f) => f.endsWith(".align")).sort();

test("goldenPath names the plan beside its recipe", () => {
  assert.equal(goldenPath("recipes/quickstart.align"), "recipes/quickstart.plan.json");
});

for (const file of recipes) {
  test(`golden plan of recipes/${file}`, async () => {
    const path = join(recipesDir, file);
    // machine-independent: no memory check against this machine; time is stripped from goldens anyway
    const r = await compile(path, { machine: false, backend: "wasm" });
    assert.ok(r.plan, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
    const warm = await compile(path, { machine: false, backend: "wasm" });
    assert.equal(warm.plan && goldenText(warm.plan), goldenText(r.plan), "a plan from cached sizes equals the measured one");
    if (process.env.ALIGNC_UPDATE_GOLDENS === "1") writeGolden(path, r.plan);
    assert.ok(existsSync(goldenPath(path)), `no golden ${goldenPath(path)}: run ALIGNC_UPDATE_GOLDENS=1 npm test (or alignc test --update)`);
    const text = readFileSync(goldenPath(path), "utf8");
    assert.ok(!text.includes(recipesDir) && !/"\/(home|tmp|work|Users)\//.test(text), "golden holds no absolute path");
    const cmp = compareGolden(r.plan, text);
    assert.ok(cmp.equal, `plan differs from ${goldenPath(path)}:\n${renderDiff(cmp.diff)}estimates differ: ${cmp.estimates.join(", ") || "none"}`);
  });
}

test("goldens: structure and hashes exactly, estimates within ESTIMATE_TOLERANCE", () => {
  const text = readFileSync(join(recipesDir, "quickstart.plan.json"), "utf8");
  const golden = JSON.parse(text) as import("../../src/plan/types.js").Plan;
  const withFlops = (f: number) => ({ ...golden, nodes: golden.nodes.map((n) => (n.id === "sft" ? { ...n, estimates: { ...n.estimates, flops: n.estimates.flops! * f } } : n)) });
  assert.ok(compareGolden(withFlops(1 + ESTIMATE_TOLERANCE / 2), text).equal, "a small change in an estimate keeps the golden");
  const far = compareGolden(withFlops(1 + ESTIMATE_TOLERANCE * 2), text);
  assert.ok(!far.equal);
  assert.deepEqual(far.estimates, ["sft"]);
  const rehashed = { ...golden, nodes: golden.nodes.map((n) => (n.id === "sft" ? { ...n, hash: "0".repeat(64) } : n)) };
  assert.ok(!compareGolden(rehashed, text).equal, "a hash differs: never within tolerance");
});

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

// recipes/replicate/quickstart-ptx.align: PPO with and without ptx on both seeds. Its ptx_coef = 0.2
// variants must BE the quickstart and its seed-18 replicate (equal node hashes), so that a cache that ran
// those reuses every node, and the ptx_coef = 0 variants must differ from them in PPO and what reads it only.
test("recipes/replicate/quickstart-ptx.align: its ptx 0.2 variants are the quickstart's plans on both seeds; ptx 0 changes PPO and its readers only", async () => {
  const ptx = join(recipesDir, "replicate", "quickstart-ptx.align");
  const hashes = (p: { nodes: { id: string; hash: string }[] } | null) => new Map(p!.nodes.map((n) => [n.id, n.hash]));
  for (const [seed, file] of [[17, join(recipesDir, "quickstart.align")], [18, join(recipesDir, "replicate", "quickstart-seed18.align")]] as const) {
    const base = hashes((await compile(file, { machine: false, backend: "wasm" })).plan);
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
  for (const [seed, base] of [[17, join(recipesDir, "quickstart.align")], [18, join(recipesDir, "replicate", "quickstart-seed18.align")]] as const) for (const gamma of [0.2, 0.015]) {
    const before = hashes((await compile(base, { machine: false, backend: "wasm" })).plan);
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
 * that seed (recipes/quickstart.align, or its seed-18 replicate), sorted. */
async function againstQuickstart(file: string, seed: 17 | 18, variant: string) {
  const base = seed === 17 ? join(recipesDir, "quickstart.align") : join(recipesDir, "replicate", "quickstart-seed18.align");
  const hashes = (p: { nodes: { id: string; hash: string }[] } | null) => new Map(p!.nodes.map((n) => [n.id, n.hash]));
  const before = hashes((await compile(base, { machine: false, backend: "wasm" })).plan);
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
  const rep = (f: string) => join(recipesDir, "replicate", f);
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
