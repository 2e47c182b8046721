// Mixture kinds: several tasks or sources mixed into one training set.
// One keyword of the kinds table (src/check/kinds.ts, which says what a schema here means).
import { bool, bound, int, MAX_EXAMPLES, num, oneOfStr, refSchema, type KindSpec, type Schema } from "../kind-schemas.js";

/** Clauses of a mixture component (`sentiment: proportional cap 3000`, `demos: weight 1.0`). */
export const COMPONENT_CLAUSES: Record<string, Schema> = {
  proportional: bool("examples-proportional mixing (FLAN): the component weighs as many examples as it has"),
  cap: int("at most this many examples from the component (FLAN's per-task cap keeps big tasks from dominating)", { minimum: 1 }),
  weight: num("fixed mixing weight of the component", { exclusiveMinimum: 0, ...bound(10_000, "a weight repeats each of the component's examples that many times: 10,000 copies is far past any mixing ratio") }),
};

export const MIXTURE_KINDS: Record<string, KindSpec> = {
  mix: {
    props: {
      // components live in props.components: { name: { proportional?: true, cap?: n, weight?: w } }
      components: {
        type: "object",
        additionalProperties: { type: "object", properties: COMPONENT_CLAUSES, additionalProperties: false },
        description: "task/source name: proportional [cap N] | weight W",
      },
      heldout_tasks: {
        type: "array",
        items: refSchema(["task", "source:demonstrations"], "a component of this mixture"),
        description:
          "components kept out of training and scored zero-shot, on all their templates, by accuracy evals with split = heldout_tasks (FLAN's held-out tasks)",
      },
      total: int("examples in the mixture; default: the sum of capped sizes", { minimum: 1, ...MAX_EXAMPLES }),
      dedup: oneOfStr(["none", "exact", "normalized"], "drop duplicate prompts (normalized: case, spaces, punctuation)", "exact"),
      min_response_chars: int("LIMA-style selection: drop examples whose response is shorter than this many characters", { minimum: 0 }),
      max_response_chars: int("drop examples whose response is longer than this many characters (a stage's max_length counts tokens and truncates)", { minimum: 1 }),
      per_category: int("LIMA-style quota of examples per category", { minimum: 1 }),
    },
  },
};
