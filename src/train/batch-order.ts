// The order a trainer draws its examples in, resumable from two numbers.
import { Rng } from "../common/rng.js";
import { LENGTH_WINDOW_BATCHES } from "./config.js";

export { LENGTH_WINDOW_BATCHES };

/** Grouping by length: each item's length (what pads a batch) and the batch size the windows are cut into. */
export interface LengthGrouping {
  lengths: readonly number[];
  batch: number;
}

/**
 * Endless epochs over n items in a seeded order: epoch e is a permutation drawn from
 * derive(seed, e), so the position {epoch, cursor} is the whole state. With `grouping`, each window
 * of LENGTH_WINDOW_BATCHES batches of that permutation is sorted by length (longest first, ties in
 * drawn order), cut into batches, and the batches shuffled (from the epoch's seed too): batches of
 * similar lengths, in an order that does not run from long to short.
 */
export class BatchOrder {
  private perm: number[];
  constructor(
    readonly n: number,
    readonly seed: number,
    public epoch = 0,
    public cursor = 0,
    readonly grouping: LengthGrouping | null = null,
  ) {
    if (n <= 0) throw new Error("BatchOrder: no examples to draw from");
    if (grouping && (grouping.lengths.length !== n || !(grouping.batch >= 1)))
      throw new Error(`BatchOrder: grouping needs ${n} lengths and a batch size >= 1, got ${grouping.lengths.length} and ${grouping.batch}`);
    this.perm = this.permutation(epoch);
  }

  private permutation(epoch: number): number[] {
    const rng = new Rng(Rng.derive(this.seed, epoch));
    const perm = rng.shuffle(this.n);
    if (!this.grouping) return perm;
    const { lengths, batch } = this.grouping;
    const window = batch * LENGTH_WINDOW_BATCHES;
    const out: number[] = [];
    for (let w = 0; w < perm.length; w += window) {
      const sorted = perm.slice(w, w + window).sort((a, b) => lengths[b]! - lengths[a]!); // stable: ties keep drawn order
      const batches: number[][] = [];
      for (let i = 0; i < sorted.length; i += batch) batches.push(sorted.slice(i, i + batch));
      for (const j of rng.shuffle(batches.length)) out.push(...batches[j]!);
    }
    return out;
  }

  next(count: number): number[] {
    const out: number[] = [];
    while (out.length < count) {
      if (this.cursor >= this.n) {
        this.epoch++;
        this.cursor = 0;
        this.perm = this.permutation(this.epoch);
      }
      out.push(this.perm[this.cursor++]!);
    }
    return out;
  }
  state(): { epoch: number; cursor: number } {
    return { epoch: this.epoch, cursor: this.cursor };
  }
}
