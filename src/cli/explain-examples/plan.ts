// Examples of the plan codes (AL4xxx, src/plan/codes.ts): each recipe checks clean, and `alignc plan`
// (which measures its data and estimates its cost before any compute) rejects or warns about it.
import { DATA, FILES, STAGES } from "./fixtures.js";
import { type CodeExample } from "./types.js";

const PPO = (props: string): string => `stage policy = ppo { init = sft  reward = rm  prompts = prefs.prompts  steps = 10${props} }\n`;
const GPT2 = `tokenizer gpt2tok = gpt2 {}
model m2 = gpt { tokenizer = gpt2tok  layers = 1  d_model = 16  heads = 2  context = 64 }
stage sft2 = sft { init = m2  data = demos  steps = 10 }
`;
const CHAT = { ...FILES, "chat.hbs": "User: {{prompt}}\nAssistant: {{response}}\n" };
/** The pipeline's model, grown until its estimate needs more memory than a machine (or wasm) has. */
const sized = (model: string, backend: string): string =>
  `${STAGES.replace("recipe r { seed = 1 }", `recipe r { seed = 1  backend = "${backend}" }`).replace("layers = 1  d_model = 16  heads = 2  context = 64", model)}`;

/** A 25M-parameter model trained for `steps` on the wasm backend: a time estimate of days (AL4016/AL4017). */
const bigOnWasm = (steps: number): string =>
  STAGES.replace("recipe r { seed = 1 }", 'recipe r { seed = 1  backend = "wasm" }').replace("layers = 1  d_model = 16  heads = 2", "layers = 8  d_model = 512  heads = 8").replace("data = demos  steps = 10", `data = demos  steps = ${steps}`);

/** Two SFT stages from one base model, each in its own chat format (AL4026). */
const TWO_FORMATS = `${DATA}format chat = chat_template("chat.hbs")
format chatml = chat_template("chatml.hbs")
stage sft = sft { init = m  data = demos  format = chat  steps = 10 }
stage sft_ml = sft { init = m  data = demos  format = chatml  steps = 10 }
source held = jsonl("held.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
`;

export const PLAN_EXAMPLES: Record<string, CodeExample> = {
  AL4001: {
    bad: `${DATA}${GPT2}stage sft = sft { init = m  data = demos  steps = 10 }\nstage rm = reward_model { init = sft2  data = prefs  steps = 10 }\n${PPO("")}`,
    fix: `${DATA}${GPT2}stage sft = sft { init = m  data = demos  steps = 10 }\nstage rm = reward_model { init = sft  data = prefs  steps = 10 }\n${PPO("")}`,
    how: "train the reward model from a stage of the policy's model (the same tokenizer reads both)",
    command: "plan",
    files: FILES,
  },
  AL4002: {
    bad: `${STAGES.replace("data = prefs  steps = 10", "data = prefs  format = chat  steps = 10")}format chat = chat_template("chat.hbs")\n${PPO("")}`,
    fix: `${STAGES.replace("data = prefs  steps = 10", "data = prefs  format = chat  steps = 10")}format chat = chat_template("chat.hbs")\n${PPO("  format = chat")}`,
    how: "sample the policy in the chat format its reward model was trained on",
    command: "plan",
    files: CHAT,
  },
  AL4003: {
    bad: `${STAGES}${PPO("  ptx_coef = 1")}`,
    fix: `${STAGES}${PPO("  ptx_coef = 1  ptx_data = demos")}`,
    how: "give the ptx term its data (`ptx_data = <mixture, source or corpus>`), or set ptx_coef = 0",
    command: "plan",
    files: FILES,
  },
  AL4004: {
    bad: `${STAGES}${PPO("  ptx_data = demos")}`,
    fix: `${STAGES}${PPO("  ptx_coef = 1  ptx_data = demos")}`,
    how: "set ptx_coef > 0 to use the data (InstructGPT: 27.8), or remove ptx_data",
    command: "plan",
    files: FILES,
  },
  AL4005: {
    bad: STAGES.replace("context = 64", "context = 12"),
    fix: STAGES.replace("context = 64", "context = 12").replace("data = demos  steps = 10", "data = demos  steps = 10  max_length = 12").replace("data = prefs  steps = 10", "data = prefs  steps = 10  max_length = 12"),
    how: "declare `max_length` (examples are truncated to it, `alignc data --stats` counts what is cut) or raise the model's context",
    // `check` counts the examples over the context too (contextOverflows) and says so first
    files: FILES,
  },
  AL4006: {
    bad: STAGES.replace("data = demos  steps = 10", "data = demos  steps = 10  max_length = 128"),
    fix: STAGES.replace("data = demos  steps = 10", "data = demos  steps = 10  max_length = 64"),
    how: "keep max_length at or below the model's context",
    command: "plan",
    files: FILES,
  },
  AL4007: {
    bad: sized("layers = 48  d_model = 8192  heads = 64  context = 64", "tensorflow"),
    fix: sized("layers = 1  d_model = 16  heads = 2  context = 64", "tensorflow"),
    how: "make the model (or batch_size, with accumulate to keep the step's size) small enough for this machine",
    command: "plan",
    files: FILES,
  },
  AL4008: {
    bad: sized("layers = 24  d_model = 1152  heads = 8  context = 64", "wasm"),
    fix: sized("layers = 24  d_model = 1152  heads = 8  context = 64", "tensorflow"),
    how: "run on `backend = \"tensorflow\"` (no 4 GiB heap), or make the model smaller; for activations, lower batch_size and raise accumulate",
    command: "plan",
    files: FILES,
  },
  AL4009: {
    bad: `${STAGES}budget { tokens <= 1k }\n`,
    fix: `${STAGES}budget { tokens <= 10k }\n`,
    how: "lower the steps (or the sizes) until the estimate fits, or raise the budget if it was set too low",
    command: "plan",
    files: FILES,
  },
  AL4011: {
    bad: STAGES.replace("data = demos  steps = 10", "data = demos  steps = 10  lr = sweep [1e-4, 3e-4]"),
    fix: STAGES.replace("data = demos  steps = 10", "data = demos  steps = 10  lr = sweep [1e-4, 3e-4, 1e-3]"),
    how: "name a variant the recipe sweeps (the message lists them), or add the value to the sweep",
    command: "plan",
    args: ["--variant", "lr=0.001"],
    files: FILES,
  },
  AL4012: {
    bad: `${STAGES.replace("recipe r { seed = 1 }", 'recipe r { seed = 1  backend = "tensorflow" }')}budget { time <= 1h }\n`,
    fix: `${STAGES.replace("recipe r { seed = 1 }", 'recipe r { seed = 1  backend = "wasm" }')}budget { time <= 1h }\n`,
    how: "plan for a backend alignc has measured (wasm, cpu), or budget what can be estimated there (tokens, flops, memory)",
    command: "plan",
    files: FILES,
  },
  AL4014: {
    bad: `${DATA}${GPT2}stage sft = sft { init = m  data = demos  steps = 10 }\nstage rm = reward_model { init = sft2  data = prefs  steps = 10 }\neval wr = win_rate { a = sft  b = sft2  judge = rm  prompts = heldout(prefs) }\n`,
    fix: `${DATA}${GPT2}stage sft = sft { init = m  data = demos  steps = 10 }\nstage rm = reward_model { init = sft  data = prefs  steps = 10 }\nstage sft3 = sft { init = sft  data = demos  steps = 10 }\neval wr = win_rate { a = sft  b = sft3  judge = rm  prompts = heldout(prefs) }\n`,
    how: "judge with a reward model that reads the compared models' tokenizer and chat format",
    command: "plan",
    files: FILES,
  },
  AL4015: {
    bad: `${STAGES}${PPO("  max_new_tokens = 60")}`,
    fix: `${STAGES}${PPO("  max_new_tokens = 24")}`,
    how: "lower max_new_tokens (or raise the context) so that the longest prompt plus the response fits",
    command: "plan",
    files: FILES,
  },
  AL4016: {
    bad: bigOnWasm(200000),
    fix: `${bigOnWasm(200000)}budget { time <= 5d }\n`,
    how: "declare the time you mean to spend (`budget { time <= … }`), or lower the steps",
    command: "plan",
    files: FILES,
  },
  AL4017: {
    bad: bigOnWasm(6000000),
    fix: `${bigOnWasm(6000000)}budget { time <= 120d }\n`,
    how: "lower the steps, or declare the time (`budget { time <= … }`) if you mean it (`--no-budget` accepts it once)",
    command: "plan",
    files: FILES,
  },
  AL4018: {
    bad: `${STAGES}${PPO("  batch_size = 10  samples_per_prompt = 4")}`,
    fix: `${STAGES}${PPO("  batch_size = 8  samples_per_prompt = 4")}`,
    how: "make batch_size a multiple of samples_per_prompt",
    command: "plan",
    files: FILES,
  },
  AL4019: {
    bad: STAGES.replace("data = demos  steps = 10", "data = demos  steps = 10  warmup = 10"),
    fix: STAGES.replace("data = demos  steps = 10", "data = demos  steps = 10  warmup = 2"),
    how: "keep warmup shorter than the run",
    command: "plan",
    files: FILES,
  },
  AL4020: {
    bad: STAGES,
    fix: STAGES,
    how: "give the stage data that has training examples: here rankings with at least one preference (all-tied groups compare nothing)",
    command: "plan",
    files: { ...FILES, "prefs.jsonl": '{"prompt":"Add 3 and 3.","responses":["6","7"],"ranking":"A = B"}\n{"prompt":"Add 1 and 1.","responses":["2","3"],"ranking":"A = B"}\n' },
    fixFiles: { ...FILES, "prefs.jsonl": '{"prompt":"Add 3 and 3.","responses":["6","7"],"ranking":"A > B"}\n{"prompt":"Add 1 and 1.","responses":["2","3"],"ranking":"A > B"}\n' },
  },
  AL4022: {
    bad: `${STAGES}${PPO("  batch_size = 8  accumulate = 4")}`,
    fix: `${STAGES}${PPO("  batch_size = 32")}`,
    how: "raise batch_size for more rollouts per step and leave accumulate out: PPO's trainer has no micro-batches",
    command: "plan",
    files: FILES,
  },
  AL4028: {
    bad: `${STAGES}${PPO('  advantages = "rloo"  samples_per_prompt = 4  batch_size = 16  vf_coef = 0.5')}`,
    fix: `${STAGES}${PPO('  advantages = "rloo"  samples_per_prompt = 4  batch_size = 16')}`,
    how: "drop the parameter, or set what reads it (advantages = \"gae\" for vf_coef and gae_lambda, a decaying schedule for min_lr_ratio)",
    command: "plan",
    files: FILES,
  },
  AL4029: {
    bad: `${STAGES}expect { sft.val_loss < 3 }\n`,
    fix: `${STAGES.replace('as demonstrations {', 'as demonstrations { holdout = 0.5 ')}expect { sft.val_loss < 3 }\n`,
    how: "hold some of the stage's data out (`holdout = 0.1` on its source, or on a mixture's sources), or gate on a metric the stage has without it",
    command: "plan",
    files: FILES,
  },
  AL4021: {
    bad: `${STAGES}${PPO('  advantages = "rloo"')}`,
    fix: `${STAGES}${PPO('  advantages = "rloo"  samples_per_prompt = 4')}`,
    how: "sample several responses per prompt (`samples_per_prompt = 4`), or use advantages = \"gae\"",
    command: "plan",
    files: FILES,
  },
  AL4024: {
    bad: `${STAGES}eval bon = win_rate { a = sft  b = sft  judge = rm  prompts = heldout(prefs)  best_of = 8 }\n`,
    fix: `${STAGES}eval bon = win_rate { a = sft  b = sft  judge = rm  prompts = heldout(prefs)  best_of = 8  select = rm }\n`,
    how: "name what picks a's best sample: a reward model (`select = rm`) or the demo rule (`select = \"rule\"`); or drop best_of",
    command: "plan",
    files: FILES,
  },
  AL4025: {
    bad: `${STAGES}eval wr = win_rate { a = sft  b = sft  judge = "rule"  prompts = heldout(prefs)  max_new_tokens = 64 }\n`,
    fix: `${STAGES}eval wr = win_rate { a = sft  b = sft  judge = "rule"  prompts = heldout(prefs)  max_new_tokens = 24 }\n`,
    how: "lower max_new_tokens below the context of every model that answers, and below a PPO stage's max_length (or raise them)",
    command: "plan",
    files: FILES,
  },
  AL4026: {
    bad: `${TWO_FORMATS}eval before = lm_loss { model = m  data = held }\n`,
    fix: `${TWO_FORMATS}eval before = lm_loss { model = m  data = held  base_format = chat }\n`,
    how: "name the chat format the base model is measured in (`base_format = …`), the one of the stage it is compared with",
    command: "plan",
    files: { ...CHAT, "chatml.hbs": "<|user|>{{prompt}}\n<|assistant|>{{response}}\n", "held.jsonl": '{"instruction": "Name a colour.", "response": "Blue."}\n' },
  },
  AL4027: {
    bad: `${STAGES.replace("data = prefs  steps = 10", "data = prefs  max_length = 32  steps = 10")}${PPO("")}`,
    fix: `${STAGES}${PPO("")}`,
    how: "train the reward model at the length PPO rolls out (its max_length, or the model's context), or cap PPO's with its own max_length",
    command: "plan",
    files: FILES,
  },
};
