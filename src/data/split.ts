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

/** Indices 0..n-1 into train/held-out: round(G × share) of the G groups held out, seeded, each whole. A
 * group is every copy of one text (`textAt`) and, with `groupAt` (a source's `holdout_by`), every item
 * sharing its key: an OASST conversation tree, whose later turns quote the earlier turns' replies in
 * their prompts, is one group, so a held-out reply is never inside a training prompt. */
export function splitKeepingTexts(n: number, share: number, rng: Rng, textAt: (i: number) => string, groupAt?: (i: number) => string): { train: number[]; heldout: number[] } {
  // union-find over the items: joined when they share a text or a group key
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const join = (a: number, b: number): void => {
    const [ra, rb] = [root(a), root(b)];
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb); // the earlier item is the root: groups stay in first-copy order
  };
  const firstOf = new Map<string, number>();
  const byKey = (key: string, i: number): void => {
    const f = firstOf.get(key);
    if (f === undefined) firstOf.set(key, i);
    else join(f, i);
  };
  for (let i = 0; i < n; i++) {
    byKey(`t\u0000${normalizeWhitespace(textAt(i))}`, i);
    if (groupAt) byKey(`g\u0000${groupAt(i)}`, i);
  }
  const groupOf = new Int32Array(n);
  const ids = new Map<number, number>(); // root → group number, in the order of each group's first item
  for (let i = 0; i < n; i++) {
    const r = root(i);
    let g = ids.get(r);
    if (g === undefined) ids.set(r, (g = ids.size));
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
