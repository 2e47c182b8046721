// A recipe for the contamination checks (leaks.test.ts, ngram-overlap.test.ts): a pretraining corpus,
// SFT demonstrations and an lm_loss eval of other demonstrations, each pool from the lines given.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../repo-root.js";

/** A demonstrations row. */
export const demo = (instruction: string, response: string): string => JSON.stringify({ instruction, context: "", response, category: "x" });

/** The recipe in a temp folder: `corpus` lines pretrain, `train` rows are SFT's, `evalRows` the eval's. */
export function leakRecipe(evalRows: string[], corpus: string[], train: string[]): { src: string; file: string; dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "alignc-leaks-"));
  writeFileSync(join(dir, "corpus.txt"), corpus.join("\n") + "\n");
  writeFileSync(join(dir, "train.jsonl"), train.join("\n") + "\n");
  writeFileSync(join(dir, "evals.jsonl"), evalRows.join("\n") + "\n");
  const src = `
tokenizer bytes = byte_level {}
model m = gpt { tokenizer = bytes  context = 64 }
source train_demos = jsonl("train.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
source eval_demos = jsonl("evals.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
format chat = chat_template("${join(repoRoot(), "templates", "chat", "plain.hbs")}")
stage pre = pretrain { init = m  data = text("corpus.txt")  steps = 2  holdout = 0 }
stage sft = sft { init = pre  data = train_demos  format = chat  steps = 2 }
eval held = lm_loss { model = sft  data = eval_demos }
`;
  const file = join(dir, "r.align");
  writeFileSync(file, src);
  return { src, file, dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}
