// Ranked samples (`samples(stage) as rankings`) outside a run: their responses are a draw that only
// `alignc run` computes, into the stage cache under the draw node's plan hash. `alignc data` shows
// them when that entry exists: it finds the entry by the same hash the run would use and hands its
// candidates file to the data layer, as a run does (drawsReady, src/run/nodes/samples.ts). A draw
// not in the cache stays unregistered, and building the ranked source then says which stage to run; so
// does a draw made from another output of its stage than the one cached now (a run draws it again:
// entry-inputs.ts).
import { join } from "node:path";
import type { CheckedRecipe } from "../../check/ir.js";
import { CANDIDATES_FILE, drawOf, noteUndrawn, registerDraw } from "../../data/build-samples.js";
import { refOf } from "../../plan/params.js";
import { dataPlanOf, type DataPlan } from "../../data/plan-input.js";
import { engineVersion } from "../../plan/compile.js";
import { hashNodes } from "../../plan/hash.js";
import { defaultCacheRoot, StageCache, type EntryMeta } from "./cache.js";
import { heldRecord } from "./entry-file.js";
import { entryDamage } from "./entry-check.js";
import { outputDigest } from "./entry-inputs.js";

export interface CachedDraw {
  rank: string; // the ranked source's node id (`onpolicy`)
  draw: string; // its draw node's id (`onpolicy/draw`)
  hash: string; // the draw's plan hash: its cache entry's name
  file: string | null; // the candidates file in the cache, null when not drawn yet
}

/**
 * Register every cached draw of the recipe's ranked samples with its data plan (the one
 * `buildExamples(recipe, …)` builds from), and say which ones are and are not drawn.
 * `recipe` is one variant (no sweeps left), as `alignc data` builds it; `dp`: the data plan to register
 * them with, when it is not dataPlanOf(recipe) (an export builds from its plan's).
 */
export function registerCachedDraws(recipe: CheckedRecipe, cacheRoot: string = defaultCacheRoot(), dp: DataPlan = dataPlanOf(recipe)): CachedDraw[] {
  const ranks = [...dp.nodes.values()].filter((n) => n.kind === "data" && n.op === "rank");
  if (ranks.length === 0) return [];
  // the data plan's nodes are the plan's own, in topological order: hashed with alignc's engine they
  // are the hashes `alignc run` (src/plan/compile.ts) names cache entries by
  const hashes = hashNodes([...dp.nodes.values()], engineVersion());
  const cache = new StageCache(cacheRoot);
  return ranks.map((rank) => {
    const draw = drawOf(dp, rank);
    const hash = hashes.get(draw.id)!;
    const stage = refOf(draw.params.stage);
    const stageHash = stage === null ? undefined : hashes.get(stage);
    const stageEntry = stageHash === undefined ? null : cache.get(stageHash);
    let entry = cache.get(hash);
    const stale = entry !== null && staleChain(cache, entry.meta);
    if (stale) entry = null;
    // an entry alignc wrote that is no hit (a file cut or grown): said as damage, not as never drawn (audit35 L5)
    const damage = entry === null && !stale ? entryDamage(cache.entryDir(hash), hash) : null;
    const file = entry ? join(entry.dir, CANDIDATES_FILE) : null;
    if (file !== null) registerDraw(dp, draw.id, file, heldRecord(entry!.dir, CANDIDATES_FILE, entry!.meta.files[CANDIDATES_FILE]));
    else if (stage !== null && stageHash !== undefined)
      // what the run before `alignc data` costs: a draw from a cached stage, or training the stage first
      noteUndrawn(
        dp,
        draw.id,
        damage !== null
          ? `its cached entry ${cache.entryDir(hash)} is damaged (${damage}): the run draws anew and replaces it`
          : stale
          ? `its cached draw was made from other outputs than those cached now (\`${stage}\`, or an entry it was computed from, was computed again since): a run computes what changed again and draws anew`
          : stageEntry
            ? `\`${stage}\` is in the cache: only the draw runs`
            : `\`${stage}\` is not in the cache either: it trains first, then draws`,
        damage !== null ? "damaged" : stale ? "stale" : "absent",
      );
    return { rank: rank.id, draw: draw.id, hash, file };
  });
}

/**
 * Whether an entry, or an entry it was computed from (and so on up), records another output of its
 * input than the one cached now: a run would compute it again (src/run/executor.ts). An input not in
 * the cache cannot be told, and entries that record no inputs say nothing.
 */
function staleChain(cache: StageCache, meta: EntryMeta, seen = new Map<string, boolean>()): boolean {
  for (const [hash, digest] of Object.entries(meta.inputs ?? {})) {
    const input = cache.get(hash);
    if (!input) continue;
    if (outputDigest(input.meta.files) !== digest) return true;
    if (!seen.has(hash)) seen.set(hash, staleChain(cache, input.meta, seen));
    if (seen.get(hash)) return true;
  }
  return false;
}
