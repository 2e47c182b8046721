// A reward model's training pairs follow its `pairs` property: all C(K,2) minus ties, or only
// neighbouring rank levels; held-out groups keep every pair for the accuracy figure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { checkRecipeText } from "../../src/check/index.js";
import { backendSession, type HandlerEnv } from "../../src/run/nodes/env.js";
import { stageData } from "../../src/run/nodes/stage-data.js";
import { planned, repoRoot } from "./micro.js";

async function rmPairs(mode: "all" | "adjacent") {
  const file = join(repoRoot(), "recipes", `pairs-${mode}.align`);
  const { recipe, diagnostics } = await checkRecipeText(`recipe pairs_${mode} extends "quickstart.align" { rm.pairs = ${mode} }`, file);
  assert.ok(recipe, JSON.stringify(diagnostics));
  const env: HandlerEnv = { recipe, backend: backendSession("cpu") };
  const { plan, node } = await planned(recipe);
  const d = await stageData(env, plan, node("rm"));
  assert.equal(d.kind, "rm");
  if (d.kind !== "rm") throw new Error("unreachable");
  const count = (gs: typeof d.train) => gs.reduce((a, g) => a + g.pairs.length, 0);
  return { train: count(d.train), heldout: count(d.heldout) };
}

test("pairs = adjacent trains on neighbouring rank levels only; pairs = all on every untied pair", async () => {
  const all = await rmPairs("all");
  const adj = await rmPairs("adjacent");
  assert.ok(adj.train < all.train, `adjacent ${adj.train} < all ${all.train}`);
  assert.equal(adj.heldout, all.heldout, "held-out accuracy counts every pair either way");
});

test("a stage's max_length truncates its sequences below the model context", async () => {
  const file = join(repoRoot(), "recipes", "short.align");
  const lengths = async (maxLength: number) => {
    const { recipe, diagnostics } = await checkRecipeText(`recipe short extends "quickstart.align" { sft.max_length = ${maxLength} }`, file);
    assert.ok(recipe, JSON.stringify(diagnostics));
    const { plan, node } = await planned(recipe);
    const d = await stageData({ recipe, backend: backendSession("cpu") }, plan, node("sft"));
    if (d.kind !== "lm") throw new Error(`expected LM data, got ${d.kind}`);
    return d.data.train.map((s) => s.tokens.length);
  };
  const full = await lengths(96);
  const short = await lengths(32);
  assert.ok(Math.max(...full) > 33, `some example is longer than 33 tokens at max_length 96 (${Math.max(...full)})`);
  assert.ok(Math.max(...short) <= 33, `max_length 32: at most 32 inputs + 1 target, got ${Math.max(...short)}`);
  assert.equal(short.length, full.length, "truncated, not dropped");
});
