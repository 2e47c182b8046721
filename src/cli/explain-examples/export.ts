// Examples of the export codes (AL46xx, src/export/compile.ts): each recipe plans clean, and `alignc
// export` refuses it for a target (errors: nothing is written) or warns about what the target does
// differently (warnings: the export is written, and EXPORT.md lists the approximation).
import { DATA, DEMOS, FILES } from "./fixtures.js";
import { type CodeExample } from "./types.js";

/** Rankings of two responses each: K-way rankings are AL4608 on every target. */
const PAIRS = `{"prompt":"Add 3 and 3.","responses":["6","7"],"ranking":"A > B"}
{"prompt":"Add 1 and 1.","responses":["2","3"],"ranking":"A > B"}
{"prompt":"Add 5 and 2.","responses":["8","7"],"ranking":"B > A"}
{"prompt":"Add 4 and 4.","responses":["8","9"],"ranking":"A > B"}
`;
const EXPORT_FILES = { "demos.jsonl": DEMOS, "prefs.jsonl": PAIRS };
/**
 * 101 ranked prompts: TRL's PPO script holds out its last 100 prompts, and with 100 or fewer it fails at
 * start (AL4607, an error), so a PPO export to TRL that is written at all needs more.
 */
const MANY_PAIRS = Array.from({ length: 101 }, (_, i) => `{"prompt":"Add ${i} and 1.","responses":["${i + 1}","${i + 2}"],"ranking":"A > B"}\n`).join("");
const HF = DATA.replace("context = 64 }", 'context = 64  hf = "gpt2" }');
// batches no larger than the examples' few rows, on one GPU for OpenRLHF: its loaders drop an incomplete
// batch, so a stage whose rows fill none trains on nothing (AL4614)
const SFT = `${HF}stage sft = sft { init = m  data = demos  steps = 10  batch_size = 2 }\n`;
const RM = `${SFT}stage rm = reward_model { init = sft  data = prefs  steps = 10  batch_size = 1 }\n`;
const PPO = (props: string): string => `${RM}stage policy = ppo { init = sft  reward = rm  prompts = prefs.prompts  steps = 10${props.includes("batch_size") ? "" : "  batch_size = 2"}${props} }\n`;
const to = (target: string, ...more: string[]): string[] => ["--to", target, ...(target === "openrlhf" && !more.includes("--gpus-per-node") ? ["--gpus-per-node", "1"] : []), ...more, "--out", "out"];

export const EXPORT_EXAMPLES: Record<string, CodeExample> = {
  AL4601: {
    bad: `${DATA}stage sft = sft { init = m  data = demos  steps = 10 }\n`,
    fix: SFT,
    how: "name the Hugging Face model (or local folder) the export starts from: `hf = \"…\"` on the model",
    command: "export",
    args: to("trl"),
    files: EXPORT_FILES,
  },
  AL4602: {
    bad: PPO(""),
    fix: PPO(""),
    how: "export to a target with a trainer for the stage (PPO: openrlhf, or trl's experimental one), or replace the stage (PPO with `dpo`)",
    command: "export",
    args: to("axolotl"),
    fixArgs: to("openrlhf"),
    files: EXPORT_FILES,
  },
  AL4603: {
    bad: PPO("  ptx_coef = 1  ptx_data = demos"),
    fix: PPO("  ptx_coef = 1  ptx_data = demos"),
    how: "export to the one target with a ptx loss (OpenRLHF 0.7.0.post1), or pass --drop-ptx to export PPO without it",
    command: "export",
    args: to("openrlhf"),
    fixArgs: to("openrlhf", "--target-version", "0.7.0.post1"),
    files: EXPORT_FILES,
  },
  AL4604: {
    bad: PPO("").replace("  holdout = 0.5", ""), // every one of the 101 prompts trains
    fix: PPO("").replace("  holdout = 0.5", ""),
    how: "export PPO to openrlhf (train_ppo_ray), or accept TRL's experimental trainer (a warning: the export is written)",
    command: "export",
    args: to("trl"),
    fixArgs: to("openrlhf"),
    files: { ...EXPORT_FILES, "prefs.jsonl": MANY_PAIRS },
    with: ["AL4607"], // the warning that TRL's script trains on 1 of the 101 prompts
  },
  AL4605: {
    bad: RM.replace("data = prefs  steps = 10", "data = prefs  steps = 10  max_length = 4"),
    fix: RM.replace("data = prefs  steps = 10", "data = prefs  steps = 10  max_length = 32"),
    how: "raise max_length so that no row exceeds it (alignc truncates such rows, the target drops them), or shorten the examples",
    command: "export",
    args: to("trl"),
    files: EXPORT_FILES,
  },
  AL4607: {
    bad: PPO(""),
    fix: PPO(""),
    how: "give TRL's PPO script more than 100 training prompts (it holds out the last 100 for evaluation and fails at start with fewer; with more it is a warning that says how many it trains on), or export to openrlhf",
    command: "export",
    args: to("trl"),
    fixArgs: to("openrlhf"),
    files: EXPORT_FILES,
    with: ["AL4604"],
  },
  AL4608: {
    bad: RM,
    fix: RM,
    how: "nothing is wrong in the recipe: the target trains on pairs (a warning; the export is written and EXPORT.md says how the loss differs). Rankings of two responses export exactly",
    command: "export",
    args: to("trl"),
    files: { ...EXPORT_FILES, "prefs.jsonl": FILES["prefs.jsonl"] },
    fixFiles: EXPORT_FILES,
  },
  AL4609: {
    bad: SFT.replace("batch_size = 2 }", "batch_size = 2  lr = sweep [1e-4, 3e-4] }"),
    fix: SFT.replace("batch_size = 2 }", "batch_size = 2  lr = sweep [1e-4, 3e-4] }"),
    how: "export one variant: `--variant NAME` (the message lists them)",
    command: "export",
    args: to("trl"),
    fixArgs: to("trl", "--variant", "lr=0.0003"),
    files: EXPORT_FILES,
  },
  AL4610: {
    bad: RM,
    fix: RM,
    how: "name a stage of the recipe after --until (the message lists them)",
    command: "export",
    args: to("trl", "--until", "reward"),
    fixArgs: to("trl", "--until", "rm"),
    files: EXPORT_FILES,
  },
  AL4611: {
    bad: `${SFT}stage policy = ppo { init = sft  reward = "rule"  prompts = demos  steps = 10 }\n`,
    fix: `${RM}stage policy = ppo { init = sft  reward = rm  prompts = demos  steps = 10  batch_size = 2 }\n`,
    how: "export PPO with a trained reward model (`reward = rm`); the demo rule exists only in alignc",
    command: "export",
    args: to("openrlhf"),
    files: EXPORT_FILES,
  },
  AL4612: {
    bad: HF.replace("context = 64", "context = 2048") + "stage sft = sft { init = m  data = demos  steps = 10 }\n",
    fix: SFT,
    how: "keep max_length (and the model's context, its default) within the target model's positions: 1,024 for the GPT-2 family",
    command: "export",
    args: to("trl"),
    files: EXPORT_FILES,
  },
  AL4613: {
    bad: PPO("  batch_size = 8  samples_per_prompt = 4"),
    fix: PPO("  batch_size = 8  samples_per_prompt = 4"),
    how: "export for a number of GPUs that divides the prompts of a rollout (batch_size ÷ samples_per_prompt), or raise batch_size to a multiple of GPUs × samples_per_prompt",
    command: "export",
    args: to("openrlhf", "--target-version", "0.7.0.post1", "--gpus-per-node", "4"),
    fixArgs: to("openrlhf", "--target-version", "0.7.0.post1", "--gpus-per-node", "2"),
    files: EXPORT_FILES,
  },
  AL4614: {
    bad: SFT,
    fix: SFT,
    how: "export for fewer GPUs, so that a stage's training rows fill at least one batch (micro-batch × GPUs; a PPO rollout's prompts), or give the stage more rows",
    command: "export",
    args: to("openrlhf", "--gpus-per-node", "8"),
    fixArgs: to("openrlhf", "--gpus-per-node", "2"),
    files: EXPORT_FILES,
  },
};
