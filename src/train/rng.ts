// A seeded PRNG whose whole state is four uint32s, so a resumed run draws exactly the numbers the
// uninterrupted one would have (sfc32: fast, passes PractRand, trivially serialisable).

export type RngState = [number, number, number, number];

export class Rng {
  private s: Uint32Array;

  constructor(seed: number | RngState) {
    this.s = new Uint32Array(4);
    if (Array.isArray(seed)) {
      this.s.set(seed);
    } else {
      // splitmix32 expands one seed into four well-mixed words.
      let x = seed >>> 0;
      for (let i = 0; i < 4; i++) {
        x = (x + 0x9e3779b9) >>> 0;
        let z = x;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
        this.s[i] = (z ^ (z >>> 16)) >>> 0;
      }
      for (let i = 0; i < 12; i++) this.nextU32();
    }
  }

  nextU32(): number {
    const s = this.s;
    const t = (((s[0]! + s[1]!) >>> 0) + s[3]!) >>> 0;
    s[3] = (s[3]! + 1) >>> 0;
    s[0] = s[1]! ^ (s[1]! >>> 9);
    s[1] = (s[2]! + (s[2]! << 3)) >>> 0;
    s[2] = ((s[2]! << 21) | (s[2]! >>> 11)) >>> 0;
    s[2] = (s[2]! + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A seed for a derived stream (e.g. one per epoch), independent of this stream's position. */
  static derive(seed: number, ...path: number[]): number {
    let h = seed >>> 0;
    for (const p of path) h = Math.imul(h ^ (p >>> 0), 0x9e3779b1) ^ (h >>> 15);
    return h >>> 0;
  }

  state(): RngState {
    return [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!];
  }

  shuffle(n: number): number[] {
    const a = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
}

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
