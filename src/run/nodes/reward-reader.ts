// How a reward model reads a (prompt, response) pair when it scores one: cut as its stage cut its own
// training pairs (the stage's max_length and truncate, sequenceBounds), so that PPO's reward, PPO's
// greedy probe, a win rate's judge and a best-of pick score sequences like those it learned from, as
// the rm_accuracy eval does. (They kept the last `context` tokens of the model: a reward model trained
// at max_length 32 on a context-64 model was read on 64-token sequences, positions it never trained
// at, and one trained with `truncate = "right"` read cut prompts instead of cut responses.)
import { truncateGroup } from "../../data/truncation.js";
import type { Plan } from "../../plan/types.js";
import { nodeById } from "./env.js";
import { sequenceBounds } from "./stage-data.js";

/** prompt ids, response ids → the token sequence the reward model behind node `name` scores. */
export type RewardReader = (prompt: readonly number[], response: readonly number[]) => number[];

export function rewardReader(plan: Plan, name: string): RewardReader {
  const { context, truncate } = sequenceBounds(plan, nodeById(plan, name));
  return (prompt, response) => {
    const t = truncateGroup([...prompt], [[...response]], context, truncate);
    return [...t.prompt, ...t.responses[0]!];
  };
}
