// `--tiny`: the documented scaling that turns a recipe into a smaller run for tests and CI. It is
// applied to the checked recipe before planning, so a tiny run has its own plan hashes and never
// mixes with full-size cache entries. The model, the data, PPO's rollout batch and lengths are
// kept: a tiny run must still meet the recipe's `expect` block (the ÷ 2 was first measured on a gate
// the quickstart no longer has, "zero-shot accuracy after SFT > before": steps ÷ 4 left it at 0; the
// quickstart's gates since are those of its plain `expect` block, which hold at ÷ 2 with the cap below).
//
//   stage steps          ÷ STEP_DIVISOR (at least MIN_STEPS, at most MAX_STEPS); stages given in
//                        epochs get TINY_EPOCH_STEPS
//   eval n               at most EVAL_N prompts/examples (±0.1 at 95% instead of ±0.06)
//   log_every            so that each stage logs about 10 points
//   checkpoint_every     unchanged (Ctrl-C checkpoints anyway)
// A swept recipe is scaled variant by variant, after its values are bound (src/run/compile-run.ts).
import type { CheckedBlock, CheckedRecipe, IRRecord } from "../check/ir.js";

export const TINY = {
  STEP_DIVISOR: 2,
  MIN_STEPS: 4,
  // a tiny run checks a recipe's gates, not its full training: the quickstart's 1,500-step SFT would
  // take 750 steps, and `npm test` then measured 619 s against its 600. At 300, once the reward model
  // trained at batch 8, `npm test` measured 749 s (quickstart-kl's tiny runs alone 611 s). At 150 the
  // quickstart's tiny gates hold (seed 17, --workers 1, 3 Dec 2026: RM correctness 0.692 >= 0.6, RM
  // judge 0.655 / 0.685 with p 5.4e-4 / 1.2e-6, held-out demo loss 0.665 < 3.801) and its two
  // variants take 5m08s on one thread. At 100 (4 Dec 2026, seed 17) the tiny PPO loses to SFT by its
  // own RM, 0.340 (W28/T12/L60): the quickstart's gate judge.win_rate > 0.5 fails, so 150 stays. With
  // subwords at 100 (6 Dec 2026, --workers 1): the quickstart's RM gains +0.074 (gate +0.1, seed 17) and
  // flan-zero-shot's after ties after_one (0.079 both, seed 11): two gates fail, 150 stays
  MAX_STEPS: 150,
  TINY_EPOCH_STEPS: 60,
  EVAL_N: 100,
} as const;

function scaleSteps(props: IRRecord): number {
  const steps = typeof props.steps === "number" ? props.steps : null;
  return steps === null ? TINY.TINY_EPOCH_STEPS : Math.min(TINY.MAX_STEPS, Math.max(TINY.MIN_STEPS, Math.ceil(steps / TINY.STEP_DIVISOR)));
}

function tinyBlock(b: CheckedBlock): CheckedBlock {
  const props: IRRecord = { ...b.props };
  if (b.keyword === "stage") {
    const steps = scaleSteps(props);
    props.steps = steps;
    delete props.epochs;
    // about 10 points, never more often than the recipe's own log_every (when it is one number, not a sweep)
    const tenPoints = Math.max(1, Math.floor(steps / 10));
    props.log_every = typeof props.log_every === "number" ? Math.max(1, Math.min(props.log_every, tenPoints)) : tenPoints;
  }
  // an lm_loss's n is a cap on a held-out split, not a sample size: a tiny run scores the same sequences
  if (b.keyword === "eval" && b.kind !== "lm_loss" && typeof props.n === "number") props.n = Math.min(props.n, TINY.EVAL_N);
  return { ...b, props };
}

/** The recipe with the --tiny scaling applied (a new object; the input is not changed). */
export function tinyRecipe(recipe: CheckedRecipe): CheckedRecipe {
  // recipe blocks, not plan nodes: --tiny is a rewrite of the recipe before planning, so that the tiny
  // run is planned (and hashed) as a recipe of its own; the plan is then the only thing that runs
  return { ...recipe, blocks: recipe.blocks.map(tinyBlock) };
}

/** What --tiny did that the recipe's numbers do not show: a stage whose steps it raised to MIN_STEPS (a
 * `steps = 1` the recipe wrote to make PPO a near no-op ran 4 steps, said nowhere; figures38 #2). */
export function tinyRaised(recipe: CheckedRecipe, tiny: CheckedRecipe): string[] {
  const scaled = new Map(tiny.blocks.map((b) => [b.name, b.props.steps]));
  return recipe.blocks
    .filter((b) => b.keyword === "stage" && typeof b.props.steps === "number" && typeof scaled.get(b.name) === "number" && (scaled.get(b.name) as number) > b.props.steps)
    .map((b) => `--tiny: \`${b.name}\` trains ${String(scaled.get(b.name))} steps, the recipe's ${String(b.props.steps)} raised to the tiny minimum (${TINY.MIN_STEPS})`);
}
