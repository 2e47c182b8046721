// Measured training throughput, for time estimates (team PLAN). Figures come from
// `npm run bench -- train` (medians over steps run back to back) on the 2-core development machine,
// tfjs 4.22.0, Node 20, single-threaded wasm, under the bench lock while other jobs shared the
// machine. Tokens are training tokens (forward + backward + AdamW) of a pretrain/SFT step; the plan
// counts every stage's work in FLOPs (src/plan/estimate.ts) and converts them at these rates.
import { trainFlopsPerToken, type GptConfig } from "./config.js";
import type { BackendName } from "./backend.js";

export interface ThroughputRow {
  backend: BackendName;
  size: "small" | "quickstart" | "medium";
  /** The benchmarked model, at the batch listed. */
  params: number;
  vocab: number;
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
 * wasm: one `npm run bench -- train` run under the bench lock, 3 Dec 2026 14:02 UTC (load average
 * 1.8 before, 1.5 after, on 2 cores); the matmul peak is the one timed between the same steps. The
 * other runs that hour: 13:51 UTC (load 3.5–3.1) small 7,485, medium 845 tokens/s; 13:39 UTC (load
 * 4.9, others' jobs beside it, and the steps then timed between matmul calls) small 6,610, medium 796.
 * The quickstart row is the byte-level quickstart's model (byte-level vocabulary, context 96; the
 * quickstart's until 5 Dec 2026: its subword model has no row of its own and is sized by the nearest).
 * cpu: 2026-11-25 16:07 UTC (load average 1.8–2.5), not re-measured (the plan's default backend is wasm).
 * The tensorflow backend could not be installed here: no row.
 */
export const THROUGHPUT: readonly ThroughputRow[] = [
  { backend: "wasm", size: "small", params: 470_528, vocab: 512, dModel: 128, layers: 2, heads: 4, context: 64, batch: 16, tokensPerS: 7466, gflops: 22.18, matmulPeakGflops: 36.8 },
  { backend: "wasm", size: "quickstart", params: 442_240, vocab: 259, dModel: 128, layers: 2, heads: 4, context: 96, batch: 16, tokensPerS: 7974, gflops: 22.92, matmulPeakGflops: 37.0 },
  { backend: "wasm", size: "medium", params: 4_902_912, vocab: 512, dModel: 256, layers: 6, heads: 8, context: 128, batch: 8, tokensPerS: 843, gflops: 26.61, matmulPeakGflops: 36.9 },
  { backend: "cpu", size: "small", params: 470_528, vocab: 512, dModel: 128, layers: 2, heads: 4, context: 64, batch: 16, tokensPerS: 169, gflops: 0.502, matmulPeakGflops: 0.7 },
  { backend: "cpu", size: "medium", params: 4_902_912, vocab: 512, dModel: 256, layers: 6, heads: 8, context: 128, batch: 2, tokensPerS: 16, gflops: 0.505, matmulPeakGflops: 0.7 },
];

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
 * Sampling's achieved FLOP/s as a share of training's: one token for each of R rows per forward,
 * dozens of small ops per token, is bound by per-op latency rather than arithmetic. From `npm run
 * bench -- ppo` (quickstart-shaped step, 2 threads), 3 Dec 2026 13:40 and 13:52 UTC: rollout 230 /
 * 194 ms, of which the prompts' prefill (2.85 GFLOP) takes ≈ 73 ms at the training rate, leaving
 * 157 / 121 ms for 1.42 GFLOP of one-token forwards: 0.23 / 0.30 of the training rate. The low end is used.
 */
export const GENERATION_EFFICIENCY = 0.23;

/**
 * Speed-up of a training stage computed on 2 threads (its `parallel_shares` on 2 workers) over one
 * thread on the unsplit batch, measured on the 2-core development machine, 3 Dec 2026, under the bench
 * lock: `npm run bench -- parallel` (pretraining steps) at 13:40 and twice at 14:03 UTC: small 1.34,
 * 1.37, 1.42×; the quickstart's model 1.56, 1.47×; medium 1.71, 1.73, 1.72× (a run at 13:52 whose
 * threads were queued behind others' jobs, small 0.97×, is left out); and `npm run bench -- ppo`
 * (a quickstart-shaped PPO step, 13:40 and 13:52 UTC: 1.77, 1.71×). The low end of each is used.
 * The quickstart's own stages ran 1.47–1.67× faster on 2 workers than on 1 (earlier runs). No figure
 * exists for more than 2 threads: more shares get the 2-thread figure.
 */
export const PARALLEL_SPEEDUP = { small: 1.34, quickstart: 1.47, medium: 1.71, ppo: 1.71 } as const;

/** The measured 2-thread speed-up for `cfg` (the nearest benchmarked size); PPO's own for PPO. */
export function parallelSpeedup(cfg: GptConfig, backend: BackendName, op: string): number {
  if (backend !== "wasm" && backend !== "cpu") return 1;
  if (op === "ppo") return PARALLEL_SPEEDUP.ppo;
  return PARALLEL_SPEEDUP[nearestRow(cfg, "wasm")!.size];
}
