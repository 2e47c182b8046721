// The plan diagnostic codes (AL4xxx), one table: code → what it means. Codes are stable: a code is
// never reused for another meaning. Each is raised before any compute, located at the property or
// block that causes it (src/plan/checks.ts, src/plan/lower.ts, src/plan/variants.ts).
export const PLAN_CODES = {
  AL4001: "reward model and policy use different tokenizers",
  AL4002: "reward model and policy use different chat formats",
  AL4003: "ptx_coef > 0 but no ptx_data to compute the pretraining/SFT term on",
  AL4004: "ptx_data is given but ptx_coef is 0: the data is never used",
  AL4005: "the longest formatted example does not fit the model context and no max_length (truncation) is declared",
  AL4006: "max_length is larger than the model context",
  AL4007: "peak memory estimate exceeds the machine's memory",
  AL4008: "peak memory estimate exceeds the wasm backend's 4 GiB heap",
  AL4009: "budget exceeded by the estimate",
  AL4010: "a file or folder the plan reads cannot be read",
  AL4011: "unknown variant name",
  AL4012: "budget cannot be checked: no estimate for it",
  AL4013: "data sizes could not be measured, estimates that need them are missing",
  AL4014: "evaluation judge and the models it compares use different tokenizers or chat formats",
  AL4015: "PPO: the longest prompt plus max_new_tokens does not fit the stage's window (the longest prompts lose their first tokens)",
  AL4016: "the time estimate is over 24 hours and the recipe declares no time budget",
  AL4017: "the time estimate is over the 30-day ceiling; a recipe that means it declares `budget { time <= … }` (or the command is given --no-budget)",
  AL4018: "PPO batch_size is not a multiple of samples_per_prompt (rollouts are grouped by prompt)",
  AL4019: "warmup is as long as the run or longer: the learning rate never reaches its peak",
  AL4020: "a stage's data has no training examples",
  AL4021: "PPO: advantages = \"rloo\" needs samples_per_prompt ≥ 2 (the baseline is the prompt's other samples)",
  AL4022: "PPO takes no accumulate: each step samples and trains on batch_size rollouts, so accumulate other than 1 changes nothing that runs",
  AL4023: "a model's weights file (`weights = safetensors(...)`) is not the network its block declares: another shape (layers, d_model, heads, context or the tokenizer's vocabulary), or not a safetensors model alignc can read",
  AL4024: "win_rate: best_of > 1 names no `select` to pick a's best sample, or `select` or `temperature` is given with best_of = 1 (a answers greedily: nothing to pick or sample)",
  AL4025: "win_rate, samples or ppo: max_new_tokens is as long as a generating model's context (PPO: its max_length) or longer: no room is left for the prompt (each would be cut to one token)",
  AL4026: "an eval or a draw prompts a model that never trained in a chat format, and the stages trained from it use different formats (name one: `base_format = …`); or `base_format` is given where every model read trained in its own",
  AL4027: "PPO's rollouts can be longer than its reward model's max_length: the reward model scores them cut, as its stage cut its training pairs",
  AL4028: "a stage sets a parameter another of its values leaves unread: PPO's vf_coef or gae_lambda with advantages = \"rloo\" (no value network, no GAE), min_lr_ratio with schedule = \"constant\" (no decay); it stays out of the stage's hash and changes nothing that runs",
  AL4029: "an expect line gates on a stage's held-out metric (val_loss, a reward model's or DPO's held-out accuracy) and the stage's data holds no examples out: the run would train every stage and end without the figure",
} as const;

export type PlanCode = keyof typeof PLAN_CODES;
