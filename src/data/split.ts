// The seeded train/held-out split of a data set's items, by distinct text: every copy of one text
// on one side. A split of rows is not a split of texts: a file with copies (a prompt ranked twice, a
// sentence in two passages, a record listed twice) would put copies on both sides, and every held-out
// figure would then score text the stage trained on. So the items are grouped by text (groups in
// the order of their first copy) and splitIndices draws the split of the groups, as scikit-learn's
// GroupShuffleSplit does: `share` is the share of distinct texts held out. Data without copies has
// one group per item and splits exactly as splitIndices splits its items; with copies, the share of
// items held out differs from `share` by how the copies fall. Texts are compared as the
// contamination check compares them (whitespace normalised, case kept: src/data/leaks.ts).
import { splitIndices, type Rng } from "../common/rng.js";
import { normalizeWhitespace } from "./normalize.js";

/** Indices 0..n-1 into train/held-out: round(G × share) of the G distinct texts (`textAt`) held out, seeded, with all their copies. */
export function splitKeepingTexts(n: number, share: number, rng: Rng, textAt: (i: number) => string): { train: number[]; heldout: number[] } {
  const groupOf = new Int32Array(n);
  const ids = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const t = normalizeWhitespace(textAt(i));
    let g = ids.get(t);
    if (g === undefined) ids.set(t, (g = ids.size));
    groupOf[i] = g;
  }
  const groups = splitIndices(ids.size, share, rng);
  if (ids.size === n) return groups; // no copies: group k is item k
  const held = new Uint8Array(ids.size);
  for (const g of groups.heldout) held[g] = 1;
  const out = { train: [] as number[], heldout: [] as number[] };
  for (let i = 0; i < n; i++) (held[groupOf[i]!] ? out.heldout : out.train).push(i);
  return out;
}
