// The figures a training stage's summary averages over its last tenth of steps (src/run/nodes/stages.ts),
// each with the name its stage line prints (src/run/presentation/stage-headline.ts): one table for both.
/** Training-batch means over the last tenth of the steps, in the order the summary records them (cached entries hold that order), with
 * the names their stage line prints. */
export const BATCH_MEANS: readonly (readonly [key: string, label: string, after?: string])[] = [
  ["loss", "loss"],
  ["batch_accuracy", "pair accuracy", " (chance 0.5)"],
  ["reward", "sampled reward"],
  ["rule_score", "sampled rule score"],
  ["kl", "KL"],
  ["clip_fraction", "clip fraction"],
  ["entropy", "entropy"],
  ["value_loss", "value loss"],
  ["ptx_loss", "ptx loss"],
  ["margin", "margin"],
];
