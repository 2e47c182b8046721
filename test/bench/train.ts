// `npm run bench -- train`: training throughput (tokens/s, achieved GFLOP/s) for two model sizes on
// every backend that loads, against the rank-2 matmul peak measured in the same run; the RM step with
// K = 9 against scoring the 9 responses. Last line: `train: <fraction> of matmul peak (goal >= 0.5)`.
// BENCH_PROFILE=1 adds a per-kernel breakdown of one wasm step per size (diagnostic).
import { availableBackends, tf, useBackend, type BackendName } from "../../src/train/backend.js";
import { parameterCount, trainFlopsPerToken, type GptConfig } from "../../src/train/config.js";
import { testGptConfig, testTrainConfig } from "../train/configs.js";
import { Gpt } from "../../src/train/model.js";
import { createTrainer } from "../../src/train/stages.js";
import { scoreSequences } from "../../src/train/evaluate.js";
import { Rng } from "../../src/common/rng.js";
import { loadavg } from "node:os";

const quick = process.env.BENCH_QUICK === "1";

/** Medians, not means: the machine is shared, and a preempted repetition should not move the figure. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** GFLOP/s of one rank-2 matmul call with fresh operands (as training sees them). */
function matmulOnce(m: number, k: number, n: number, a: tf.Tensor2D, b: tf.Tensor2D): number {
  const [a2, b2] = [tf.add(a, 0) as tf.Tensor2D, tf.add(b, 0) as tf.Tensor2D];
  const t0 = performance.now();
  const c = tf.matMul(a2, b2);
  c.dataSync();
  const s = (performance.now() - t0) / 1000;
  tf.dispose([a2, b2, c]);
  return (2 * m * k * n) / s / 1e9;
}

function matmulPeak(): { gflops: number; shape: [number, number, number] } {
  let best = { gflops: 0, shape: [0, 0, 0] as [number, number, number] };
  for (const [m, k, n] of [
    [1024, 128, 512],
    [1024, 512, 128],
    [1024, 128, 128],
    [1024, 256, 1024],
  ] as const) {
    const a = tf.randomNormal([m, k]) as tf.Tensor2D;
    const b = tf.randomNormal([k, n]) as tf.Tensor2D;
    tf.matMul(a, b).dispose();
    const reps = tf.getBackend() === "cpu" ? 3 : 15;
    // Fresh operands every call, as in training (weights change every step): wasm may reuse the
    // packed right-hand operand when the same tensor comes back (measured: 5–10% faster).
    const g = median(Array.from({ length: reps }, () => matmulOnce(m, k, n, a, b)));
    if (g > best.gflops) best = { gflops: g, shape: [m, k, n] };
    tf.dispose([a, b]);
  }
  return best;
}

/** BENCH_PROFILE=1: per-kernel time of one training step (diagnostic only; the figures above are untouched). */
const profile = process.env.BENCH_PROFILE === "1";

/**
 * Kernel time of one step by kernel name, from tf.profile. customGrad ops appear as "forward" rows
 * that contain their inner kernels, so they are left out of the total.
 */
async function printKernelBreakdown(name: string, step: () => void): Promise<void> {
  const p = await tf.profile(step);
  const byName = new Map<string, { ms: number; n: number }>();
  for (const k of p.kernels) {
    if (k.name === "forward") continue;
    const e = byName.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += k.kernelTimeMs as number;
    e.n++;
    byName.set(k.name, e);
  }
  const total = [...byName.values()].reduce((s, e) => s + e.ms, 0);
  const rows = [...byName].sort((x, y) => y[1].ms - x[1].ms).slice(0, 12);
  console.log(`[profile] ${name}: one step, ${p.kernels.length} kernels, ${total.toFixed(1)} ms of kernel time (profiled, so slower than the timed steps)`);
  for (const [k, e] of rows) console.log(`[profile]   ${k.padEnd(22)} ${e.ms.toFixed(1).padStart(7)} ms ${((100 * e.ms) / total).toFixed(0).padStart(3)}%  ${e.n} calls`);
}

interface Size {
  name: string;
  cfg: GptConfig;
  batch: number;
}
const SIZES: Size[] = [
  { name: "small", cfg: testGptConfig({ vocabSize: 512, context: 64, layers: 2, dModel: 128, heads: 4 }), batch: 16 },
  // the quickstart's own model (byte-level vocabulary, context 96, batch 16)
  { name: "quickstart", cfg: testGptConfig({ vocabSize: 259, context: 96, layers: 2, dModel: 128, heads: 4 }), batch: 16 },
  { name: "medium", cfg: testGptConfig({ vocabSize: 512, context: 128, layers: 6, dModel: 256, heads: 8 }), batch: 8 },
];

/**
 * Training throughput: the median of `steps` steps run back to back, as a stage runs them (the
 * figure of the throughput table, src/train/throughput.ts); then the goal ratio: the median of as
 * many steps with the peak-shape matmul timed right after each, so that both of its figures sample
 * the same load on a shared machine. (The interleaved matmuls slow the steps between them, measured
 * 3 Dec 2026: 6,610 against 7,799 tokens/s of back-to-back steps, so they no longer give the table.)
 */
async function trainThroughput(size: Size, steps: number, batch: number, peakShape: [number, number, number]): Promise<{ tokensPerS: number; gflops: number; msPerStep: number; peakGflops: number; interleavedGflops: number }> {
  const rng = new Rng(1);
  const T = size.cfg.context + 1;
  const examples = Array.from({ length: 64 }, () => ({ tokens: Array.from({ length: T }, () => rng.int(size.cfg.vocabSize)) }));
  const model = Gpt.init(size.cfg, ["lm"], 1);
  const tr = createTrainer("pretrain", { model, examples, train: testTrainConfig("pretrain", { steps: 2 * steps + 3, batchSize: batch, lr: 1e-4 }), lossOn: "all", groupByLength: false, pad: 0 });
  // warm-up: kernel setup, first allocations, JIT (wasm: 3 steps; cpu steps are too slow for more than 1)
  for (let i = 0; i < (tf.getBackend() === "cpu" ? 1 : 3); i++) tr.step();
  const timeStep = (): number => {
    const t0 = performance.now();
    tr.step();
    return performance.now() - t0;
  };
  const times = Array.from({ length: steps }, timeStep);
  const [m, k, n] = peakShape;
  const a = tf.randomNormal([m, k]) as tf.Tensor2D;
  const b = tf.randomNormal([k, n]) as tf.Tensor2D;
  const interleaved: number[] = [];
  const peaks: number[] = [];
  for (let i = 0; i < steps; i++) {
    interleaved.push(timeStep());
    for (let j = 0; j < 3; j++) peaks.push(matmulOnce(m, k, n, a, b));
  }
  tf.dispose([a, b]);
  if (profile && tf.getBackend() === "wasm") await printKernelBreakdown(size.name, () => tr.step());
  tr.dispose();
  const gflopsAt = (ms: number) => ((batch * size.cfg.context) / (ms / 1000)) * trainFlopsPerToken(size.cfg) / 1e9;
  const ms = median(times);
  const tokensPerS = (batch * size.cfg.context) / (ms / 1000);
  return { tokensPerS, gflops: gflopsAt(ms), msPerStep: ms, peakGflops: median(peaks), interleavedGflops: gflopsAt(median(interleaved)) };
}

function rmComparison(): { stepMs: number; scoreMs: number; naiveMs: number } {
  const cfg = SIZES[0]!.cfg;
  const rng = new Rng(2);
  const K = 9;
  const prompt = Array.from({ length: 24 }, () => rng.int(cfg.vocabSize));
  const responses = Array.from({ length: K }, () => Array.from({ length: 24 }, () => rng.int(cfg.vocabSize)));
  const pairs: [number, number][] = [];
  for (let i = 0; i < K; i++) for (let j = i + 1; j < K; j++) pairs.push([i, j]);
  const sft = Gpt.init(cfg, ["lm"], 1);
  const tr = createTrainer("reward_model", { init: sft, groups: [{ prompt, responses, pairs }], train: testTrainConfig("reward_model", { steps: 100, batchSize: 1, lr: 1e-4 }), pad: 0 });
  const rm = tr.model;
  const seqs = responses.map((r) => [...prompt, ...r]);
  tr.step();
  scoreSequences(rm, seqs, { pad: 0 });
  const reps = 5;
  const stepTimes: number[] = [];
  const scoreTimes: number[] = [];
  for (let i = 0; i < reps; i++) {
    let t0 = performance.now();
    tr.step();
    stepTimes.push(performance.now() - t0);
    t0 = performance.now();
    scoreSequences(rm, seqs, { batchSize: K, pad: 0 });
    scoreTimes.push(performance.now() - t0);
  }
  const stepMs = median(stepTimes);
  const scoreMs = median(scoreTimes);
  // The per-pair alternative: score both sides of each of the C(9,2) = 36 pairs (72 sequences).
  const pairSeqs = pairs.flatMap(([w, l]) => [seqs[w]!, seqs[l]!]);
  const t0 = performance.now();
  scoreSequences(rm, pairSeqs, { batchSize: K, pad: 0 });
  const naiveMs = performance.now() - t0;
  tr.dispose();
  sft.dispose();
  return { stepMs, scoreMs, naiveMs };
}

// BENCH_BACKENDS=wasm limits the run (the cpu rows take about a minute).
const only = process.env.BENCH_BACKENDS?.split(",");
const backends = (await availableBackends()).filter((b) => !only || only.includes(b));
console.log(`backends that load here: ${backends.join(", ")} (tensorflow needs @tensorflow/tfjs-node[-gpu]); load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
let wasmRatio: number | undefined;
for (const be of backends as BackendName[]) {
  await useBackend(be);
  const peak = matmulPeak();
  const shape = peak.shape.join("x");
  console.log(`[${be}] rank-2 matmul peak: ${peak.gflops.toFixed(1)} GFLOP/s (median of calls with fresh operands; best of 4 shapes: ${shape})`);
  for (const size of SIZES) {
    // cpu is ~20× slower than wasm: one step, and the medium model at batch 2 (tokens/s barely depends on it there).
    const steps = be === "cpu" ? 1 : quick ? 3 : size.name === "medium" ? 5 : 15;
    const batch = be === "cpu" && size.name === "medium" ? 2 : size.batch;
    const r = await trainThroughput(size, steps, batch, peak.shape);
    const ratio = r.interleavedGflops / r.peakGflops;
    if (be === "wasm" && size.name === "small") wasmRatio = ratio;
    const c = size.cfg;
    console.log(
      `[${be}] ${size.name}: ${(parameterCount(c) / 1e6).toFixed(2)}M params (d ${c.dModel}, ${c.layers} layers, ${c.heads} heads, context ${c.context}, batch ${batch}, vocab ${c.vocabSize}): ` +
        `${r.tokensPerS.toFixed(0)} tokens/s, ${r.msPerStep.toFixed(0)} ms/step, ${r.gflops.toFixed(2)} GFLOP/s achieved (steps back to back); steps between matmuls ${r.interleavedGflops.toFixed(2)} GFLOP/s = ${(100 * ratio).toFixed(0)}% of the ${shape} matmul timed between them (${r.peakGflops.toFixed(1)} GFLOP/s)`,
    );
  }
  if (be === "wasm") {
    const rm = rmComparison();
    console.log(
      `[wasm] reward model, one prompt with K = 9 (36 pairs): training step ${rm.stepMs.toFixed(0)} ms; scoring the 9 responses ${rm.scoreMs.toFixed(0)} ms ` +
        `(step/score ${(rm.stepMs / rm.scoreMs).toFixed(1)}×; scoring the 72 per-pair sequences instead would take ${rm.naiveMs.toFixed(0)} ms)`,
    );
  }
}
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
// The goal figure: the quickstart-sized model on wasm, against wasm's rank-2 matmul in the same run.
if (wasmRatio !== undefined) console.log(`train: ${wasmRatio.toFixed(2)} of matmul peak (goal >= 0.5)`);
else console.log(`train: n/a (wasm backend not available) of matmul peak (goal >= 0.5)`);
