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
 * One full `npm run bench -- train` run, 2026-11-25 13:56 UTC (load average 4–6 on 2 cores).
 * Other runs that day: wasm small 3,200–4,600 tokens/s, wasm medium 330–610 tokens/s.
 * The tensorflow backend could not be installed here: no row.
 */
export const THROUGHPUT: readonly ThroughputRow[] = [
  { backend: "wasm", size: "small", params: 470_528, dModel: 128, layers: 2, heads: 4, context: 64, batch: 16, tokensPerS: 4611, gflops: 13.7, matmulPeakGflops: 28.3 },
  { backend: "wasm", size: "medium", params: 4_902_912, dModel: 256, layers: 6, heads: 8, context: 128, batch: 8, tokensPerS: 388, gflops: 12.26, matmulPeakGflops: 23.7 },
  { backend: "cpu", size: "small", params: 470_528, dModel: 128, layers: 2, heads: 4, context: 64, batch: 16, tokensPerS: 113, gflops: 0.336, matmulPeakGflops: 0.7 },
  { backend: "cpu", size: "medium", params: 4_902_912, dModel: 256, layers: 6, heads: 8, context: 128, batch: 2, tokensPerS: 8.2, gflops: 0.259, matmulPeakGflops: 0.6 },
];

/**
 * Relative cost of a step per sequence token against a pretrain/SFT step (measured or derived):
 * an RM step with K responses costs about 3.7× scoring them (measured, K = 9: 87 ms against 23 ms),
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
  const rows = THROUGHPUT.filter((r) => r.backend === backend);
  if (rows.length === 0) return undefined;
  const flops = trainFlopsPerToken(cfg);
  const rowFlops = (r: ThroughputRow) => (r.tokensPerS > 0 ? (r.gflops * 1e9) / r.tokensPerS : Infinity);
  const nearest = rows.reduce((a, b) => (Math.abs(Math.log(rowFlops(b) / flops)) < Math.abs(Math.log(rowFlops(a) / flops)) ? b : a));
  return (nearest.gflops * 1e9) / flops;
}
