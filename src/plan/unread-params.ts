// Parameters a node's other values leave unread: nothing that runs reads them, so they stay out of the
// node's hash (writing one re-runs nothing: a whole PPO stage, for a ptx_data beside ptx_coef = 0) and
// the plan warns where the recipe wrote one (AL4004, AL4022, AL4024, AL4028 in src/plan/checks.ts).
import type { Json } from "./types.js";

/** Unread parameters of a node with these op and params, whatever their values. */
export function unreadParams(op: string, params: { readonly [k: string]: Json }): string[] {
  // a constant learning rate decays to no floor (src/train/optim.ts lrAt)
  const schedule = params.schedule === "constant" ? ["min_lr_ratio"] : [];
  switch (op) {
    case "win_rate":
      // best_of = 1: a answers greedily (src/run/nodes/evals.ts): no sample to draw or pick
      return params.best_of === 1 ? ["select", "temperature"] : [];
    case "ppo":
      // a PPO step is batch_size rollouts and nothing accumulates them; without a ptx term its data is never
      // read; leave-one-out advantages train no value network and take no GAE λ (src/train/stages/advantages.ts)
      return [
        "accumulate",
        ...(params.ptx_coef === 0 ? ["ptx_data"] : []),
        ...(params.advantages === "rloo" ? ROLLOUT_VALUE_PARAMS : []),
        ...schedule,
      ];
    default:
      return schedule;
  }
}

/** What a value network and GAE read, and leave-one-out advantages do not. */
export const ROLLOUT_VALUE_PARAMS = ["vf_coef", "gae_lambda"];
