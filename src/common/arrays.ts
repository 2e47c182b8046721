// Array helpers for data-sized arrays. `a.push(...b)` and `Math.max(...b)` pass b's elements as call
// arguments, on the stack: past ~125,000 of them V8 throws "Maximum call stack size exceeded" (exit 70
// on a mixture component of MNLI's size). These loop instead.

/** Appends every item of `items` to `out` (as out.push(...items), for any length); returns out. */
export function pushAll<T>(out: T[], items: Iterable<T>): T[] {
  for (const x of items) out.push(x);
  return out;
}

/** The largest of `xs` (-Infinity when empty), as Math.max(...xs) for any length. */
export function maxOf(xs: Iterable<number>): number {
  let m = -Infinity;
  for (const x of xs) if (x > m || Number.isNaN(x)) m = x;
  return m;
}

/** The smallest of `xs` (Infinity when empty), as Math.min(...xs) for any length. */
export function minOf(xs: Iterable<number>): number {
  let m = Infinity;
  for (const x of xs) if (x < m || Number.isNaN(x)) m = x;
  return m;
}
