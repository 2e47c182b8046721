// Stage kinds: training stages, with the hyperparameters every stage shares.
// One keyword of the kinds table (src/check/kinds.ts, which says what a schema here means).
import { bool, bound, callSchema, dataCall, either, int, type KindSpec, LM_DATA, MAX_ACCUMULATE, MAX_BATCH, MAX_CONTEXT, MAX_LR, MAX_STEPS, num, oneOfStr, refSchema, type Schema } from "../kind-schemas.js";
import { truncate } from "../data-options.js";
import { LENGTH_WINDOW_BATCHES } from "../../train/config.js";

// Hyperparameters shared by every training stage (nanoGPT/InstructGPT-scale defaults shrunk to CPU).
const training: Record<string, Schema> = {
  steps: int("optimizer steps; fixed counts (not time budgets) so runs reproduce", { minimum: 1, ...MAX_STEPS }),
  epochs: num("passes over the data, used when steps is not given (one of the two is required; no schema default, since a filled epochs would enter every stage's hash)", { exclusiveMinimum: 0, ...bound(10_000, "10,000 passes is far past overfitting any corpus") }),
  batch_size: int("sequences per micro-batch (an optimizer step sees batch_size × accumulate); 16 keeps a 0.4M-parameter model near wasm's matmul peak", { minimum: 1, ...MAX_BATCH, default: 16 }),
  accumulate: int("micro-batches of batch_size per optimizer step: large batches within wasm's 4 GiB heap", { minimum: 1, ...MAX_ACCUMULATE, default: 1 }),
  parallel_shares: int(
    "fixed contiguous shares every micro-batch (and PPO's rollout batch) is computed in, their gradients added in share order, so the figures are the same for any --workers (which only spreads the shares over threads); 2: this project's 2-core machine, so both cores work; a machine with more cores goes faster with more (a new hash: other float32 sums), 1: the fastest single thread",
    { minimum: 1, ...MAX_BATCH, default: 2 },
  ),
  lr: num("peak learning rate", { exclusiveMinimum: 0, ...MAX_LR, default: 3e-4 }),
  warmup: int("linear warmup steps before the schedule (longer than the run: a plan warning)", { minimum: 0, ...MAX_STEPS, default: 0 }),
  schedule: oneOfStr(["cosine", "constant", "linear"], "decay after warmup", "cosine"),
  min_lr_ratio: num("floor of the decay as a share of lr", { minimum: 0, maximum: 1, default: 0.1 }),
  optimizer: oneOfStr(["adamw", "adam"], "AdamW decouples weight decay (Loshchilov & Hutter)", "adamw"),
  weight_decay: num("AdamW decay; 0.1 as in GPT-3", { minimum: 0, ...bound(10, "decoupled decay shrinks every weight by lr × weight_decay per step; above 10 it is not a regulariser at any learning rate used here"), default: 0.1 }),
  grad_clip: num("global-norm clip; 1.0 as in GPT-3, 0 disables", { minimum: 0, default: 1.0 }),
  log_every: int("steps between metric lines (not hashed: a cached stage keeps the metric rows of the run that computed it)", { minimum: 1, ...MAX_STEPS, default: 10 }),
  checkpoint_every: int("steps between checkpoints (Ctrl-C also checkpoints; not hashed: checkpoints change no weight)", { minimum: 1, ...MAX_STEPS, default: 100 }),
  max_length: int("truncate examples to this many tokens; defaults to the model context", { minimum: 2, ...MAX_CONTEXT }),
  format: refSchema(["format"], "chat format for prompt/response examples; left out: the format its init stage trained in (raw text from a model block or an unformatted stage)"),
};

const modelRef = refSchema(["model", "stage"], "model or stage whose weights start this stage");
/** Blocks a language-model loss reads (ptx): comparisons are not (the run stopped on them, exit 70, after check and plan passed). */

// Pretraining reads text, never prompt/response examples, so a chat format is nothing it could train
// in: taken, it was hashed into the stage (a new template re-trained pretraining) and read by the
// stages and evals after it as the format the network had learned, which it had not
const { format: _notForText, ...textTraining } = training;

export const STAGE_KINDS: Record<string, KindSpec> = {
  pretrain: {
    props: {
      ...textTraining,
      init: refSchema(["model", "stage:pretrain"], "model to train from scratch, or a pretrain stage to continue"),
      data: either("text corpus", dataCall("corpus"), refSchema(["source:text"], "text source")),
      holdout: num("share of the corpus's distinct lines kept for validation loss, each with every copy (src/data/split.ts)", { minimum: 0, maximum: 0.5, default: 0.05 }),
    },
    required: ["init", "data", "steps"],
  },
  sft: {
    props: {
      ...training,
      init: modelRef,
      data: refSchema(["mixture", "task", "source:demonstrations"], "prompt/response examples"),
      loss_on: oneOfStr(["response", "all"], "InstructGPT/LIMA: next-token loss on response tokens only", "response"),
      group_by_length: bool(
        `batches of similar lengths, so less of each batch is padding (Hugging Face's group_by_length): each window of ${LENGTH_WINDOW_BATCHES} batches of the epoch's random order is sorted by length and cut into batches, which are then shuffled; false (Hugging Face's default): random batches, whose make-up does not follow length (on the byte-level quickstart its SFT ended with a higher held-out loss in the same steps, and PPO no longer beat it by the rule: docs/measurements.md)`,
        { default: false },
      ),
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
      kl_coef: num("β of the per-token KL penalty against SFT (InstructGPT: 0.02; ≥ 0.1 against reward hacking on tiny RMs)", { minimum: 0, ...bound(1000, "β past 1,000 lets the KL penalty alone decide every reward (InstructGPT: 0.02), and a huge one overflows the loss"), default: 0.1 }),
      ptx_coef: num("γ: weight of the pretraining/SFT log-likelihood (InstructGPT: 27.8)", { minimum: 0, ...bound(10_000, "γ past 10,000 is hundreds of times InstructGPT's 27.8, and a huge one overflows the loss"), default: 0 }),
      ptx_data: either("ptx examples: an LM loss on their response tokens (a corpus: every token), a long prompt cut first, whatever the stage that trained on them declared", refSchema(LM_DATA, "ptx data (language-model data: not comparisons)"), dataCall("ptx corpus"), callSchema(["train"], "a pretrain stage's training text (`train(pre)`: InstructGPT's pretraining mix, without the share heldout(pre) measures) or a data block's training share", { pretrainSplit: true, splitOf: LM_DATA })),
      clip: num("PPO ratio clip ε", { exclusiveMinimum: 0, maximum: 1, default: 0.2 }),
      vf_coef: num("value-loss weight", { minimum: 0, ...bound(10_000, "a value-loss weight past 10,000 drowns the policy's loss, and a huge one overflows it"), default: 0.1 }),
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
      temperature: num("rollout sampling temperature (at least 0.01: it divides the logits, and a tiny one overflows them to NaN)", { minimum: 0.01, default: 1 }),
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
      beta: num("DPO β: strength of the implicit KL constraint", { exclusiveMinimum: 0, ...bound(1000, "β past 1,000 is ten thousand times DPO's usual 0.1, and a huge one overflows the loss"), default: 0.1 }),
      truncate,
      lr: num("peak learning rate", { exclusiveMinimum: 0, ...MAX_LR, default: 1e-5 }),
      batch_size: int("preference pairs per micro-batch (each a chosen and a rejected sequence; every pair of a ranking is one), as TRL's DPO batches them; `epochs` are passes over the pairs", { minimum: 1, ...MAX_BATCH, default: 16 }),
    },
    required: ["init", "data"],
  },
};
