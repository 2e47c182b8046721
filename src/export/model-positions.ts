// A Hugging Face model has a fixed number of positions (GPT-2's n_positions: 1,024): a target trained
// with max_length past it fails (a position index out of range) on the first sequence longer than the
// model, after its data was prepared and the model loaded. alignc knows the positions of the models
// whose tokenizer it carries (no config is downloaded); for those, an export whose stage allows longer
// sequences is refused (AL4612), with the number of this stage's rows that are longer.
import { pairRows } from "./rows.js";
import { pairsOf, ppoHP } from "./ppo-hp.js";
import type { ExportStage } from "./types.js";

/** GPT-2's family (gpt2, -medium, -large, -xl, distilgpt2): 1,024 positions each (config.json n_positions). */
export const GPT2_FAMILY = /^(?:openai-community\/)?(?:gpt2(?:-medium|-large|-xl)?|distilgpt2)$/;
const GPT2_POSITIONS = 1024;

/** The positions of a Hugging Face model alignc knows, or undefined. */
export function knownPositions(hf: string): number | undefined {
  return GPT2_FAMILY.test(hf) ? GPT2_POSITIONS : undefined;
}

/** How many of a stage's training sequences are longer than `n` tokens (`count`: the target model's tokenizer). */
export function rowsLongerThan(s: ExportStage, n: number, count: (t: string) => number): { over: number; total: number } {
  const d = s.data;
  if (d.kind === "text") return { over: d.train.filter((t) => count(t) > n).length, total: d.train.length };
  if (d.kind === "sft") return { over: d.train.filter((ex) => count(ex.text) + 1 > n).length, total: d.train.length };
  if (d.kind === "prompts") {
    const room = n - ppoHP(s).max_new_tokens; // a rollout is the prompt and up to max_new_tokens
    return { over: d.train.filter((p) => count(p) > room).length, total: d.train.length };
  }
  const pairs = pairRows(d.train, pairsOf(s));
  return { over: pairs.filter((p) => Math.max(count(p.prompt + p.chosen), count(p.prompt + p.rejected)) + 1 > n).length, total: pairs.length };
}
