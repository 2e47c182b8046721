// Every block kind of the language and its properties, declared once, as JSON Schema (draft-07,
// checked with ajv in src/check/). This file is the contract between the checker, the data layer,
// the plan compiler and the training engine: a property exists iff it is declared here.
//
// Value shapes follow src/check/ir.ts: a reference is { $ref, member? }, a call { $call, args },
// a range { $range: [lo, hi] }, a quantity { $quantity, unit }. The custom keyword `refTo` lists
// which blocks a reference may point to ("stage:reward_model", "source:rankings" for a source with
// role rankings, "stage" for any stage); the checker enforces it (kind compatibility).
// `default` fills a property left out; `description` says why that default.
import {
  bool,
  bound,
  callSchema,
  dataCall,
  either,
  int,
  MAX_ACCUMULATE,
  MAX_BATCH,
  MAX_CONTEXT,
  MAX_EXAMPLES,
  MAX_LR,
  MAX_STEPS,
  num,
  oneOfStr,
  quantity,
  range,
  READERS,
  refSchema,
  str,
  type Schema,
} from "./kind-schemas.js";
import { ENCODINGS, truncate } from "./data-options.js";

export { ENCODINGS, TRUNCATE_DEFAULT, TRUNCATE_POLICIES } from "./data-options.js";

export { callSchema, READERS, refSchema };

// Hyperparameters shared by every training stage (nanoGPT/InstructGPT-scale defaults shrunk to CPU).
const training: Record<string, Schema> = {
  steps: int("optimizer steps; fixed counts (not time budgets) so runs reproduce", { minimum: 1, ...MAX_STEPS }),
  epochs: num("passes over the data, used when steps is not given", { exclusiveMinimum: 0, ...bound(10_000, "10,000 passes is far past overfitting any corpus") }),
  batch_size: int("sequences per micro-batch (an optimizer step sees batch_size × accumulate); 16 keeps a 0.4M-parameter model near wasm's matmul peak", { minimum: 1, ...MAX_BATCH, default: 16 }),
  accumulate: int("micro-batches of batch_size per optimizer step: large batches within wasm's 4 GiB heap", { minimum: 1, ...MAX_ACCUMULATE, default: 1 }),
  lr: num("peak learning rate", { exclusiveMinimum: 0, ...MAX_LR, default: 3e-4 }),
  warmup: int("linear warmup steps before the schedule (longer than the run: a plan warning)", { minimum: 0, ...MAX_STEPS, default: 0 }),
  schedule: oneOfStr(["cosine", "constant", "linear"], "decay after warmup", "cosine"),
  min_lr_ratio: num("floor of the decay as a share of lr", { minimum: 0, maximum: 1, default: 0.1 }),
  optimizer: oneOfStr(["adamw", "adam"], "AdamW decouples weight decay (Loshchilov & Hutter)", "adamw"),
  weight_decay: num("AdamW decay; 0.1 as in GPT-3", { minimum: 0, default: 0.1 }),
  grad_clip: num("global-norm clip; 1.0 as in GPT-3, 0 disables", { minimum: 0, default: 1.0 }),
  log_every: int("steps between metric lines", { minimum: 1, ...MAX_STEPS, default: 10 }),
  checkpoint_every: int("steps between checkpoints (Ctrl-C also checkpoints)", { minimum: 1, ...MAX_STEPS, default: 100 }),
  max_length: int("truncate examples to this many tokens; defaults to the model context", { minimum: 2, ...MAX_CONTEXT }),
  format: refSchema(["format"], "chat format for prompt/response examples"),
};

/** Clauses of a mixture component (`sentiment: proportional cap 3000`, `demos: weight 1.0`). */
export const COMPONENT_CLAUSES: Record<string, Schema> = {
  proportional: bool("examples-proportional mixing (FLAN): the component weighs as many examples as it has"),
  cap: int("at most this many examples from the component (FLAN's per-task cap keeps big tasks from dominating)", { minimum: 1 }),
  weight: num("fixed mixing weight of the component", { exclusiveMinimum: 0, ...bound(10_000, "a weight repeats each of the component's examples that many times: 10,000 copies is far past any mixing ratio") }),
};

const modelRef = refSchema(["model", "stage"], "model or stage whose weights start this stage");

export const KINDS: Record<string, Record<string, { args?: Schema; roles?: string[]; props: Record<string, Schema>; required?: string[] }>> = {
  tokenizer: {
    byte_level: { props: {} },
    bpe: {
      props: {
        corpus: either("text it is trained on", dataCall("corpus file"), refSchema(["source:text", "source:records"], "text source")),
        vocab_size: int("merges + 256 bytes + specials", { minimum: 260, default: 512 }),
      },
      required: ["corpus"],
    },
    gpt2: { props: {} }, // GPT-2's BPE (50,257 tokens) from the gpt-tokenizer package, for GPT-2 checkpoints
  },
  model: {
    gpt: {
      props: {
        tokenizer: refSchema(["tokenizer"], "tokenizer whose vocabulary sizes the embedding"),
        layers: int("transformer blocks; 2 fits the 10-minute quickstart on 2 cores", { minimum: 1, default: 2 }),
        d_model: int("residual width; 128 keeps wasm matmuls efficient", { minimum: 1, default: 128 }),
        heads: int("attention heads; d_model must divide by it", { minimum: 1, default: 4 }),
        context: int("maximum sequence length in tokens", { minimum: 2, ...MAX_CONTEXT, default: 64 }),
        dropout: num("0: tiny models on tiny data underfit before they overfit", { minimum: 0, maximum: 1, default: 0 }),
        init_std: num("normal init std (GPT-2)", { exclusiveMinimum: 0, default: 0.02 }),
        weights: callSchema(["safetensors"], "start from a safetensors checkpoint (alignc's or GPT-2's layout)"),
        hf: str("Hugging Face model id or local directory that `alignc export` starts from"),
      },
      required: ["tokenizer"],
    },
  },
  source: {
    ...Object.fromEntries(
      READERS.map((reader) => [
        reader,
        {
          args: { type: "array", minItems: 1, maxItems: 1, items: { type: "string" }, description: "path, relative to the recipe" },
          roles: ["demonstrations", "rankings", "pairs", "text", "records", "candidates"],
          props: {
            // field mappings: Handlebars over the row's fields
            prompt: str("prompt template over the row, e.g. \"{{instruction}}\""),
            response: str("response template (demonstrations)"),
            context: str("optional context template appended to the prompt (Dolly `context`, Alpaca `input`)"),
            system: str("system message for chat formats"),
            shape: oneOfStr(["auto", "dolly", "alpaca", "oasst", "hh", "plain"], "row layout; auto detects from the fields", "auto"),
            field: str("text field of a text/records source", { default: "text" }),
            responses: str("field holding the K responses (rankings)", { default: "responses" }),
            ranking: str("field holding the ranking: rank list, \"D > G > A = B\", or scores", { default: "ranking" }),
            chosen: str("field of the preferred response (pairs)", { default: "chosen" }),
            rejected: str("field of the dispreferred response (pairs)", { default: "rejected" }),
            k: range("allowed number of ranked responses per prompt (InstructGPT: 4..9)"),
            k_outside: oneOfStr(["fail", "skip"], "rows whose K is outside `k`: fail names them; skip leaves them out, counted in `data --stats` (default, when left out: fail — a K the recipe did not expect is a surprise)"),
            on_error: oneOfStr(["fail", "skip"], "a row that cannot be used (bad JSON, missing field, empty response, transcripts that do not split): fail reports every one (clipped, capped with a count); skip leaves them out and `data --stats` shows how many and why (default, when left out: fail — a file is not silently smaller than it looks)"),
            // no `default`: a source that leaves it out keeps its plan hash; left out means UTF-8
            encoding: oneOfStr([...ENCODINGS], "the file's text encoding (default, when left out: utf-8, and any other byte is an error naming its offset — never a silent U+FFFD)"),
            categories: { type: "array", items: { type: "string" }, description: "keep only these categories (Dolly)" },
            holdout: num("share of prompts kept out of training for evaluation", { minimum: 0, maximum: 0.9, default: 0 }),
            limit: int("read at most this many rows", { minimum: 1 }),
            // candidate sets for `alignc label` (role candidates only, src/label/): one {prompt, responses: [K strings]} per row.
            // No schema `default` here: a default would be filled into every source and change every plan hash;
            // CANDIDATE_DEFAULTS below holds them, and candidates sources are not plan nodes.
            labels: refSchema(["source:rankings"], "candidates: the rankings source whose file `alignc label` appends the labels to (so it reads them as they are)"),
            guidelines: str("candidates: the labeling instructions shown beside every prompt (default: none)"),
            overlap: num("candidates: share of candidate sets shown to two labelers, for inter-labeler agreement (default 0.1)", { minimum: 0, maximum: 1 }),
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
        items: refSchema(["stage:sft", "stage:ppo", "stage:dpo", "stage:pretrain"], "the trained stage whose responses are drawn (an SFT stage, as InstructGPT's labelers ranked SFT samples)"),
        description: "the stage sampled",
      },
      roles: ["candidates"],
      props: {
        prompts: either("prompts the responses answer", refSchema(["source", "task", "mixture"], "prompt source (`prefs.prompts`)"), callSchema(["heldout", "train"], "split")),
        k: int("responses drawn per prompt: InstructGPT's labelers ranked 4 to 9; 4 keeps a labeling minute per prompt", { minimum: 2, maximum: 26, default: 4 }),
        n: int("prompts sampled: the first n of `prompts` (its training share, in the data layer's order); 50 is an hour or so of labeling", { minimum: 1, ...bound(100_000, "every prompt is K generations and a labeler's minute"), default: 50 }),
        temperature: num("sampling temperature: 1 draws from the stage's own distribution, so the K responses differ as the policy's would", { exclusiveMinimum: 0, default: 1 }),
        top_k: int("sampling top-k, 0 = off", { minimum: 0, default: 0 }),
        max_new_tokens: int("response length cap (at most the model's context)", { minimum: 1, ...MAX_CONTEXT, default: 24 }),
        labels: refSchema(["source:rankings"], "the rankings source whose file `alignc label` appends the labels to (so it reads them as they are)"),
        guidelines: str("the labeling instructions shown beside every prompt (default: none)"),
        overlap: num("share of candidate sets shown to two labelers, for inter-labeler agreement (default 0.1)", { minimum: 0, maximum: 1 }),
      },
      required: ["prompts"],
    },
  },
  task: {
    flan: {
      props: {
        data: either("task rows", dataCall("task rows"), refSchema(["source"], "task rows")),
        templates: either(
          "instruction templates: a folder of .hbs files, FLAN's Python patterns or a promptsource templates.yaml",
          callSchema(["dir", "flan_templates", "promptsource"], "template reader"),
        ),
        // fields = { answer = { from = "label"  map = { entailment = "yes"  not_entailment = "no" } }  text = "{{passage}}" }
        fields: {
          type: "object",
          additionalProperties: either(
            "a derived field",
            str("Handlebars template over the row (`\"{{passage}}\"`, `\"{{#if answer}}yes{{else}}no{{/if}}\"`)"),
            {
              type: "object",
              required: ["from", "map"],
              properties: {
                from: str("field whose value is looked up"),
                map: either(
                  "value → text",
                  { type: "object", additionalProperties: either("text, or an integer (promptsource's label indexes answer_choices)", { type: "string" }, { type: "integer" }), description: "by the value's text" },
                  { type: "array", items: { type: "string" }, description: "by integer value (0, 1, …)" },
                ),
              },
              additionalProperties: false,
              description: "a value looked up in a table",
            },
          ),
          description: "fields derived from each row before templates render: the task's data in its own field names and labels (RTE's `label` → FLAN's `answer`)",
        },
        options: either("answer options shown as FLAN's OPTIONS list", { type: "array", items: { type: "string" } }, str("field holding the options")),
        shots: range("k-shot exemplars per example, drawn from the training split, never the query", { default: { $range: [0, 0] } }),
        invert: num("share of examples rendered input-inverted (given the target, produce the input)", { minimum: 0, maximum: 1, default: 0 }),
        holdout_templates: int("templates kept out of training for zero-shot eval", { minimum: 0, default: 0 }),
        train_templates: int("train on only the first N (by id) of the templates left after holdout_templates: FLAN's instruction-diversity ablation (1 vs all) with the same held-out templates; default all", { minimum: 1 }),
        holdout: num("share of rows kept out of training", { minimum: 0, maximum: 0.9, default: 0.1 }),
        // FLAN's format_options fills every {options_}: a FLAN-pattern task whose recipe leaves with_options out
        // shows them always (withOptionsFor in src/data/flan/render.ts); promptsource templates show only their own text
        // on_error / k_outside: no `default` filled in, so that recipes that leave them out keep their
        // content identities (the seeds of their examples); left out means "fail" (onErrorOf, src/data/build.ts)
        on_error: oneOfStr(["fail", "skip"], "a row that cannot be used (bad JSON, missing field, no map entry, empty target): fail reports every one; skip leaves it out, counted in `data --stats` (default, when left out: fail — no silent loss)"),
        with_options: num("share of examples that show the options (.hbs folders, or FLAN patterns when written; FLAN patterns otherwise always, as FLAN)", {
          minimum: 0,
          maximum: 1,
          default: 0.5,
        }),
        target_field: str("FLAN patterns: the task's target field (default: the field most patterns produce, e.g. answer, summary, sent2); decides which templates are inverted"),
        limit: int("read at most this many rows", { minimum: 1 }),
      },
      required: ["data", "templates"],
    },
  },
  mixture: {
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
        min_length: int("LIMA-style selection: drop responses shorter than this many characters", { minimum: 0 }),
        max_length: int("drop responses longer than this many characters", { minimum: 1 }),
        per_category: int("LIMA-style quota of examples per category", { minimum: 1 }),
      },
    },
  },
  format: {
    chat_template: {
      args: { type: "array", minItems: 1, maxItems: 1, items: { type: "string" }, description: "Handlebars file in templates/chat/" },
      props: { system: str("system message", { default: "" }) },
    },
    hf_chat_template: {
      args: { type: "array", minItems: 1, maxItems: 1, items: { type: "string" }, description: "a Hugging Face tokenizer_config.json" },
      props: { system: str("system message", { default: "" }) },
    },
  },
  stage: {
    pretrain: {
      props: {
        ...training,
        init: refSchema(["model", "stage:pretrain"], "model to train from scratch, or a pretrain stage to continue"),
        data: either("text corpus", dataCall("corpus"), refSchema(["source:text"], "text source")),
        holdout: num("share of the corpus kept for validation loss", { minimum: 0, maximum: 0.5, default: 0.05 }),
      },
      required: ["init", "data", "steps"],
    },
    sft: {
      props: {
        ...training,
        init: modelRef,
        data: refSchema(["mixture", "task", "source:demonstrations"], "prompt/response examples"),
        loss_on: oneOfStr(["response", "all"], "InstructGPT/LIMA: next-token loss on response tokens only", "response"),
        truncate,
        lr: num("peak learning rate", { exclusiveMinimum: 0, ...MAX_LR, default: 1e-4 }),
      },
      required: ["init", "data"],
    },
    reward_model: {
      props: {
        ...training,
        init: refSchema(["stage:sft", "stage:pretrain"], "SFT network whose LM head is replaced by a scalar head"),
        data: refSchema(["source:rankings", "source:pairs"], "comparisons"),
        pairs: oneOfStr(["all", "adjacent"], "all C(K,2) pairs of a prompt in one batch, as InstructGPT", "all"),
        truncate,
        lr: num("peak learning rate", { exclusiveMinimum: 0, ...MAX_LR, default: 1e-4 }),
        batch_size: int("prompts (each with K responses) per micro-batch; a step sees batch_size × accumulate prompts", { minimum: 1, ...MAX_BATCH, default: 4 }),
      },
      required: ["init", "data"],
    },
    ppo: {
      props: {
        ...training,
        init: refSchema(["stage:sft"], "policy and reference start from SFT"),
        reward: either(
          "what scores the rollouts",
          refSchema(["stage:reward_model"], "a trained reward model (InstructGPT)"),
          oneOfStr(["rule"], "the rule the demo rankings follow, as the reward: a control that shows what PPO can reach when the reward is exact (prompts need reference answers)"),
        ),
        prompts: either("prompts to roll out", refSchema(["source", "task", "mixture"], "prompt source (`prefs.prompts`)"), callSchema(["heldout", "train"], "split")),
        kl_coef: num("β of the per-token KL penalty against SFT (InstructGPT: 0.02; ≥ 0.1 against reward hacking on tiny RMs)", { minimum: 0, default: 0.1 }),
        ptx_coef: num("γ: weight of the pretraining/SFT log-likelihood (InstructGPT: 27.8)", { minimum: 0, default: 0 }),
        ptx_data: either("ptx examples", refSchema(["mixture", "task", "source"], "ptx data"), dataCall("ptx corpus")),
        clip: num("PPO ratio clip ε", { exclusiveMinimum: 0, maximum: 1, default: 0.2 }),
        vf_coef: num("value-loss weight", { minimum: 0, default: 0.1 }),
        gae_lambda: num("GAE λ", { minimum: 0, maximum: 1, default: 0.95 }),
        discount: num("GAE discount (not the ptx γ)", { minimum: 0, maximum: 1, default: 1 }),
        ppo_epochs: int("optimisation passes per rollout batch", { minimum: 1, ...bound(100, "more than 100 passes over one rollout batch only overfits it"), default: 2 }),
        samples_per_prompt: int("responses sampled per prompt; above 1 each score is taken relative to the prompt's other responses (leave-one-out baseline); batch_size must be a multiple of it", { minimum: 1, ...bound(1024, "RLOO/GRPO use 4–64 samples per prompt; each is a full generation"), default: 1 }),
        advantages: oneOfStr(
          ["gae", "rloo"],
          "gae: a value network (initialised from the reward model) and GAE, as InstructGPT; rloo: no value network, each token's advantage is the KL-penalised reward-to-go of its response's leave-one-out score (needs samples_per_prompt > 1). gae stays the default for InstructGPT fidelity; on the quickstart the RM-initialised value network scatters (loss 14-16 at step 1) and rloo beat it (issue 12)",
          "gae",
        ),
        advantage_scale: oneOfStr(
          ["whiten", "rms"],
          "whiten: subtract the batch mean and divide by the std (PPO's usual); rms: divide by the root mean square (floored at 0.1) without re-centring, so a batch where every sample did well keeps positive advantages and a batch of ties stays near zero instead of being blown up to unit variance",
          "whiten",
        ),
        max_new_tokens: int("sampled response length cap (at most a model context)", { minimum: 1, ...MAX_CONTEXT, default: 24 }),
        temperature: num("rollout sampling temperature", { exclusiveMinimum: 0, default: 1 }),
        top_k: int("rollout top-k, 0 = off", { minimum: 0, default: 0 }),
        kl_budget: num("stop PPO when the mean KL per sequence exceeds this many nats", { exclusiveMinimum: 0 }),
        lr: num("peak learning rate", { exclusiveMinimum: 0, ...MAX_LR, default: 1e-5 }),
        batch_size: int("rollouts per PPO step (accumulate does not apply to PPO)", { minimum: 1, ...MAX_BATCH, default: 16 }),
      },
      required: ["init", "reward", "prompts", "steps"],
    },
    dpo: {
      props: {
        ...training,
        init: refSchema(["stage:sft"], "policy and frozen reference start from SFT"),
        data: refSchema(["source:rankings", "source:pairs"], "preference pairs"),
        beta: num("DPO β: strength of the implicit KL constraint", { exclusiveMinimum: 0, default: 0.1 }),
        truncate,
        lr: num("peak learning rate", { exclusiveMinimum: 0, ...MAX_LR, default: 1e-5 }),
      },
      required: ["init", "data"],
    },
  },
  eval: {
    win_rate: {
      props: {
        a: refSchema(["stage"], "candidate"),
        b: refSchema(["stage"], "baseline"),
        judge: either("reward model stage, or a rule", refSchema(["stage:reward_model"], "RM judge"), oneOfStr(["rule"], "the rule the demo rankings follow")),
        prompts: either("evaluation prompts", refSchema(["source", "task"], "prompts"), callSchema(["heldout", "train"], "split")),
        n: int("prompts evaluated (≥ 300 for ±0.05)", { minimum: 1, default: 300 }),
        max_new_tokens: int("response length cap", { minimum: 1, default: 24 }),
      },
      required: ["a", "b", "judge", "prompts"],
    },
    accuracy: {
      props: {
        model: refSchema(["stage", "model"], "model evaluated"),
        task: refSchema(["task", "mixture"], "task(s) whose held-out templates and rows are scored by exact match"),
        split: oneOfStr(
          ["heldout_templates", "heldout", "heldout_tasks", "train"],
          "which examples: templates kept out, rows kept out, a mixture's held-out tasks (zero-shot on all their templates), or training",
          "heldout_templates",
        ),
        n: int("examples evaluated", { minimum: 1, default: 300 }),
      },
      required: ["model", "task"],
    },
    rm_accuracy: {
      props: {
        model: refSchema(["stage:reward_model"], "reward model"),
        data: either("comparisons", refSchema(["source:rankings", "source:pairs"], "comparisons"), callSchema(["heldout"], "held-out split")),
      },
      required: ["model", "data"],
    },
    lm_loss: {
      props: {
        model: refSchema(["stage", "model"], "model evaluated"),
        // comparisons (rankings, pairs) have no single target text to score
        data: either(
          "held-out text or examples",
          refSchema(["source:text", "source:records", "source:demonstrations", "task", "mixture"], "data"),
          dataCall("corpus"),
          callSchema(["heldout"], "held-out split (heldout(pre): the text a pretrain stage kept out of its corpus)"),
        ),
      },
      required: ["model", "data"],
    },
  },
};

/** Properties only a `candidates` source takes (the checker rejects them on other roles). */
export const CANDIDATE_PROPS = ["labels", "guidelines", "overlap"] as const;

/** Defaults of the candidates properties, filled by `alignc label` (src/label/recipe.ts), not by the checker.
 * overlap 0.1: InstructGPT measured agreement on a shared subset; a tenth more labels buys that measure. */
export const CANDIDATE_DEFAULTS = { guidelines: "", overlap: 0.1 } as const;

/** Properties of the `recipe` header. */
export const HEADER_PROPS: Record<string, Schema> = {
  seed: int("seeds data order, sampling and initialisation", { default: 0 }),
  description: str("free text shown by `alignc plan`"),
  backend: oneOfStr(["auto", "tensorflow", "wasm", "cpu"], "training backend", "auto"),
};

/** Metrics each stage/eval kind provides to `expect` (`rm.accuracy`). */
export const METRICS: Record<string, string[]> = {
  pretrain: ["loss", "val_loss"],
  sft: ["loss", "val_loss"],
  reward_model: ["loss", "accuracy"],
  // rule_score: rollouts scored by the demo rule (when prompts have reference answers); greedy_*: a probe of PPO's own prompts
  ppo: ["reward", "kl", "loss", "clip_fraction", "entropy", "value_loss", "rule_score", "greedy_rm_score", "greedy_rm_score_before", "greedy_rule_score", "greedy_rule_score_before"],
  dpo: ["loss", "accuracy", "margin"],
  // wins/ties/losses/n: the counts behind win_rate (ties ½); p_value: two-sided exact sign test on
  // the decisive pairs (src/run/evaluation/stats.ts). score_*: with a reward-model judge only (the rule judge has no scores)
  win_rate: ["win_rate", "ci_low", "ci_high", "wins", "ties", "losses", "n", "p_value", "score_a", "score_b", "score_gain", "score_gain_ci_low", "score_gain_ci_high"],
  // baseline: the best constant answer's accuracy on the same examples; per task also
  // accuracy/<task>, baseline/<task>, n/<task> (reported, not nameable in expect)
  accuracy: ["accuracy", "baseline", "n"],
  // accuracy weights groups as RM training does; correctness_*: the pairs whose responses differ in
  // correctness by the rule judge (src/run/evaluation/eval-metrics.ts)
  rm_accuracy: ["accuracy", "pooled_accuracy", "pairs", "groups", "correctness_accuracy", "correctness_pairs"],
  lm_loss: ["loss", "n"],
};

/** Budget lines: `budget { time <= 10m  memory <= 4GiB }`. */
export const BUDGETS: Record<string, "s" | "B" | ""> = { time: "s", memory: "B", flops: "", tokens: "" };

export { quantity };
