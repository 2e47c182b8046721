// How a reward model reads a prompt and the responses it compares: cut as its stage cut its own
// training groups (the stage's max_length and truncate, sequenceBounds; truncateGroup), so that PPO's
// reward, PPO's greedy probe, a win rate's judge and a best-of pick score sequences like those it
// learned from, as the rm_accuracy eval does. The responses to one prompt are cut together: each sees
// the same prompt tokens, as in training, so that a shorter answer is not scored on more of the prompt
// than a longer one beside it. (They kept the last `context` tokens of the model: a reward model
// trained at max_length 32 on a context-64 model was read on 64-token sequences, positions it never
// trained at, and one trained with `truncate = "right"` read cut prompts instead of cut responses.)
import { truncateGroup } from "../../data/truncation.js";
import type { Plan } from "../../plan/types.js";
import { nodeById } from "./env.js";
import { sequenceBounds } from "./stage-data.js";

/** prompt ids, the ids of the responses compared on it → the token sequence of each response, in order. */
export type RewardReader = (prompt: readonly number[], responses: readonly (readonly number[])[]) => number[][];

export function rewardReader(plan: Plan, name: string): RewardReader {
  const { context, truncate } = sequenceBounds(plan, nodeById(plan, name));
  return (prompt, responses) => {
    const t = truncateGroup([...prompt], responses.map((r) => [...r]), context, truncate);
    return t.responses.map((r) => [...t.prompt, ...r]);
  };
}

