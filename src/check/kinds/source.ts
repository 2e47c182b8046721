// Source kinds: data files read as demonstrations, rankings, prompts, text or candidate sets.
// One keyword of the kinds table (src/check/kinds.ts, which says what a schema here means).
import { BASE_FORMAT, bound, callSchema, either, int, LM_STAGES, MAX_CONTEXT, num, oneOfStr, range, READERS, refSchema, str, type KindSpec } from "../kind-schemas.js";
import { ENCODINGS } from "../data-options.js";

/** Defaults of the ranked-samples properties, filled when the source is lowered (src/plan/lower.ts)
 * rather than by the checker, which would fill them into candidates draws too and change their hashes.
 * holdout 0: as every source's (a share kept out is asked for, with heldout(x) to read it).
 * `labeler` has none: who ranks is said, never assumed. */
export const RANKED_SAMPLES_DEFAULTS = { holdout: 0 } as const;

/** Defaults of the candidates properties, filled by `alignc label` (src/label/candidates.ts), not by the checker.
 * overlap 0.1: InstructGPT measured agreement on a shared subset; a tenth more labels buys that measure. */
export const CANDIDATE_DEFAULTS = { guidelines: "", overlap: 0.1 } as const;

/** No `default`: a text source that leaves it out keeps its plan hash; left out, each line is the row `{ text }`. */
const LINE_PATTERN = str(
  "text files: a regular expression (JavaScript syntax) every non-blank line must match, its named groups the row's fields: SST-2's `0 a dull film .` lines are `\"^(?<label>[01]) (?<sentence>.*)$\"`; a line it does not match is a bad row (`on_error`). Default, when left out: each line is the one field `text`",
);

export const SOURCE_KINDS: Record<string, KindSpec> = {
  ...Object.fromEntries(
    READERS.map((reader) => [
      reader,
      {
        args: { type: "array", minItems: 1, maxItems: 1, items: { type: "string" }, description: "path, relative to the recipe" },
        // prompts: each row's prompt alone (TRL's prompt-only layout), for PPO's prompts and a judge's
        roles: ["demonstrations", "prompts", "rankings", "pairs", "text", "records", "candidates"],
        props: {
          // field mappings: Handlebars over the row's fields
          prompt: str("prompt template over the row, e.g. \"{{instruction}}\" (demonstrations, prompts, rankings, pairs)"),
          response: str("response template (demonstrations)"),
          context: str("optional context template appended to the prompt (Dolly `context`, Alpaca `input`)"),
          system: str("system message for chat formats"),
          shape: oneOfStr(["auto", "dolly", "alpaca", "oasst", "hh", "plain"], "row layout; auto detects from the fields", "auto"),
          field: str("text field of a text/records source", { default: "text" }),
          responses: str("field holding the K responses (rankings)", { default: "responses" }),
          ranking: str("field holding the ranking: rank list, \"D > G > A = B\", or scores", { default: "ranking" }),
          // a template where a label names the winner (SHP's `labels`, summarize-from-feedback's `choice`)
          chosen: str("field of the preferred response (pairs), or a Handlebars template over the row (`\"{{#if labels}}{{human_ref_A}}{{else}}{{human_ref_B}}{{/if}}\"`)", { default: "chosen" }),
          rejected: str("field of the dispreferred response (pairs), or a Handlebars template over the row", { default: "rejected" }),
          // at most MAX_RESPONSES (src/data/rankings.ts: a row of more is an error whatever k says)
          k: range("allowed number of ranked responses per prompt (InstructGPT: 4..9; at most 64, C(64,2) comparisons from one prompt)", {}, 64),
          k_outside: oneOfStr(["fail", "skip"], "rows whose K is outside `k`: fail names them; skip leaves them out, counted in `data --stats` (default, when left out: fail — a K the recipe did not expect is a surprise)"),
          on_error: oneOfStr(["fail", "skip"], "a row that cannot be used (bad JSON, missing field, empty response, transcripts that do not split): fail reports every one (clipped, capped with a count); skip leaves them out and `data --stats` shows how many and why (default, when left out: fail — a file is not silently smaller than it looks)"),
          // no `default`: a source that leaves it out keeps its plan hash; left out means UTF-8
          // Parquet stores text as UTF-8 (its own encodings are the format's): a parquet source takes none
          ...(reader === "parquet" ? {} : { encoding: oneOfStr([...ENCODINGS], "the file's text encoding (default, when left out: utf-8, and any other byte is an error naming its offset — never a silent U+FFFD)") }),
          categories: { type: "array", items: { type: "string" }, description: "keep only these categories (Dolly)" },
          holdout: num("share of distinct prompts kept out of training for evaluation, each with every copy (src/data/split.ts)", { minimum: 0, maximum: 0.9, default: 0 }),
          // no `default`: a source that leaves it out keeps its plan hash and its split
          holdout_by: str("keep every row with the same value of this field on one side of the held-out split, besides every copy of a prompt: a conversation tree (OASST's `message_tree_id`), whose later turns quote earlier replies in their prompts (default, when left out: prompts alone)"),
          limit: int("read at most this many rows", { minimum: 1 }),
          // candidate sets for `alignc label` (role candidates only, src/label/): one {prompt, responses: [K strings]} per row.
          // No schema `default` here: a default would be filled into every source and change every plan hash;
          // CANDIDATE_DEFAULTS above holds them, and candidates sources are not plan nodes.
          labels: refSchema(["source:rankings"], "candidates: the rankings source whose file `alignc label` appends the labels to (so it reads them as they are)"),
          guidelines: str("candidates: the labeling instructions shown beside every prompt (default: none)"),
          overlap: num(`candidates: share of candidate sets shown to two labelers, for inter-labeler agreement (default ${CANDIDATE_DEFAULTS.overlap})`, { minimum: 0, maximum: 1 }),
          // text files only: a published line format read as it is (SST-2's `1 a gripping film .`)
          ...(reader === "text" ? { pattern: LINE_PATTERN } : {}),
        },
      },
    ]),
  ),
  // `source cands = samples(sft) as candidates { prompts = prefs.prompts  k = 4  labels = labeled }`:
  // K responses drawn from a trained stage for each of n prompts, once, seeded by the node's hash
  // (src/run/nodes/samples.ts), cached like a stage; `alignc label` serves them. The sampling settings
  // are the node's parameters (a change draws again); labels/guidelines/overlap are the labeling
  // session's (CANDIDATE_DEFAULTS), left out of the node so a new guideline keeps the samples.
  samples: {
    args: {
      type: "array",
      minItems: 1,
      maxItems: 1,
      items: refSchema(LM_STAGES, "the trained stage whose responses are drawn (an SFT stage, as InstructGPT's labelers ranked SFT samples)"),
      description: "the stage sampled",
    },
    // as candidates: labeled by people (`alignc label`); as rankings: ranked by a labeler (`labeler`),
    // read by reward models and rm_accuracy evals like any rankings source (src/data/build-samples.ts)
    roles: ["candidates", "rankings"],
    props: {
      prompts: either("prompts the responses answer", refSchema(["source", "task", "mixture"], "prompt source (`prefs.prompts`)"), callSchema(["heldout", "train"], "split")),
      k: int("responses drawn per prompt: InstructGPT's labelers ranked 4 to 9; 4 keeps a labeling minute per prompt", { minimum: 2, maximum: 26, default: 4 }),
      n: int("prompts sampled: the first n of `prompts` (its training share, in the data layer's order); 50 is an hour or so of labeling", { minimum: 1, ...bound(100_000, "every prompt is K generations and a labeler's minute"), default: 50 }),
      temperature: num("sampling temperature: 1 draws from the stage's own distribution, so the K responses differ as the policy's would (at least 0.01: it divides the logits, and a tiny one overflows them to NaN)", { minimum: 0.01, default: 1 }),
      top_k: int("sampling top-k, 0 = off", { minimum: 0, default: 0 }),
      max_new_tokens: int("response length cap (at most the model's context)", { minimum: 1, ...MAX_CONTEXT, default: 24 }),
      base_format: BASE_FORMAT,
      labels: refSchema(["source:rankings"], "the rankings source whose file `alignc label` appends the labels to (so it reads them as they are)"),
      guidelines: str("the labeling instructions shown beside every prompt (default: none)"),
      overlap: num(`share of candidate sets shown to two labelers, for inter-labeler agreement (default ${CANDIDATE_DEFAULTS.overlap})`, { minimum: 0, maximum: 1 }),
      // rankings only (RANKED_SAMPLES_PROPS): left out of a candidates node, whose hash stays what it was
      labeler: oneOfStr(
        ["rule"],
        "rankings: who ranks the K samples. rule: the demo rule against each prompt's reference answer (src/data/demo/rule.ts), equal classes tied. No default: where the labels come from is said, never assumed (people label a candidates source with `alignc label`)",
      ),
      // no schema `default` (it would be filled into candidates draws too): RANKED_SAMPLES_DEFAULTS above, which its description reads
      holdout: num(`rankings: share of the n distinct prompts kept out of training, for rm_accuracy on heldout(x); the split is of prompts, made before the draw (default ${RANKED_SAMPLES_DEFAULTS.holdout}, as every source's)`, { minimum: 0, maximum: 0.9 }),
    },
    required: ["prompts"],
  },
};
