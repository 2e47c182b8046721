// Achieved training throughput per backend, in FLOP/s, for the plan's time estimates
// (time = FLOPs / achieved FLOP/s; FLOPs already scale with model size and sequence length).
//
// The figures are tokens/s measured for one reference model on this project's 2-core machine
// (tfjs 4.22, Node 20; the training issue's facts, the `npm run bench -- train` configuration),
// converted to FLOP/s with the same trainFlopsPerToken the estimates use:
//   wasm (SIMD, one thread): about 1,950 tokens/s → about 10.5 GFLOP/s achieved
//   cpu (pure JS):           about   114 tokens/s → about 0.6 GFLOP/s
//   tensorflow (tfjs-node):  not measurable here (it cannot be installed offline) → no time estimate
// Times are therefore estimates for a machine like that one; `alignc plan` prints the backend they
// are for, and they are left out of goldens and hashes.
import { gptConfig, trainFlopsPerToken } from "../train/config.js";

/** The reference model of the measurements: 0.83M parameters, d 128, 4 layers, context 64, batch 16. */
const REFERENCE = gptConfig({ vocabSize: 259, context: 64, layers: 4, dModel: 128, heads: 4 });

/** Measured training tokens/s of REFERENCE by backend. */
export const TOKENS_PER_SECOND: Record<string, number> = { wasm: 1950, cpu: 114 };

/** Achieved training FLOP/s of `backend`, or null when no measurement exists for it. */
export function flopsPerSecond(backend: string): number | null {
  const tps = TOKENS_PER_SECOND[backend];
  return tps === undefined ? null : tps * trainFlopsPerToken(REFERENCE);
}
