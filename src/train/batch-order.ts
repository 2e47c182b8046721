// The order a trainer draws its examples in, resumable from two numbers.
import { Rng } from "../common/rng.js";

/**
 * Endless epochs over n items in a seeded order: epoch e is a permutation drawn from
 * derive(seed, e), so the position {epoch, cursor} is the whole state.
 */
export class BatchOrder {
  private perm: number[];
  constructor(
    readonly n: number,
    readonly seed: number,
    public epoch = 0,
    public cursor = 0,
  ) {
    if (n <= 0) throw new Error("BatchOrder: no examples to draw from");
    this.perm = new Rng(Rng.derive(seed, epoch)).shuffle(n);
  }
  next(count: number): number[] {
    const out: number[] = [];
    while (out.length < count) {
      if (this.cursor >= this.n) {
        this.epoch++;
        this.cursor = 0;
        this.perm = new Rng(Rng.derive(this.seed, this.epoch)).shuffle(this.n);
      }
      out.push(this.perm[this.cursor++]!);
    }
    return out;
  }
  state(): { epoch: number; cursor: number } {
    return { epoch: this.epoch, cursor: this.cursor };
  }
}
