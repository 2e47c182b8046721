// A recipe whose pretrain, SFT and reward-model stages each hold data out, for tests of the stages'
// own held-out splits (split.test.ts, leaks.test.ts): the caller writes corpus.txt, demos.jsonl and
// ranks.jsonl into `dir`, and may add blocks.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkRecipeText } from "../../src/check/index.js";
import type { CheckedRecipe } from "../../src/check/ir.js";
import { findLeaks, type LeakReport } from "../../src/data/leaks.js";
import { repoRoot } from "../repo-root.js";

/** The recipe (pre, sft, rm stages holding out 0.25 / 0.5 / 0.5, then `extra`), checked, and its contamination report. */
export async function heldOutRecipe(dir: string, extra = ""): Promise<{ recipe: CheckedRecipe; report: LeakReport }> {
  const src = `
tokenizer bytes = byte_level {}
model m = gpt { tokenizer = bytes  context = 64 }
source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}"  holdout = 0.5 }
source prefs = jsonl("ranks.jsonl") as rankings { holdout = 0.5 }
format chat = chat_template("${join(repoRoot(), "templates", "chat", "plain.hbs")}")
stage pre = pretrain { init = m  data = text("corpus.txt")  steps = 2  holdout = 0.25 }
stage sft = sft { init = pre  data = demos  format = chat  steps = 2 }
stage rm = reward_model { init = sft  data = prefs  format = chat  steps = 2 }
${extra}`;
  const file = join(dir, "r.align");
  writeFileSync(file, src);
  const checked = await checkRecipeText(src, file);
  assert.ok(checked.recipe, JSON.stringify(checked.diagnostics));
  return { recipe: checked.recipe, report: await findLeaks(checked.recipe) };
}
