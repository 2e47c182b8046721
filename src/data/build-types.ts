// The shapes the builders share (build.ts and its parts): unformatted data and build options.
import { mergeSkipped } from "./bad-rows.js";
import type { ChatFormat, ComparisonGroup, DataNotes, PromptResponse, TextCorpus } from "./types.js";

export interface BuildOptions {
  /** chat format: a ChatFormat, or null for the raw `prompt\nresponse` layout. Default: the `format`
   * parameter of the stage being built (a stage's data chain carries it), else raw. */
  format?: ChatFormat | null;
  /** for a stage or eval node: the parameter holding the data (default `data`, else `prompts`, `task`; `ptx_data`). */
  prop?: string;
  /** mixture components (node ids) kept out of training and evaluated zero-shot (held-out tasks),
   * besides the ones a mixture's `heldout_tasks` parameter lists. */
  heldoutTasks?: string[];
  /** read at most this many rows per file (previews and estimates). */
  limit?: number;
  /** ranked samples not drawn yet (src/data/build-samples.ts): "prompts" builds their groups with the
   * prompts only (no responses), what the contamination check and size estimates need; left out, an
   * error that says to run the draw. */
  undrawn?: "prompts";
}

/** Unformatted data: prompt/response pairs, comparison groups or text. */
export type RawData =
  | {
      kind: "sft";
      name: string;
      train: PromptResponse[];
      heldout: PromptResponse[];
      heldoutTemplates: PromptResponse[];
      heldoutTasks: PromptResponse[];
      mixCounts?: Record<string, number>;
      notes?: DataNotes;
      /** a prompts source's (`as prompts`): prompts alone, every response "": read where prompts are
       * (PPO's, a reward-model judge's, a draw's), refused where responses are trained on or judged */
      promptsOnly?: true;
    }
  | { kind: "comparisons"; name: string; train: ComparisonGroup[]; heldout: ComparisonGroup[]; notes?: DataNotes }
  | { kind: "text"; name: string; train: TextCorpus; heldout: TextCorpus; notes?: DataNotes };

/** Notes of several builds in one (a mixture's components). */
export function mergeNotes(...ns: (DataNotes | undefined)[]): DataNotes | undefined {
  const templates = ns.flatMap((n) => n?.templates ?? []);
  const skipped = mergeSkipped(ns.flatMap((n) => n?.skipped ?? []));
  const mixed = ns.flatMap((n) => n?.mixed ?? []);
  if (!templates.length && !skipped.length && !mixed.length) return undefined;
  return { ...(templates.length ? { templates } : {}), ...(skipped.length ? { skipped } : {}), ...(mixed.length ? { mixed } : {}) };
}
