// How many token positions a training step really computes. The trainers pad each packed batch (or
// each data-parallel share of one, for the reward model and DPO) to its *own* longest row
// (src/train/batch.ts), not to the data's longest example: a batch of B rows costs B × the longest
// of B draws. From the data layer's row-length quantiles (DataSize.lengths, src/data/stats.ts) the
// expected longest of n draws is Σ_i v_i·(((i+1)/Q)^n − (i/Q)^n): the i-th of Q equally likely
// values is the longest when all n draws are at most it and not all below it. Without measured
// lengths the data's longest example (capped) stands for every row, as before.
import { shares as shareSizes } from "../common/shares.js";
import type { DataSize } from "./types.js";

/** Expected longest of `n` draws from `size`'s rows, each row's length mapped by `row` (monotone). */
export function expectedLongest(size: DataSize | undefined, n: number, row: (tokens: number) => number, fallback: number): number {
  const q = size?.lengths;
  if (!q || q.length === 0 || n < 1) return size ? row(size.max_tokens) : fallback;
  const Q = q.length;
  let e = 0;
  for (let i = 0; i < Q; i++) e += row(q[i]!) * (((i + 1) / Q) ** n - (i / Q) ** n);
  return e;
}

/**
 * Token positions of one micro-batch of `units` items (examples, ranking groups or pairs) of
 * `rowsPerUnit` rows each (1; the reward model: K responses; DPO: chosen and rejected), packed
 * per share (`shares`: 1 for LM stages, whose shares split one packed batch; parallel_shares for
 * the reward model and DPO, which pack each share apart), each share padded to its longest row.
 */
export function paddedTokens(size: DataSize | undefined, units: number, rowsPerUnit: number, shares: number, row: (tokens: number) => number, fallback: number): number {
  return shareSizes(units, shares).reduce((s, g) => s + g * rowsPerUnit * expectedLongest(size, g, row, fallback), 0);
}
