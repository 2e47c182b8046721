// Achieved training throughput for the plan's time estimates: time = FLOPs / achieved FLOP/s, where
// the FLOP/s come from the training engine's measured table (src/train/throughput.ts, from
// `npm run bench -- train` on the 2-core development machine): for a model of a given shape, the
// achieved GFLOP/s of the nearest benchmarked size (estimateTokensPerSecond × its FLOPs per token).
// The table's rows (src/train/throughput.ts) hold the figures; tensorflow (tfjs-node) could not be
// installed there, so it has no row and plans for it carry no time estimate.
// Times are for a machine like that one; `alignc plan` prints the backend they are for, and they are
// left out of goldens and hashes.
import type { BackendName } from "../train/backend.js";
import { trainFlopsPerToken, type GptConfig } from "../train/config.js";
import { estimateTokensPerSecond, THROUGHPUT } from "../train/throughput.js";

/** Achieved training FLOP/s for a model of shape `cfg`, or null when unknown. */
export type Throughput = (cfg: GptConfig) => number | null;

/** The throughput of `backend`, or null when the table has no measurement for it. */
export function flopsPerSecond(backend: string): Throughput | null {
  if (!THROUGHPUT.some((r) => r.backend === backend)) return null;
  return (cfg) => {
    const tps = estimateTokensPerSecond(cfg, backend as BackendName);
    return tps === undefined ? null : tps * trainFlopsPerToken(cfg);
  };
}
