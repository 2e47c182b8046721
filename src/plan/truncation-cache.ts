// The one memo of truncation counts (AL3032) that `alignc plan` and `alignc check` share. A stage's
// counts are a function of its plan node (data, format, tokenizer, model context, max_length,
// truncate, seed: all in its hash) and of the data layer's code, so they are cached like data sizes
// (src/plan/sizes-cache.ts: `<cache>/truncation/`, keyed by the data layer's fingerprint and the
// stage's plan-node hash). A warm plan or check then renders no example again (FLAN scale: 3.4 s of
// a 5.0 s plan; the quickstart's check loaded Handlebars, Jinja and the tokenizers for it every time).
// The warning itself is rebuilt from the counts against the current recipe (its spans are current).
import type { DataPlan } from "../data/plan-input.js";
import type { StageTruncation, TruncationMemo } from "../data/truncation-report.js";
import { engineVersion } from "./compile.js";
import { hashNodes } from "./hash.js";
import { MeasureCache } from "./sizes-cache.js";

/** A cached entry: one stage's counts, or null for a stage that truncates nothing. */
function isEntry(v: unknown): v is { t: StageTruncation | null } {
  if (typeof v !== "object" || v === null || !("t" in v)) return false;
  const t = v.t as StageTruncation | null;
  return t === null || (typeof t === "object" && typeof t.stage === "string" && typeof t.examples === "number" && typeof t.loseResponse === "number" && typeof t.noResponse === "number" && typeof t.maxLength === "number");
}

export class TruncationCache extends MeasureCache<{ t: StageTruncation | null }> {
  constructor(root?: string) {
    super("truncation", isEntry, root);
  }
}

/** The memo truncationReport reads and fills, over `cache`: `stageHash` gives a stage's plan-node
 * hash by its id (undefined: not cached). */
export function truncationMemo(cache: TruncationCache, stageHash: (stage: string) => string | undefined): TruncationMemo {
  return {
    get: (stage) => {
      const h = stageHash(stage);
      return h === undefined ? undefined : cache.get(h)?.t;
    },
    set: (stage, t) => {
      const h = stageHash(stage);
      if (h !== undefined) cache.set(h, { t });
    },
  };
}

/** The memo for `alignc check`, over a recipe's data plan: each stage's hash as `alignc plan` computes
 * it (the same nodes, lowered the same way, hashed with the same engine), on the first lookup. */
export function dataPlanTruncationMemo(dp: DataPlan, cache: TruncationCache = new TruncationCache()): TruncationMemo {
  let hashes: Map<string, string> | undefined;
  return truncationMemo(cache, (stage) => (hashes ??= hashNodes([...dp.nodes.values()], engineVersion())).get(stage));
}
