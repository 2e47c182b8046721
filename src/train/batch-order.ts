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
 * drawn order), cut into batches, and its full batches shuffled (from the epoch's seed too): batches
 * of similar lengths, in an order that does not run from long to short. The cuts fall where the
 * trainer's batches do: every batch_size draws counted from the first epoch's start, across epoch
 * ends (a trainer draws exactly `batch` items at a time).
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
    // the epoch's first `head` draws complete the batch the previous epoch's last draws began: left as drawn
    const head = Math.min(this.n, (batch - ((epoch * this.n) % batch)) % batch);
    const out = perm.slice(0, head);
    const window = batch * LENGTH_WINDOW_BATCHES;
    for (let w = head; w < perm.length; w += window) {
      const sorted = perm.slice(w, w + window).sort((a, b) => lengths[b]! - lengths[a]!); // stable: ties keep drawn order
      const full = Math.floor(sorted.length / batch);
      for (const j of rng.shuffle(full)) out.push(...sorted.slice(j * batch, (j + 1) * batch));
      out.push(...sorted.slice(full * batch)); // the epoch's last window's rest: the batch the next epoch completes
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
