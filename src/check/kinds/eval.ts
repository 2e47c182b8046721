// Eval kinds: what an evaluation measures and on which examples.
// One keyword of the kinds table (src/check/kinds.ts, which says what a schema here means).
import { BASE_FORMAT, callSchema, dataCall, either, int, LM_DATA, LM_STAGES, MAX_CONTEXT, num, oneOfStr, refSchema, type KindSpec } from "../kind-schemas.js";

export const EVAL_KINDS: Record<string, KindSpec> = {
  win_rate: {
    props: {
      a: refSchema(LM_STAGES, "candidate (a stage with an LM head: not a reward model)"),
      b: refSchema(LM_STAGES, "baseline (a stage with an LM head: not a reward model)"),
      judge: either("reward model stage, or a rule", refSchema(["stage:reward_model"], "RM judge"), oneOfStr(["rule"], "the rule the demo rankings follow")),
      prompts: either("evaluation prompts", refSchema(["source", "task"], "prompts"), callSchema(["heldout", "train"], "split")),
      n: int("prompts evaluated (≥ 300 for ±0.05)", { minimum: 1, default: 300 }),
      max_new_tokens: int("response length cap (at most the model's context)", { minimum: 1, ...MAX_CONTEXT, default: 24 }),
      // best-of-n (Stiennon et al. 2020; Gao et al. 2022): what a policy reaches by sampling alone,
      // with no RL: picked by the reward model, a baseline PPO must beat; picked by the rule, the
      // ceiling of sharpening the model's own distribution (the rule sees the reference answer)
      best_of: int("a answers with the best of this many of its samples, picked by `select` (1: its greedy answer)", {
        minimum: 1,
        maximum: 256,
        maxReason: "each prompt's samples are scored together: past 256 a best-of-n eval is a training run",
        default: 1,
      }),
      select: either("what picks a's best sample when best_of > 1", refSchema(["stage:reward_model"], "reward model"), oneOfStr(["rule"], "the rule the demo rankings follow (it reads the reference answer: an oracle)")),
      temperature: num("sampling temperature of a's best_of samples: 1 draws from the model's own distribution (at least 0.01: it divides the logits, and a tiny one overflows them to NaN)", { minimum: 0.01, default: 1 }),
      base_format: BASE_FORMAT,
    },
    required: ["a", "b", "judge", "prompts"],
  },
  accuracy: {
    props: {
      model: refSchema([...LM_STAGES, "model"], "model evaluated (a reward model has no LM head: rm_accuracy evaluates it)"),
      task: refSchema(["task", "mixture"], "task(s) whose held-out templates and rows are scored by exact match"),
      split: oneOfStr(
        ["heldout_templates", "heldout", "heldout_tasks", "train"],
        "which examples: templates kept out, rows kept out, a mixture's held-out tasks (zero-shot on all their templates), or training",
        "heldout_templates",
      ),
      n: int("examples evaluated", { minimum: 1, default: 300 }),
      // a comparison of two models on one split is paired, or it is two numbers side by side: FLAN's
      // "more templates transfer better" is `after` against `after_one` on the same examples
      versus: refSchema([...LM_STAGES, "model"], "a second model answering the same examples greedily, each in its own chat format: the paired comparison (versus_wins: examples only `model` gets right, versus_losses: only `versus`, versus_p_value: exact sign test over distinct examples)"),
      base_format: BASE_FORMAT,
    },
    required: ["model", "task"],
  },
  rm_accuracy: {
    props: {
      model: refSchema(["stage:reward_model"], "reward model"),
      data: either("comparisons", refSchema(["source:rankings", "source:pairs"], "comparisons"), callSchema(["heldout"], "held-out split", { splitOf: ["source:rankings", "source:pairs"] })),
    },
    required: ["model", "data"],
  },
  lm_loss: {
    props: {
      model: refSchema([...LM_STAGES, "model"], "model evaluated (a reward model has no LM head: rm_accuracy evaluates it)"),
      // comparisons (rankings, pairs) have no single target text to score
      data: either(
        "held-out text or examples",
        refSchema(LM_DATA, "data"),
        dataCall("corpus"),
        callSchema(["heldout"], "held-out split (heldout(pre): the text a pretrain stage kept out of its corpus)", { pretrainSplit: true, splitOf: LM_DATA }),
      ),
      // a cap, not a sample: the first n in the split's order, so every model scored on the same data
      // reads the same sequences (lm_sft against lm_pre); the plan's estimate counts the same n
      n: int("sequences scored: the first n examples (or context windows of text) of the split", { minimum: 1, default: 1000 }),
      base_format: BASE_FORMAT,
    },
    required: ["model", "data"],
  },
};
