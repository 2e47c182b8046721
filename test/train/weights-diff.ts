// How far apart two networks' weights are, for the data-parallel tests' tolerance checks.
import type { Gpt } from "../../src/train/model.js";

/** The largest absolute difference between a's and b's weights, relative to a's largest weight. */
export function maxRelDiff(a: Gpt, b: Gpt): number {
  let diff = 0;
  let mag = 0;
  for (const [n, v] of a.params) {
    const x = v.dataSync();
    const y = b.params.get(n)!.dataSync();
    for (let i = 0; i < x.length; i++) {
      diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
      mag = Math.max(mag, Math.abs(x[i]!));
    }
  }
  return diff / mag;
}
