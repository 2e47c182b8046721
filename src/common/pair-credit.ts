// How a reward model's ordering of one ranked pair is credited, shared by the RM stage's held-out
// accuracy (src/train/evaluate.ts) and the rm_accuracy eval (src/run/evaluation/eval-metrics.ts), so
// the two figures mean the same thing.

/** 1 when the winner scores higher, ½ for a tie (a reward model that scores every response alike is
 * at chance, 0.5, not 0: the project's ties-count-½ convention), else 0. */
export function pairCredit(winner: number, loser: number): number {
  return winner > loser ? 1 : winner === loser ? 0.5 : 0;
}
