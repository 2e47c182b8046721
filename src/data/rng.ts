// Seeded randomness for the data layer. Every random choice (splits, templates, shots, mixing) draws
// from a generator derived from the recipe seed plus a label naming the choice, so adding a task
// does not reshuffle another task's examples.

/** 32-bit FNV-1a of a string: the label → seed mixer. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
  /** uniform integer in [0, n) */
  int(n: number): number;
}

/** mulberry32: small, fast, good enough for shuffles and draws (not for cryptography). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

/** A generator for one named random choice under a recipe seed. */
export function rngFor(seed: number, ...labels: (string | number)[]): Rng {
  return mulberry32(hash32(`${seed}\u0000${labels.join("\u0000")}`));
}

/** Fisher–Yates, returning a new array. */
export function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/** Split indices 0..n-1 into train/heldout with `share` held out (rounded), seeded. */
export function splitIndices(n: number, share: number, rng: Rng): { train: number[]; heldout: number[] } {
  const order = shuffled(
    Array.from({ length: n }, (_, i) => i),
    rng,
  );
  const h = Math.round(n * share);
  return { heldout: order.slice(0, h).sort((a, b) => a - b), train: order.slice(h).sort((a, b) => a - b) };
}
