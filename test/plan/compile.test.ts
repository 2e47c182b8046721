// The library pipeline `compile(path, opts)`: parse → check → data sizes → plan, never throwing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { compile } from "../../src/compile.js";
import { repoRoot } from "../repo-root.js";

const recipes = join(repoRoot(), "recipes");

test("compile: a missing recipe is a diagnostic, not an exception", async () => {
  const r = await compile(join(recipes, "no-such.align"));
  assert.equal(r.plan, null);
  assert.equal(r.diagnostics[0]!.code, "AL2016");
});

test("compile: one variant of a swept recipe, sized by the data layer, with time on the chosen backend", async () => {
  const r = await compile(join(recipes, "quickstart-kl.align"), { variant: "kl_coef=0.02", backend: "wasm", cache: false, machine: false });
  assert.ok(r.plan, JSON.stringify(r.diagnostics));
  assert.equal(r.plan.recipe.variant, "quickstart_kl[kl_coef=0.02]");
  assert.equal(r.plan.variants, undefined);
  const policy = r.plan.nodes.find((n) => n.id === "policy")!;
  assert.equal(policy.params.kl_coef, 0.02);
  assert.equal(policy.estimates.backend, "wasm");
  assert.ok(policy.estimates.time_s! > 0);
  const sft = r.plan.nodes.find((n) => n.id === "sft_data/tokenize")!;
  assert.ok(sft.estimates.size!.examples > 0 && sft.estimates.size!.max_tokens > 0);
  const none = await compile(join(recipes, "quickstart-kl.align"), { variant: "kl_coef=7", cache: false });
  assert.equal(none.plan, null);
  // (the contamination check's AL3070 warnings on the base recipe come with it)
  assert.deepEqual(none.diagnostics.filter((d) => d.severity === "error").map((d) => d.code), ["AL4011"]);
});

test("a training stage's time estimate is divided by the 2-thread speed-up measured for its size when parallel_shares >= 2, not otherwise", async () => {
  const { mkdtempSync } = await import("node:fs");
  const { byteLevelQuickstart } = await import("./byte-level-quickstart.js");
  const { tmpdir } = await import("node:os");
  const { PARALLEL_SPEEDUP } = await import("../../src/train/throughput.js");
  // the byte-level quickstart's model is a benchmarked size of its own (src/train/throughput.ts)
  const dir = mkdtempSync(join(tmpdir(), "alignc-estimate-"));
  const bytes = byteLevelQuickstart(dir);
  const one = byteLevelQuickstart(dir, "one-share", "  sft.parallel_shares = 1\n  policy.parallel_shares = 1\n");
  const opts = { backend: "wasm", cache: false, machine: false } as const;
  const [two, single] = [await compile(bytes, opts), await compile(one, opts)];
  const time = (r: typeof two, id: string) => r.plan!.nodes.find((n) => n.id === id)!.estimates.time_s!;
  assert.ok(Math.abs(time(single, "sft") / time(two, "sft") - PARALLEL_SPEEDUP.quickstart) < 1e-9, "sft: the byte-level quickstart model's 2-thread speed-up");
  assert.ok(Math.abs(time(single, "policy") / time(two, "policy") - PARALLEL_SPEEDUP.ppo) < 1e-9, "ppo: PPO's own");
});

test("PPO's estimate counts batch_size rollouts per step, as its trainer samples them: accumulate (which PPO does not take) changes no figure", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "alignc-estimate-"));
  const acc = join(dir, "ppo-accumulate.align");
  writeFileSync(acc, `recipe ppo_accumulate extends "${join(recipes, "quickstart.align")}" {\n  policy.accumulate = 4\n}\n`);
  const opts = { backend: "wasm", cache: false, machine: false } as const;
  const [base, four] = [await compile(join(recipes, "quickstart.align"), opts), await compile(acc, opts)];
  const est = (r: typeof base) => r.plan!.nodes.find((n) => n.id === "policy")!.estimates;
  assert.equal(est(four).tokens, est(base).tokens);
  assert.equal(est(four).flops, est(base).flops);
  assert.equal(est(four).memory_bytes, est(base).memory_bytes);
});
