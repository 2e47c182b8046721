// Measured training throughput, for time estimates (team PLAN). Figures come from
// `npm run bench -- train` (medians over steps) on the 2-core development machine, tfjs 4.22.0,
// Node 20, single-threaded wasm, while other jobs shared the machine (load 6–8 on 2 cores): treat
// them as conservative. Tokens are training tokens (forward + backward + AdamW) of a pretrain/SFT
// step; RM, DPO and PPO steps cost more per example (see the notes below).
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

/** Measured 2026-11-25 (see the header). The tensorflow backend could not be installed here: no row. */
export const THROUGHPUT: readonly ThroughputRow[] = [
  { backend: "wasm", size: "small", params: 470_528, dModel: 128, layers: 2, heads: 4, context: 64, batch: 16, tokensPerS: 3173, gflops: 9.43, matmulPeakGflops: 27.6 },
  { backend: "wasm", size: "medium", params: 4_902_912, dModel: 256, layers: 6, heads: 8, context: 128, batch: 8, tokensPerS: 327, gflops: 10.31, matmulPeakGflops: 27.6 },
  { backend: "cpu", size: "small", params: 470_528, dModel: 128, layers: 2, heads: 4, context: 64, batch: 16, tokensPerS: 107, gflops: 0.32, matmulPeakGflops: 0.5 },
  { backend: "cpu", size: "medium", params: 4_902_912, dModel: 256, layers: 6, heads: 8, context: 128, batch: 2, tokensPerS: 7.6, gflops: 0.24, matmulPeakGflops: 0.5 },
];

/**
 * Relative cost of a step per sequence token against a pretrain/SFT step (measured or derived):
 * an RM step with K responses costs about 3× scoring them (forward + backward), i.e. like SFT on
 * all K sequences; DPO runs policy (with gradient) and reference (forward only) on chosen and
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
