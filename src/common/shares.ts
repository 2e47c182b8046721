// How a batch is cut into data-parallel shares: one rule for the trainer (src/train/parallel/shard.ts,
// which splits the rows) and the plan's estimate (src/plan/padding.ts, which prices each share), kept
// free of TensorFlow.js so that `alignc plan` can use it without loading the engine.

/** Sizes of `n` contiguous ranges over `items`, as even as possible (the first items mod n get one more); never empty. */
export function shares(items: number, n: number): number[] {
  const parts = Math.max(1, Math.min(n, items));
  return Array.from({ length: parts }, (_, p) => Math.floor(items / parts) + (p < items % parts ? 1 : 0));
}
