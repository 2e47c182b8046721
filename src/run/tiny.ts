// `--tiny`: the documented scaling that turns a recipe into a small run for tests and CI. It is
// applied to the checked recipe before planning, so a tiny run has its own plan hashes and never
// mixes with full-size cache entries. The model and data are kept: the point of a tiny run is to
// check the pipeline and its `expect` block quickly, and a smaller model or less data would learn
// too little to meet the same expectations.
//
//   stage steps          ÷ STEP_DIVISOR (at least MIN_STEPS); stages given in epochs get TINY_EPOCH_STEPS
//   ppo batch_size       at most PPO_BATCH (rollouts per step)
//   max_new_tokens       at most MAX_NEW_TOKENS (ppo, win_rate)
//   eval n               at most EVAL_N prompts/examples
//   log_every            so that each stage logs about 10 points
//   checkpoint_every     unchanged (Ctrl-C checkpoints anyway)
import type { CheckedBlock, CheckedRecipe, IRRecord } from "../check/ir.js";

export const TINY = {
  STEP_DIVISOR: 4,
  MIN_STEPS: 4,
  TINY_EPOCH_STEPS: 60,
  PPO_BATCH: 8,
  MAX_NEW_TOKENS: 16,
  EVAL_N: 100,
} as const;

function scaleSteps(props: IRRecord): number {
  const steps = typeof props.steps === "number" ? props.steps : null;
  return steps === null ? TINY.TINY_EPOCH_STEPS : Math.max(TINY.MIN_STEPS, Math.ceil(steps / TINY.STEP_DIVISOR));
}

function tinyBlock(b: CheckedBlock): CheckedBlock {
  const props: IRRecord = { ...b.props };
  if (b.keyword === "stage") {
    const steps = scaleSteps(props);
    props.steps = steps;
    delete props.epochs;
    props.log_every = Math.max(1, Math.min(typeof props.log_every === "number" ? props.log_every : 10, Math.floor(steps / 10) || 1));
    if (b.kind === "ppo") {
      if (typeof props.batch_size === "number") props.batch_size = Math.min(props.batch_size, TINY.PPO_BATCH);
      if (typeof props.max_new_tokens === "number") props.max_new_tokens = Math.min(props.max_new_tokens, TINY.MAX_NEW_TOKENS);
    }
  }
  if (b.keyword === "eval") {
    if (typeof props.n === "number") props.n = Math.min(props.n, TINY.EVAL_N);
    if (typeof props.max_new_tokens === "number") props.max_new_tokens = Math.min(props.max_new_tokens, TINY.MAX_NEW_TOKENS);
  }
  return { ...b, props };
}

/** The recipe with the --tiny scaling applied (a new object; the input is not changed). */
export function tinyRecipe(recipe: CheckedRecipe): CheckedRecipe {
  return { ...recipe, blocks: recipe.blocks.map(tinyBlock) };
}
