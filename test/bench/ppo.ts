// `npm run bench -- ppo`: where a quickstart-shaped PPO step's time goes (rollout sampling, scoring,
// advantages, updates) with 1 thread and with N (the number of cores, at most parallel_shares = N),
// the two trainers' steps interleaved so both sample the same load; means over the timed steps after
// one warm-up step. The quickstart's PPO: d 128, 2 layers, context 96, 16 prompts × 4 samples per
// step, rloo advantages with rms scaling, ptx 0.2, temperature 0.7, 24 new tokens, a reward model
// (random weights: the timing does not depend on what it scores). The two trainers compute the same
// figures (parallel_shares fixes them), which the bench checks.
// Last line: `ppo: <speed-up of the whole step>x with N threads (no goal set)`.
import { availableParallelism, loadavg } from "node:os";
import { useBackend } from "../../src/train/backend.js";
import { Rng } from "../../src/common/rng.js";
import { Gpt } from "../../src/train/model.js";
import { GradientPool } from "../../src/train/parallel/pool.js";
import { PpoTrainer } from "../../src/train/stages/ppo.js";
import { testGptConfig, testPpoOptions, testTrainConfig } from "../train/configs.js";

const quick = process.env.BENCH_QUICK === "1";
const N = Math.max(2, Number(process.env.BENCH_WORKERS ?? availableParallelism()));
const STEPS = quick ? 2 : 4;
const PHASES = ["rollout", "score", "estimateAdvantages", "updatePolicy"] as const;
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(" ");

await useBackend("wasm");
const cfg = testGptConfig({ vocabSize: 259, context: 96, layers: 2, dModel: 128, heads: 4 });
const sft = Gpt.init(cfg, ["lm"], 1);
const rm = Gpt.init(cfg, ["reward"], 2);
const rng = new Rng(7);
const prompts = Array.from({ length: 200 }, () => Array.from({ length: 20 + rng.int(30) }, () => 3 + rng.int(250)));
const ptx = Array.from({ length: 200 }, () => ({ tokens: Array.from({ length: 40 + rng.int(40) }, () => 3 + rng.int(250)) }));

async function trainer(threads: number): Promise<{ t: PpoTrainer; ms: Record<string, number> }> {
  const t = new PpoTrainer({
    init: sft,
    reward: rm,
    prompts,
    ptx,
    ppo: testPpoOptions({ advantages: "rloo", advantageScale: "rms", samplesPerPrompt: 4, klCoef: 0.05, ptxCoef: 0.2, temperature: 0.7, maxNewTokens: 24 }),
    train: testTrainConfig("ppo", { steps: 100, batchSize: 64, lr: 1e-4, seed: 3, parallelShares: N }),
    pad: 0,
  });
  if (threads > 1) t.parallel = await GradientPool.start(t.model, threads, "wasm", t.reference);
  // the phases are private methods: wrapped here to time them (bench only)
  const ms: Record<string, number> = {};
  const open = t as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const k of PHASES) {
    const f = open[k]!.bind(t);
    open[k] = (...a: unknown[]) => {
      const t0 = performance.now();
      const out = f(...a);
      ms[k] = (ms[k] ?? 0) + performance.now() - t0;
      return out;
    };
  }
  return { t, ms };
}

console.log(`wasm backend, ${availableParallelism()} cores, parallel_shares ${N}; load average (1, 5, 15 min) before: ${load()}`);
const runs = [await trainer(1), await trainer(N)];
for (const r of runs) r.t.step(); // warm-up: kernels, allocations, JIT (workers too)
for (const r of runs) for (const k of PHASES) r.ms[k] = 0;
const total = [0, 0];
for (let i = 0; i < STEPS; i++)
  runs.forEach((r, k) => {
    const t0 = performance.now();
    const m = r.t.step();
    total[k]! += performance.now() - t0;
    if (k === 1 && i === STEPS - 1) console.log(`  last step's figures: loss ${m.loss}, reward ${m.reward}, kl ${m.kl}`);
  });
const per = (x: number) => (x / STEPS).toFixed(0);
runs.forEach((r, k) => console.log(`${k === 0 ? 1 : N} thread(s): ${per(total[k]!)} ms/step: ${PHASES.map((p) => `${p} ${per(r.ms[p]!)} ms`).join(", ")}`));
const same = GradientPool.digestOf(runs[0]!.t.model) === GradientPool.digestOf(runs[1]!.t.model);
console.log(`the same weights with 1 and ${N} threads: ${same}; load average now ${load()}`);
for (const r of runs) r.t.dispose();
console.log(`ppo: ${(total[0]! / total[1]!).toFixed(2)}x with ${N} threads (no goal set)`);
process.exit(0);
