// A micro recipe over the bundled demo data (1-layer, d 32 model; a few steps per stage) that runs
// the whole pipeline through the real handlers in seconds: for end-to-end tests of the executor.
// `dpo: true` adds a DPO stage (`align`), so that every stage kind runs; `checkpointEvery` sets
// checkpoint_every on pretrain, SFT and RM (PPO checkpoints every step already); `parallelShares`
// sets parallel_shares on every stage.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
export { repoRoot } from "../repo-root.js";
import { repoRoot } from "../repo-root.js";

export function microRecipe(opts: { klCoef?: number; name?: string; policySteps?: number; dpo?: boolean; checkpointEvery?: number; parallelShares?: number } = {}): string {
  const r = repoRoot();
  const data = join(r, "recipes", "data");
  const tpl = join(r, "templates");
  const ck = (opts.checkpointEvery ? `  checkpoint_every = ${opts.checkpointEvery}` : "") + (opts.parallelShares ? `  parallel_shares = ${opts.parallelShares}` : "");
  const ps = opts.parallelShares ? `  parallel_shares = ${opts.parallelShares}` : "";
  return `recipe ${opts.name ?? "micro"} { seed = 5 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  layers = 1  d_model = 32  heads = 2  context = 64 }
task addition = flan {
  data = jsonl("${data}/tasks/addition.jsonl")
  templates = dir("${tpl}/flan/addition")
  holdout_templates = 2
}
source demos = jsonl("${data}/demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}"  holdout = 0.1  limit = 300 }
source prefs = jsonl("${data}/rankings.jsonl") as rankings { k = 4..9  holdout = 0.2  limit = 100 }
mixture sft_data = mix {
  addition: proportional cap 100
  demos: weight 1.0
}
format chat = chat_template("${tpl}/chat/plain.hbs")
stage pre = pretrain { init = tiny  data = text("${data}/corpus.txt")  steps = 6  batch_size = 4  log_every = 2${ck} }
stage sft = sft { init = pre  data = sft_data  format = chat  steps = 6  batch_size = 4  max_length = 64  log_every = 2${ck} }
stage rm = reward_model { init = sft  data = prefs  format = chat  steps = 4  batch_size = 2  max_length = 64  log_every = 2${ck} }
stage policy = ppo {
  init = sft
  reward = rm
  prompts = prefs.prompts
  format = chat
  kl_coef = ${opts.klCoef ?? 0.1}
  ptx_coef = 1.0
  ptx_data = sft_data
  steps = ${opts.policySteps ?? 3}
  batch_size = 4
  max_new_tokens = 8
  max_length = 64
  log_every = 1
  checkpoint_every = 1
${ps}
}
${opts.dpo ? `stage align = dpo { init = sft  data = prefs  format = chat  steps = 4  batch_size = 2  max_length = 64  log_every = 1${ps} }\n` : ""}eval rm_acc = rm_accuracy { model = rm  data = heldout(prefs) }
eval judge = win_rate { a = policy  b = sft  judge = rm  prompts = heldout(prefs)  n = 8  max_new_tokens = 8 }
eval rule = win_rate { a = policy  b = sft  judge = "rule"  prompts = heldout(prefs)  n = 8  max_new_tokens = 8 }
eval zs = accuracy { model = sft  task = sft_data  split = heldout_templates  n = 8 }
eval held = lm_loss { model = sft  data = heldout(demos) }
expect {
  rm_acc.accuracy >= 0
  judge.win_rate >= 0
}
`;
}

export function writeMicro(dir: string, opts: Parameters<typeof microRecipe>[0] = {}): string {
  const p = join(dir, `${opts.name ?? "micro"}.align`);
  writeFileSync(p, microRecipe(opts));
  return p;
}

/** The plan of a checked recipe (no sizes) and a lookup of its nodes, for handler-level tests. */
export async function planned(recipe: import("../../src/check/ir.js").CheckedRecipe) {
  const { planRecipe } = await import("../../src/plan/compile.js");
  const r = planRecipe(recipe);
  if (!r.plan) throw new Error(`no plan: ${JSON.stringify(r.diagnostics)}`);
  const plan = r.plan;
  const node = (id: string) => {
    const n = plan.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no plan node ${id}`);
    return n;
  };
  return { plan, node };
}
