// A Hugging Face model has a fixed number of positions (GPT-2's n_positions: 1,024): a target trained
// with max_length past it fails (a position index out of range) on the first sequence longer than the
// model, after its data was prepared and the model loaded. alignc knows the positions of the models
// whose tokenizer it carries (no config is downloaded); for those, an export whose stage allows longer
// sequences is refused (AL4612), with the number of this stage's rows that are longer.
import { pairRows, rolloutPrompt, type PairRow } from "./rows.js";
import { pairsOf, ppoHP } from "./ppo-hp.js";
import type { ExportStage } from "./types.js";

/** GPT-2's family (gpt2, -medium, -large, -xl, distilgpt2): 1,024 positions each (config.json n_positions). */
export const GPT2_FAMILY = /^(?:openai-community\/)?(?:gpt2(?:-medium|-large|-xl)?|distilgpt2)$/;
const GPT2_POSITIONS = 1024;

/**
 * The pad token a reward model of the GPT-2 family is trained with (TRL's reward trainer, which Axolotl's
 * extends). Left to itself it pads with the tokenizer's pad token, else EOS (reward_trainer.py), and
 * GPT-2 has no other: the sequence classifier
 * pools at the rightmost token that is not padding (transformers' *ForSequenceClassification), so it read
 * the score at the last response token, while TRL's PPO reads the reward at the EOS it keeps after the
 * response (utils.get_reward after truncate_response). With any other pad token, the EOS the trainer
 * appends is the last non-pad token, where PPO reads. RewardConfig.pad_token must be a token of the
 * vocabulary: this one is a single GPT-2 token that natural text all but never contains (one of its
 * anomalous, barely trained tokens), and where a row did contain it the rightmost-non-pad pooling would
 * still read at the final EOS.
 */
export const GPT2_REWARD_PAD = "PsyNetMessage";

/** The pad_token a reward model stage is written with, or null where alignc does not know the tokenizer. */
export function rewardPadToken(stage: ExportStage): string | null {
  return inGpt2Family(stage) ? GPT2_REWARD_PAD : null;
}

/** Whether a stage's lineage starts from a GPT-2-family model (from-plan.ts sets `positions` for the models alignc knows). */
export function inGpt2Family(stage: ExportStage): boolean {
  return stage.positions !== undefined && GPT2_FAMILY.test(stage.positions.hf);
}

/** The positions of a Hugging Face model alignc knows, or undefined. */
export function knownPositions(hf: string): number | undefined {
  return GPT2_FAMILY.test(hf) ? GPT2_POSITIONS : undefined;
}

/** Whether a pair row (prompt, chosen, rejected) is longer than `max` tokens, one end-of-text token added. */
export function pairLonger(p: PairRow, max: number, count: (t: string) => number): boolean {
  return count(p.prompt + p.chosen) + 1 > max || count(p.prompt + p.rejected) + 1 > max;
}

/**
 * AL4612's finding for one stage on one target, or null: the target trains at the stage's max_length,
 * which must fit the model's positions; TRL's PPO is given no max_length (it keeps each prompt whole
 * and generates max_new_tokens after it), so there a prompt that leaves no room is what fails.
 */
export function positionsProblem(to: string, s: ExportStage, count?: (t: string) => number): { over: number | null; total: number; what: string } | null {
  if (!s.positions) return null;
  const n = s.positions.n;
  const d = s.data;
  if (s.kind === "ppo" && to === "trl" && d.kind === "prompts") {
    const room = n - ppoHP(s).max_new_tokens; // a rollout is the prompt and up to max_new_tokens
    if (!count) return null; // nothing to measure the prompts with (no GPT-2 stage is without one)
    const over = d.train.filter((p) => count(rolloutPrompt(p)) > room).length;
    return over ? { over, total: d.train.length, what: `prompts leave fewer than max_new_tokens = ${ppoHP(s).max_new_tokens} of its ${n} positions (TRL keeps every prompt whole)` } : null;
  }
  if (s.hp.max_length <= n) return null;
  const what = `max_length ${s.hp.max_length} is longer than its ${n} positions`;
  if (!count) return { over: null, total: 0, what };
  if (d.kind === "text") return { over: null, total: d.train.length, what }; // text is cut into max_length windows: no row is "longer"
  if (d.kind === "sft") return { over: d.train.filter((ex) => count(ex.text) + 1 > n).length, total: d.train.length, what };
  if (d.kind === "prompts") return { over: d.train.filter((p) => count(rolloutPrompt(p)) + ppoHP(s).max_new_tokens > n).length, total: d.train.length, what };
  const pairs = pairRows(d.train, pairsOf(s));
  return { over: pairs.filter((p) => pairLonger(p, n, count)).length, total: pairs.length, what };
}
