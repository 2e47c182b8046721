// How a reward model's ordering of one pair is credited, and of a set of ranking groups, shared by the
// RM stage's held-out accuracy (src/train/evaluate.ts), the rm_accuracy eval
// (src/run/evaluation/eval-metrics.ts) and a win-rate eval judged by a reward model
// (src/run/nodes/evals.ts), so the figures that share a name mean the same thing.

/** 1 when the winner scores higher, ½ for a tie (a reward model that scores every response alike is
 * at chance, 0.5, not 0: the project's ties-count-½ convention), else 0. */
export function pairCredit(winner: number, loser: number): number {
  return winner > loser ? 1 : winner === loser ? 0.5 : 0;
}

/** The reward model's accuracy as its training weighs pairs: each ranking group's share of pairs
 * ordered right (a tie ½), averaged over the groups that have pairs (InstructGPT trains on each
 * prompt's C(K,2) comparisons as one batch element, so a group of 9 responses counts as much as one
 * of 4). The RM stage's heldout_accuracy and the rm_accuracy eval's accuracy are this; NaN with no pair. */
export function groupWeightedAccuracy(groups: readonly { pairs: readonly (readonly [number, number])[]; scores: readonly number[] }[]): number {
  let sum = 0;
  let n = 0;
  for (const g of groups) {
    if (g.pairs.length === 0) continue;
    let right = 0;
    for (const [w, l] of g.pairs) right += pairCredit(g.scores[w]!, g.scores[l]!);
    sum += right / g.pairs.length;
    n++;
  }
  return n ? sum / n : NaN;
}
