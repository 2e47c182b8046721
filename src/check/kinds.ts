// Every block kind of the language and its properties, declared once, as JSON Schema (draft-07,
// checked with ajv in src/check/). This table is the contract between the checker, the data layer,
// the plan compiler and the training engine: a property exists iff it is declared here (each
// keyword's kinds in src/check/kinds/<keyword>.ts).
//
// Value shapes follow src/check/ir.ts: a reference is { $ref, member? }, a call { $call, args },
// a range { $range: [lo, hi] }, a quantity { $quantity, unit }. The custom keyword `refTo` lists
// which blocks a reference may point to ("stage:reward_model", "source:rankings" for a source with
// role rankings, "stage" for any stage); the checker enforces it (kind compatibility).
// `default` fills a property left out; `description` says why that default.
import { bound, callSchema, int, oneOfStr, quantity, READERS, refSchema, str, type KindSpec, type Schema } from "./kind-schemas.js";
import { TOKENIZER_KINDS } from "./kinds/tokenizer.js";
import { MODEL_KINDS } from "./kinds/model.js";
import { SOURCE_KINDS } from "./kinds/source.js";
import { TASK_KINDS } from "./kinds/task.js";
import { COMPONENT_CLAUSES, MIXTURE_KINDS } from "./kinds/mixture.js";
import { FORMAT_KINDS } from "./kinds/format.js";
import { STAGE_KINDS } from "./kinds/stage.js";
import { EVAL_KINDS } from "./kinds/eval.js";

export { ENCODINGS, TRUNCATE_DEFAULT, TRUNCATE_POLICIES } from "./data-options.js";

export { callSchema, READERS, refSchema };
export { COMPONENT_CLAUSES };

// Each keyword's kinds live in their own module (src/check/kinds/); the table is assembled here, in
// this order (the schema table, the generated validators and the plan read it in key order).
export const KINDS: Record<string, Record<string, KindSpec>> = {
  tokenizer: TOKENIZER_KINDS,
  model: MODEL_KINDS,
  source: SOURCE_KINDS,
  task: TASK_KINDS,
  mixture: MIXTURE_KINDS,
  format: FORMAT_KINDS,
  stage: STAGE_KINDS,
  eval: EVAL_KINDS,
};

/** Properties only a `candidates` source takes (the checker rejects them on other roles). */
export const CANDIDATE_PROPS = ["labels", "guidelines", "overlap"] as const;

/** Properties only a `samples(stage) as rankings` source takes: who ranks, and the held-out share. */
export const RANKED_SAMPLES_PROPS = ["labeler", "holdout"] as const;

// the samples source's defaults that the checker does not fill, beside its schema (the descriptions read them)
export { CANDIDATE_DEFAULTS, RANKED_SAMPLES_DEFAULTS } from "./kinds/source.js";

/** Properties of the `recipe` header. */
export const HEADER_PROPS: Record<string, Schema> = {
  // the engine's generators take 32 bits (src/common/rng.ts): 2^32 trained the very model 0 did, under its own hash (hunt38)
  seed: int("seeds data order, sampling and initialisation", { minimum: 0, ...bound(4_294_967_295, "the training engine's random generators take a 32-bit seed: a larger one would train the same models as a smaller one, under another hash"), default: 0 }),
  description: str("free text shown by `alignc plan`"),
  backend: oneOfStr(["auto", "tensorflow", "wasm", "cpu"], "training backend", "auto"),
};

/** Metrics each stage/eval kind provides to `expect` (`rm.accuracy`). */
export const METRICS: Record<string, string[]> = {
  // val_loss_before: the held-out loss at step 0; val_loss_baseline: the best constant next-token
  // distribution's loss on the same held-out tokens (their entropy; src/train/evaluate.ts constantLoss)
  // (val_loss_during is a curve in metrics.jsonl, not a figure of the summary: no gate can read it)
  pretrain: ["loss", "val_loss", "val_loss_before", "val_loss_baseline"],
  sft: ["loss", "val_loss", "val_loss_before", "val_loss_baseline"],
  // heldout_accuracy(_before): pair accuracy on the rankings' held-out groups after / before training
  // (when the rankings have a holdout); a no-op reward model leaves the two equal
  // accuracy: the held-out pairs' (heldout_accuracy); batch_accuracy: the last tenth of training batches';
  // heldout_accuracy_length_baseline: the same pairs ordered by response length alone (rm_accuracy's length_baseline)
  reward_model: ["loss", "accuracy", "batch_accuracy", "heldout_accuracy", "heldout_accuracy_before", "heldout_accuracy_length_baseline"],
  // rule_score: rollouts scored by the demo rule (when prompts have reference answers); greedy_*: a probe of PPO's own prompts,
  // greedy_reward(_before) scored by the stage's own reward (the reward model's score, or the rule's with reward = "rule");
  // greedy_rule_win_rate: the probe's greedy answers judged by the rule against the starting model's (ties ½; also logged during
  // training); at the end with its counts and the exact sign test, greedy_rule_wins/_ties/_losses/_p_value (training prompts: a curve, not a held-out claim)
  ppo: ["reward", "kl", "loss", "clip_fraction", "entropy", "value_loss", "rule_score", "greedy_rm_score", "greedy_rm_score_before", "greedy_rule_score", "greedy_rule_score_before", "greedy_reward", "greedy_reward_before", "greedy_rule_win_rate", "greedy_rule_wins", "greedy_rule_ties", "greedy_rule_losses", "greedy_rule_p_value"],
  dpo: ["loss", "accuracy", "batch_accuracy", "margin", "heldout_accuracy", "heldout_accuracy_before", "heldout_accuracy_length_baseline"],
  // best_of: a's answers were the best of this many samples (with best_of > 1 only), best_of_oracle: 1 when
  // the rule picked them (it reads the reference answers), 0 when a reward model did;
  // empty_a/empty_b: each side's answers of nothing, empty_a_wins/empty_b_wins the wins they took (an RM judge may score
  // an empty answer above a real one: `judge.empty_a_wins <= 0` gates on it); nonempty_p_value the sign test
  // on the decided pairs whose winner answered something (the wins no answer of nothing took, against the losses);
  // wins/ties/losses/n: the counts behind win_rate (ties ½); p_value: two-sided exact sign test on
  // the decisive pairs (src/run/evaluation/stats.ts). score_*: with a reward-model judge only (the rule judge has no scores);
  // style_wins/style_losses: with the rule judge only, the wins/losses where both answers were right and one dropped the preamble;
  // correctness_*: exactly one answer right; form_*: neither right, one garbage (the three add up to wins and losses);
  // ties_both_right / ties_both_wrong: the rule judge's ties; right_a/right_b: each side's right answers,
  // preamble_a/preamble_b: those after the preamble; style_alone_win_rate: ½ + preamble_b / 2n, what a
  // reaches over b by dropping b's preambles alone (a win rate above it needs fixed answers); per task also wins/<task>, ties/<task>,
  // losses/<task> when the prompts name their task (reported, not nameable in expect); split_size: the
  // prompts the split holds, of which n are judged (the first n, in split order)
  win_rate: ["win_rate", "best_of", "best_of_oracle", "ci_low", "ci_high", "wins", "ties", "losses", "n", "p_value", "score_a", "score_b", "score_gain", "score_gain_ci_low", "score_gain_ci_high", "style_wins", "style_losses", "correctness_wins", "correctness_losses", "form_wins", "form_losses", "ties_both_right", "ties_both_wrong", "right_a", "right_b", "preamble_a", "preamble_b", "style_alone_win_rate", "split_size", "empty_a", "empty_b", "empty_a_wins", "empty_b_wins", "nonempty_p_value"],
  // baseline: the best constant answer's accuracy on the same examples; vs_baseline_*: the examples
  // only the model gets right (wins) or only the constant (losses), and the exact sign test on them
  // (McNemar's); split_size: the examples the split holds, of which n are scored (the first n); per task
  // also accuracy/<task>, baseline/<task>, n/<task> (reported, not nameable in expect); versus_*: with
  // `versus` only, the second model's accuracy on the same examples and the paired counts and test
  accuracy: ["accuracy", "baseline", "n", "vs_baseline_wins", "vs_baseline_losses", "vs_baseline_p_value", "split_size", "versus_accuracy", "versus_wins", "versus_losses", "versus_p_value"],
  // accuracy weights groups as RM training does (pooled_accuracy counts each pair once); correctness_*: the
  // pairs whose responses differ in correctness by the rule judge, pooled (each pair once: compare it with
  // pooled_accuracy) (src/run/evaluation/eval-metrics.ts); per task also accuracy/<task>,
  // pairs/<task>, correctness_accuracy/<task>, correctness_pairs/<task> (reported, not nameable in expect)
  rm_accuracy: ["accuracy", "pooled_accuracy", "pairs", "groups", "correctness_accuracy", "correctness_pairs", "style_accuracy", "style_pairs", "length_baseline", "correctness_length_baseline", "style_length_baseline"],
  // baseline: the best constant next-token distribution's loss on the same tokens; split_size: the
  // sequences the data gives, of which n (the first) are scored
  lm_loss: ["loss", "baseline", "n", "split_size"],
};

/** Budget lines: `budget { time <= 10m  memory <= 4GiB }`. */
export const BUDGETS: Record<string, "s" | "B" | ""> = { time: "s", memory: "B", flops: "", tokens: "" };

export { quantity };
