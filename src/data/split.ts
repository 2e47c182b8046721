// The seeded train/held-out split of a data set's items, with every copy of one text on one side.
// A split of rows is not a split of texts: a file with duplicate rows (a prompt ranked twice, a
// sentence in two passages, a record listed twice) puts copies on both sides, and every held-out
// figure then scores text the stage trained on. splitIndices draws the split; each copy of a text
// then goes to the side its first copy (in file order) was drawn to. Data without such copies splits
// exactly as splitIndices draws it, so the held-out share is `share` there and can differ slightly
// where copies move. Texts are compared as the contamination check compares them (whitespace
// normalised, case kept: src/data/leaks.ts), so what this keeps together that check cannot report.
import { splitIndices, type Rng } from "../common/rng.js";
import { normalizeWhitespace } from "./normalize.js";

/** Indices 0..n-1 into train/held-out: `share` held out (rounded, seeded), then copies of a text (`textAt`) moved to their first copy's side. */
export function splitKeepingTexts(n: number, share: number, rng: Rng, textAt: (i: number) => string): { train: number[]; heldout: number[] } {
  const drawn = splitIndices(n, share, rng);
  if (drawn.heldout.length === 0 || drawn.train.length === 0) return drawn;
  const heldout = new Uint8Array(n);
  for (const i of drawn.heldout) heldout[i] = 1;
  const sideOf = new Map<string, number>(); // text → the side of its first copy
  let moved = false;
  for (let i = 0; i < n; i++) {
    const t = normalizeWhitespace(textAt(i));
    const side = sideOf.get(t);
    if (side === undefined) sideOf.set(t, heldout[i]!);
    else if (side !== heldout[i]) {
      heldout[i] = side;
      moved = true;
    }
  }
  if (!moved) return drawn;
  const out = { train: [] as number[], heldout: [] as number[] };
  for (let i = 0; i < n; i++) (heldout[i] ? out.heldout : out.train).push(i);
  return out;
}
