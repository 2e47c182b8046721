// The contamination check's comparison (leaks.ts): per (evaluated, other) pair of pools, the
// evaluated texts the other holds. Normalising every training pool and scanning each corpus is most
// of a check once the data is built (the quickstart: ~9 ms of the ~15 ms a variant of a sweep cost
// once its builds were shared), and it is a function of the texts alone: the evaluated texts, and each
// other pool's kind and texts. So it is memoised in the data plan's memo (shared by a sweep's variants,
// shared-builds.ts) by a sha256 of exactly those; a learning-rate sweep compares once. The result is
// kept as indices and counts and given back with the asking variant's own pools.
import { createHash } from "node:crypto";
import { inText } from "./in-corpus.js";
import type { Leak, Pool } from "./leaks.js";
import { normalizeWhitespace } from "./normalize.js";
import { cached, type DataPlan } from "./plan-input.js";

/** Texts listed per pair of pools. */
const EXAMPLES = 3;

/** One pair that overlaps: an evaluated pool (index), the other pool (index), what it holds. */
interface Overlap {
  e: number;
  t: number;
  count: number; // evaluated texts found in the other pool
  found: string[]; // the distinct ones (normalised)
}

/** Per (evaluated, other) pair of pools, the evaluated texts (`evaluated[i]`: evalPools[i]'s,
 * normalised) the other holds. */
export async function overlaps(dp: DataPlan, evalPools: readonly Pool[], evaluated: readonly string[][], pools: readonly Pool[]): Promise<Leak[]> {
  const found = await cached(dp, `overlaps:${overlapKey(evaluated, pools)}`, async () => compare(evaluated, pools));
  return found.map((o) => ({ evalPool: evalPools[o.e]!, trainPool: pools[o.t]!, count: o.count, found: o.found, examples: o.found.slice(0, EXAMPLES) }));
}

/** The sha256 of what compare reads: every string length-prefixed, so no two inputs meet. */
function overlapKey(evaluated: readonly string[][], pools: readonly Pool[]): string {
  const h = createHash("sha256");
  const list = (xs: readonly string[]): void => {
    h.update(`${xs.length}[`);
    // one update per list, not per text: ~10,000 short texts a pool
    h.update(xs.map((x) => `${x.length}:${x}`).join(""));
  };
  h.update(`evaluated ${evaluated.length}\n`);
  for (const e of evaluated) list(e);
  h.update(`pools ${pools.length}\n`);
  for (const p of pools) {
    h.update(`${p.kind}\n`);
    list(p.texts);
  }
  return h.digest("hex");
}

/** Each other pool is normalised (and a corpus scanned) once, for every evaluated text of every eval
 * together: what a corpus contains does not depend on which other texts are looked for. */
function compare(evaluated: readonly string[][], pools: readonly Pool[]): Overlap[] {
  const out: Overlap[] = [];
  const contained = pools.map((t) => (t.kind === "text" ? inText(evaluated.flat(), t.texts) : new Set(t.texts.map(normalizeWhitespace))));
  evaluated.forEach((texts, e) => {
    pools.forEach((_, t) => {
      const hits = texts.filter((x) => contained[t]!.has(x));
      if (hits.length) out.push({ e, t, count: hits.length, found: [...new Set(hits)] });
    });
  });
  return out;
}
