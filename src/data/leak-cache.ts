// A content-addressed cache of the contamination check's findings. `alignc check` and `alignc plan`
// run the check on every recipe that checks clean, and building every eval's and stage's data for it
// (Handlebars, readers, splits, rendering) is most of a quickstart `alignc check` (~0.4 s of its
// ~0.7 s of CPU). The findings are a pure function of
//   - the recipe's blocks as checked: names, keywords, kinds, roles, arguments and properties (which
//     pools exist, what each reads, and the names the warnings print), its header and its seed;
//   - the contents of every file and folder the blocks name (the seed keys of their plan nodes, data/plan-input.ts);
//   - the data layer's code (the fingerprint the sizes cache uses: src/data, this file included);
// so the key is the sha256 of all of them, and any edit to any of them is a miss. Source positions
// are not part of it (a moved line or a new comment still hits): the warnings are rebuilt from the
// current recipe, so their spans are always current. An entry holds what the warnings need (pairs of
// an eval and a training pool, with counts) and which blocks were compared, one small JSON file each under <cache>/leaks/, written
// atomically; an unreadable or malformed entry is a miss. ALIGNC_CACHE_DIR moves it.
import { join } from "node:path";
import { writeFileAtomicSync } from "../common/atomic-write.js";
import { readRegularText } from "../lang/read-file.js";
import type { CheckedRecipe } from "../check/ir.js";
import { canonicalJson, sha256Hex } from "../plan/canonical.js";
import { dataLayerFingerprint, defaultCacheDir } from "../plan/sizes-cache.js";
import { ENGINE_EPOCH } from "../plan/hash.js";
import { alignVersion } from "../common/repo-root.js";
import type { EmptySplit } from "./empty-splits.js";
import { dataPlanOf } from "./plan-input.js";

/** A cache entry lists leak pairs with a few example texts each: far below this; a larger file is not read. */
const MAX_ENTRY_BYTES = 64 << 20;

/** What one check found: the leaking pairs (what the warnings need), the blocks whose evaluated
 * pools it compared, and the evals it left out as scoring the training split (what a run's report
 * may call held out, src/run/presentation/report.ts). */
export interface LeakFindings {
  pairs: LeakPair[];
  checked: string[];
  notChecked: string[];
  /** evals with nothing to evaluate, pretrain stages that held nothing out (src/data/empty-splits.ts) */
  empty: EmptySplit[];
  /** evaluated texts found in a BPE tokenizer's corpus (no model trains on it: not leaks, said apart);
   * absent in entries of an earlier build */
  tokenizerPairs?: LeakPair[];
}

/** One leaking pair, as the warnings need it. */
export interface LeakPair {
  evalBlock: string;
  evalProp: string;
  trainPool: string;
  count: number;
}

export class LeakCache {
  private readonly dir: string;
  constructor(root: string = defaultCacheDir()) {
    this.dir = join(root, "leaks");
  }

  /** The key of a recipe's findings; null when it cannot be computed (the check then runs uncached). */
  key(recipe: CheckedRecipe, engine: { alignc: string; epoch: number } = { alignc: alignVersion(), epoch: ENGINE_EPOCH }): string | null {
    try {
      const keys = dataPlanOf(recipe).keys;
      // a cache key, not a read of values: it covers every block as written (and each one's data
      // content), so that any change to the recipe misses the cache
      const blocks = recipe.blocks.map((b) => ({ name: b.name, keyword: b.keyword, kind: b.kind, role: b.role, args: b.args, props: b.props, content: keys.get(b.name) ?? null }));
      // the engine too: seed keys are hashed with a fixed engine (they seed draws across versions), so a
      // reader change marked by an epoch bump, or a new alignc, would read the old findings (audit33 M2)
      return sha256Hex(canonicalJson({ code: dataLayerFingerprint(), engine, header: recipe.header, seed: recipe.seed, blocks }));
    } catch {
      return null;
    }
  }

  get(key: string): LeakFindings | undefined {
    try {
      // a regular file only, as sizes-cache.ts reads its entries: a FIFO put in its place hung check and plan
      const v = JSON.parse(readRegularText(join(this.dir, `${key}.json`), MAX_ENTRY_BYTES, "leak cache entry")) as Partial<LeakFindings> | null;
      const names = (x: unknown): x is string[] => Array.isArray(x) && x.every((n) => typeof n === "string");
      if (!v || !Array.isArray(v.pairs) || !names(v.checked) || !names(v.notChecked) || !Array.isArray(v.empty)) return undefined;
      const ok =
        v.pairs.every((p: Partial<LeakPair>) => typeof p.evalBlock === "string" && typeof p.evalProp === "string" && typeof p.trainPool === "string" && typeof p.count === "number") &&
        v.empty.every((e: Partial<EmptySplit>) => typeof e.block === "string" && typeof e.prop === "string" && typeof e.stage === "boolean" && (e.split === undefined || typeof e.split === "string") && (e.ofStage === undefined || e.ofStage === true));
      return ok ? (v as LeakFindings) : undefined;
    } catch {
      return undefined;
    }
  }

  set(key: string, findings: LeakFindings): void {
    try {
      writeFileAtomicSync(join(this.dir, `${key}.json`), JSON.stringify(findings), { durable: false });
    } catch {
      // a cache that cannot be written only costs the next check a rebuild
    }
  }
}
