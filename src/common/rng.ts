// alignc's one PRNG: sfc32, seeded through splitmix32. Its whole state is four uint32s, so a resumed
// training run draws exactly the numbers the uninterrupted one would have; it is fast and passes
// PractRand. Not for cryptography.
//
// The data layer draws through rngFor: a generator per named random choice (a split, a template, a
// mixture draw) under the recipe seed, so adding a task does not reshuffle another task's examples.

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

  /** A permutation of 0..n-1 (Fisher–Yates). */
  shuffle(n: number): number[] {
    const a = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
}

/** 32-bit FNV-1a of a string: the label → seed mixer of rngFor. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The seed of rngFor's generator (for a stream made elsewhere: a worker thread's). */
export function seedFor(seed: number, ...labels: (string | number)[]): number {
  return hash32(`${seed}\u0000${labels.join("\u0000")}`);
}

/** A generator for one named random choice under a recipe seed. */
export function rngFor(seed: number, ...labels: (string | number)[]): Rng {
  return new Rng(seedFor(seed, ...labels));
}

/** The items in a seeded order (Rng.shuffle's permutation), as a new array. */
export function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  return rng.shuffle(xs.length).map((i) => xs[i]!);
}

/** Split indices 0..n-1 into train/heldout with `share` held out (rounded), seeded. */
export function splitIndices(n: number, share: number, rng: Rng): { train: number[]; heldout: number[] } {
  const order = rng.shuffle(n);
  const h = Math.round(n * share);
  return { heldout: order.slice(0, h).sort((a, b) => a - b), train: order.slice(h).sort((a, b) => a - b) };
}
