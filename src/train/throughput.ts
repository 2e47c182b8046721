// Measured training throughput, for time estimates (team PLAN). Figures come from
// `npm run bench -- train` (medians over steps) on the 2-core development machine, tfjs 4.22.0,
// Node 20, single-threaded wasm, while other jobs shared the machine: treat them as conservative.
// Tokens are training tokens (forward + backward + AdamW) of a pretrain/SFT step; RM, DPO and PPO
// steps cost more per example (see STAGE_COST).
import { trainFlopsPerToken, type GptConfig } from "./config.js";
import type { BackendName } from "./backend.js";

export interface ThroughputRow {
  backend: BackendName;
  size: "small" | "medium";
  /** The benchmarked model: vocab 512, and batch as listed. */
  params: number;
  dModel: number;
  layers: number;
  heads: number;
  context: number;
  batch: number;
  tokensPerS: number;
  /** Achieved training GFLOP/s (6·N + attention FLOPs per token × tokens/s). */
  gflops: number;
  /** The backend's rank-2 matmul peak measured in the same run. */
  matmulPeakGflops: number;
}

/**
 * One full `npm run bench -- train` run, 2026-11-25 16:07 UTC (load average 1.8–2.5 on 2 cores), after
 * the wasm fast paths of ops.ts (blocked transposes, GatherNd lookup, softmax-based log-probabilities,
 * two-stage column sums, one-op GELU): wasm small 0.64 of the matmul peak timed between the same steps.
 * Other wasm runs that hour: small 5,400–6,200 tokens/s (0.57–0.65 of peak), medium 640–670 tokens/s.
 * Before those changes (13:56 UTC, load 4–6): small 4,611 and medium 388 tokens/s.
 * The tensorflow backend could not be installed here: no row.
 */
export const THROUGHPUT: readonly ThroughputRow[] = [
  { backend: "wasm", size: "small", params: 470_528, dModel: 128, layers: 2, heads: 4, context: 64, batch: 16, tokensPerS: 6075, gflops: 18.05, matmulPeakGflops: 28.4 },
  { backend: "wasm", size: "medium", params: 4_902_912, dModel: 256, layers: 6, heads: 8, context: 128, batch: 8, tokensPerS: 668, gflops: 21.1, matmulPeakGflops: 27.8 },
  { backend: "cpu", size: "small", params: 470_528, dModel: 128, layers: 2, heads: 4, context: 64, batch: 16, tokensPerS: 169, gflops: 0.502, matmulPeakGflops: 0.7 },
  { backend: "cpu", size: "medium", params: 4_902_912, dModel: 256, layers: 6, heads: 8, context: 128, batch: 2, tokensPerS: 16, gflops: 0.505, matmulPeakGflops: 0.7 },
];

/**
 * Relative cost of a step per sequence token against a pretrain/SFT step (measured or derived):
 * an RM step with K responses costs about 3.5–4× scoring them (measured, K = 9: 64–90 ms against 18–23 ms),
 * i.e. like SFT on all K sequences; DPO runs policy (with gradient) and reference (forward only) on chosen and
 * rejected: ≈ 1.33×; a PPO step is dominated by generation (one forward per new token with the
 * KV cache) plus ppo_epochs training passes and three scoring forwards.
 */
export const STAGE_COST = { pretrain: 1, sft: 1, reward_model: 1, dpo: 4 / 3 } as const;

/**
 * Tokens/s expected for `cfg` on `backend`: the achieved GFLOP/s measured for the nearest benchmarked
 * size (by FLOPs per token), divided by this model's training FLOPs per token. Undefined for a backend
 * without a measurement (tensorflow).
 */
export function estimateTokensPerSecond(cfg: GptConfig, backend: BackendName): number | undefined {
  const nearest = nearestRow(cfg, backend);
  return nearest === undefined ? undefined : (nearest.gflops * 1e9) / trainFlopsPerToken(cfg);
}

/** The benchmarked row of `backend` nearest to `cfg` by training FLOPs per token (undefined: none). */
function nearestRow(cfg: GptConfig, backend: BackendName): ThroughputRow | undefined {
  const rows = THROUGHPUT.filter((r) => r.backend === backend);
  if (rows.length === 0) return undefined;
  const flops = trainFlopsPerToken(cfg);
  const rowFlops = (r: ThroughputRow) => (r.tokensPerS > 0 ? (r.gflops * 1e9) / r.tokensPerS : Infinity);
  return rows.reduce((a, b) => (Math.abs(Math.log(rowFlops(b) / flops)) < Math.abs(Math.log(rowFlops(a) / flops)) ? b : a));
}

/**
 * Speed-up of a training stage computed on 2 threads (its `parallel_shares` on 2 workers) over one
 * thread on the unsplit batch, measured on the 2-core development machine, 3 Dec 2026, under the bench
 * lock: `npm run bench -- parallel` 08:11–08:28 UTC (pretraining steps: small 1.27–1.29×, medium
 * 1.62–1.65×; the low end is used; later runs on the current code spread 1.20–1.37× and 1.61–1.68×)
 * and `npm run bench -- ppo` (one run, a quickstart-shaped PPO step: 3,352 → 1,927 ms, 1.74×). The
 * quickstart's own stages ran 1.47–1.67× faster on 2 workers than on 1, so the estimate is
 * conservative there. No figure exists for more than 2 threads: more shares get the 2-thread figure.
 */
export const PARALLEL_SPEEDUP = { small: 1.27, medium: 1.62, ppo: 1.74 } as const;

/** The measured 2-thread speed-up for `cfg` (the nearest benchmarked size); PPO's own for PPO. */
export function parallelSpeedup(cfg: GptConfig, backend: BackendName, op: string): number {
  if (backend !== "wasm" && backend !== "cpu") return 1;
  if (op === "ppo") return PARALLEL_SPEEDUP.ppo;
  return PARALLEL_SPEEDUP[nearestRow(cfg, "wasm")!.size];
}
