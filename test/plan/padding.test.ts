// The plan's token counts against what the trainers really pack, without timing anything: the
// estimated token positions of a step (tokens / steps) are compared with the mean of real batches,
// drawn in the trainer's own order (BatchOrder, seeded as Trainer seeds it), packed with the real
// batching code (packLm; the reward model's shares as splitBatch cuts them, each packed by packScore).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Rng } from "../../src/common/rng.js";
import { compile } from "../../src/compile.js";
import { backendSession } from "../../src/run/nodes/env.js";
import { stageData } from "../../src/run/nodes/stage-data.js";
import { shares as shareSizes } from "../../src/common/shares.js";
import { expectedLongest, groupedPaddedTokens, paddedTokens } from "../../src/plan/padding.js";
import { lengthQuantiles } from "../../src/data/stats.js";
import { BatchOrder } from "../../src/train/batch-order.js";
import { packLm, packScore } from "../../src/train/batch.js";
import { splitBatch } from "../../src/train/parallel/shard.js";
import { paramsOf, refOf, stageParams } from "../../src/plan/params.js";
import type { DataSize } from "../../src/plan/types.js";
import { LENGTH_WINDOW_BATCHES } from "../../src/train/config.js";
import type { TokenSequence } from "../../src/train/batch.js";
import type { PlanNode } from "../../src/plan/types.js";
import { repoRoot } from "../repo-root.js";
import { tempDir } from "./fixture.js";
import { byteLevelQuickstart } from "./byte-level-quickstart.js";

test("the expected longest of n draws from the length quantiles is the empirical one", () => {
  // a known distribution: lengths 10 … 109, equally likely; E[max of n] = Σ_k P(max ≥ k)
  const rows = Array.from({ length: 100 }, (_, i) => ({ tokens: 10 + i, weight: 1 }));
  const q = lengthQuantiles(rows)!;
  assert.equal(q.length, 20);
  const size = { examples: 100, tokens: 0, max_tokens: 109, lengths: q };
  for (const n of [1, 4, 16, 64]) {
    let exact = 0;
    for (let k = 10; k <= 109; k++) exact += k === 10 ? 10 : 1 - ((k - 10) / 100) ** n; // E = 10 + Σ_{k>10} P(max ≥ k)
    const est = expectedLongest(size, n, (x) => x, 0);
    assert.ok(Math.abs(est - exact) / exact < 0.03, `n ${n}: ${est.toFixed(1)} vs ${exact.toFixed(1)}`);
  }
  // without measured lengths: the data's longest, mapped; without a size: the fallback
  assert.equal(expectedLongest({ examples: 1, tokens: 0, max_tokens: 50 }, 8, (x) => x - 1, 0), 49);
  assert.equal(expectedLongest(undefined, 8, (x) => x, 96), 96);
  assert.deepEqual(shareSizes(5, 2), [3, 2]);
  assert.deepEqual(shareSizes(1, 2), [1]);
  // a weighted sample: a component counted 3× weighs 3× in the quantiles
  assert.deepEqual(lengthQuantiles([{ tokens: 1, weight: 3 }, { tokens: 9, weight: 1 }])!.filter((x) => x === 1).length, 15);
  assert.equal(paddedTokens(size, 4, 2, 2, (x) => x, 0), 2 * 2 * 2 * expectedLongest(size, 2, (x) => x, 0));
});

test("grouped by length: the expected padded positions of a batch are the simulated windows' (within 3%)", () => {
  const rows = Array.from({ length: 100 }, (_, i) => ({ tokens: 10 + i, weight: 1 }));
  // a data set far larger than a window, so each window is batch × windows independent draws
  const size = { examples: 100_000, tokens: 0, max_tokens: 109, lengths: lengthQuantiles(rows)! };
  const rng = new Rng(11);
  for (const [batch, windows] of [[4, 8], [16, 8], [16, 1]] as const) {
    let sim = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const draws = Array.from({ length: batch * windows }, () => 10 + Math.floor(rng.next() * 100)).sort((a, b) => b - a);
      for (let j = 0; j < windows; j++) sim += (batch * draws[j * batch]!) / (trials * windows);
    }
    const est = groupedPaddedTokens(size, batch, windows, (x) => x, 0);
    assert.ok(Math.abs(est - sim) / sim < 0.03, `batch ${batch}, window ${windows}: ${est.toFixed(1)} vs simulated ${sim.toFixed(1)}`);
  }
  // one batch per window is no grouping at all; nor is a data set that fills fewer than two batches
  assert.ok(Math.abs(groupedPaddedTokens(size, 16, 1, (x) => x, 0) - paddedTokens(size, 16, 1, 1, (x) => x, 0)) < 1e-6);
  assert.equal(groupedPaddedTokens({ ...size, examples: 20 }, 16, 8, (x) => x, 0), paddedTokens(size, 16, 1, 1, (x) => x, 0));
  // a data set of 3 batches sorts those 3: the estimate of a 3-batch window
  assert.equal(groupedPaddedTokens({ ...size, examples: 48 }, 16, 8, (x) => x, 0), groupedPaddedTokens(size, 16, 3, (x) => x, 0));
});

/** The quickstart's plan (or another recipe's) with measured sizes (no cache: the data layer measures it here) and its stages' real data. */
async function quickstart(file = join(repoRoot(), "recipes", "quickstart.align")) {
  const r = await compile(file, { cache: false, leaks: false, truncation: false, machine: false });
  assert.ok(r.plan && r.recipe, JSON.stringify(r.diagnostics));
  const env = { recipe: r.recipe, backend: backendSession("cpu") };
  const node = (id: string): PlanNode => r.plan!.nodes.find((n) => n.id === id)!;
  return { plan: r.plan, env, node };
}

/** Estimated token positions per optimizer step. */
const perStep = (n: PlanNode): number => n.estimates.tokens! / n.estimates.steps!;
/** The trainer's batch order for a stage (src/train/trainer.ts: Rng.derive(seed, 0xba7c); lengths: an SFT stage's with group_by_length, as src/train/stages/lm.ts measures them). */
const orderOf = (n: PlanNode, items: number, lengths?: number[]) => new BatchOrder(items, Rng.derive(stageParams(n).seed, 0xba7c), 0, 0, lengths ? { lengths, batch: stageParams(n).batch_size } : null);
const STEPS = 300;

test("pretraining and SFT: estimated tokens per step = the real packed batches (within 5%)", async (t) => {
  const { plan, env, node } = await quickstart();
  for (const id of ["pre", "sft"]) {
    const n = node(id);
    const d = await stageData(env, plan, n);
    if (d.kind !== "lm") throw new Error(`${id}: expected LM data`);
    const p = stageParams(n);
    const grouped = n.op === "sft" && paramsOf(n, "stage.sft").group_by_length;
    const order = orderOf(n, d.data.train.length, grouped ? d.data.train.map((e) => Math.min(e.tokens.length - 1, 96)) : undefined);
    const real = packedPerStep(order, d.data.train, p.batch_size, p.accumulate, Math.min(p.max_length, 96), d.tok.pad);
    const est = perStep(n);
    t.diagnostic(`${id}: estimated ${est.toFixed(0)}, packed ${real.toFixed(0)} token positions a step`);
    assert.ok(Math.abs(est - real) / real < 0.05, `${id}: estimated ${est.toFixed(0)} token positions a step, the trainer packs ${real.toFixed(0)}`);
  }
});

// On the byte-level quickstart's SFT data, where the 5 % was measured (README, training engine). On the
// subword quickstart's (shorter, more alike sequences) the grouped estimate is 8 % low: 524 token
// positions a step against 567 packed (5 Dec 2026); the quickstart does not group its batches.
test("SFT with group_by_length: the grouped estimate = the grouped order's real batches (within 5%), and below the random order's", async (t) => {
  const { plan, env, node } = await quickstart(byteLevelQuickstart(tempDir("alignc-padding-")));
  const n = node("sft");
  const d = await stageData(env, plan, n);
  if (d.kind !== "lm") throw new Error("sft: expected LM data");
  const p = stageParams(n);
  const size = node(refOf(n.params.data)!).estimates.size as DataSize;
  const lmRow = (len: number) => Math.max(1, Math.min(96, len - 1)); // src/plan/estimate.ts's, at max_length 96
  const lengths = d.data.train.map((e) => Math.min(e.tokens.length - 1, 96));
  const grouped = packedPerStep(orderOf(n, d.data.train.length, lengths), d.data.train, p.batch_size, p.accumulate, 96, d.tok.pad);
  const random = packedPerStep(orderOf(n, d.data.train.length), d.data.train, p.batch_size, p.accumulate, 96, d.tok.pad);
  const est = groupedPaddedTokens(size, p.batch_size, LENGTH_WINDOW_BATCHES, lmRow, 96) * p.accumulate;
  t.diagnostic(`sft grouped: estimated ${est.toFixed(0)}, packed ${grouped.toFixed(0)}; random order packed ${random.toFixed(0)} token positions a step`);
  assert.ok(Math.abs(est - grouped) / grouped < 0.05, `grouped: estimated ${est.toFixed(0)}, the trainer packs ${grouped.toFixed(0)}`);
  assert.ok(grouped < 0.8 * random, `grouping spares padding: ${grouped.toFixed(0)} vs ${random.toFixed(0)}`);
});

/** Mean token positions a step of `order`'s batches, packed as the trainer packs them. */
function packedPerStep(order: BatchOrder, train: TokenSequence[], batch: number, accumulate: number, context: number, pad: number): number {
  let real = 0;
  for (let s = 0; s < STEPS; s++) {
    const b = packLm(order.next(batch).map((i) => train[i]!), context, pad);
    real += (b.B * b.T * accumulate) / STEPS;
  }
  return real;
}

test("reward model: estimated tokens per step = its shares' real packs (within 8%)", async (t) => {
  const { plan, env, node } = await quickstart();
  const n = node("rm");
  const d = await stageData(env, plan, n);
  if (d.kind !== "rm") throw new Error("rm: expected comparison data");
  const p = stageParams(n);
  const order = orderOf(n, d.train.length);
  let real = 0;
  for (let s = 0; s < STEPS; s++) {
    const groups = order.next(p.batch_size).map((i) => d.train[i]!);
    for (const share of splitBatch({ kind: "rm", groups, pad: d.tok.pad }, p.parallel_shares)) {
      if (share.kind !== "rm") throw new Error("unreachable");
      const b = packScore(share.groups.flatMap((g) => g.responses.map((r) => [...g.prompt, ...r])), 96, d.tok.pad);
      real += (b.B * b.T * p.accumulate) / STEPS;
    }
  }
  const est = perStep(n);
  t.diagnostic(`rm: estimated ${est.toFixed(0)}, packed ${real.toFixed(0)} token positions a step`);
  // the sizes come from a sample of 200 groups and the quantiles are coarse: a wider margin than LM data
  assert.ok(Math.abs(est - real) / real < 0.08, `rm: estimated ${est.toFixed(0)} token positions a step, the trainer packs ${real.toFixed(0)}`);
});

test("DPO: estimated tokens per step are at or above its shares' real packs, by less than a quarter", async (t) => {
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { writeMicro } = await import("../run/micro.js");
  const { packPairs } = await import("../../src/train/stages/dpo-loss.js");
  const { pairsOfGroups } = await import("../../src/train/stages/dpo.js");
  const file = writeMicro(mkdtempSync(join(tmpdir(), "alignc-padding-")), { dpo: true });
  const r = await compile(file, { cache: false, leaks: false, truncation: false, machine: false });
  assert.ok(r.plan && r.recipe, JSON.stringify(r.diagnostics));
  const n = r.plan.nodes.find((x) => x.id === "align")!;
  const d = await stageData({ recipe: r.recipe, backend: backendSession("cpu") }, r.plan, n);
  if (d.kind !== "rm") throw new Error("align: expected comparison data");
  const p = stageParams(n);
  const pairs = pairsOfGroups(d.train);
  const order = orderOf(n, pairs.length);
  let real = 0;
  for (let s = 0; s < STEPS; s++) {
    const ps = order.next(p.batch_size).map((i) => pairs[i]!);
    for (const share of splitBatch({ kind: "dpo", pairs: ps, beta: 0.1, pad: d.tok.pad }, p.parallel_shares)) {
      if (share.kind !== "dpo") throw new Error("unreachable");
      const b = packPairs(share.pairs, Math.min(p.max_length, 64), d.tok.pad);
      real += (b.B * b.T * p.accumulate) / STEPS;
    }
  }
  const est = perStep(n);
  t.diagnostic(`align: estimated ${est.toFixed(0)}, packed ${real.toFixed(0)} token positions a step`);
  // pairs are drawn from their groups' longest rows: never below the real packs (within sampling noise)
  assert.ok(est >= 0.97 * real && est <= 1.25 * real, `align: estimated ${est.toFixed(0)} token positions a step, the trainer packs ${real.toFixed(0)}`);
});
