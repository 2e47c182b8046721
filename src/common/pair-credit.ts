// How a reward model's ordering of one pair is credited, shared by the RM stage's held-out accuracy
// (src/train/evaluate.ts), the rm_accuracy eval (src/run/evaluation/eval-metrics.ts) and a win-rate
// eval judged by a reward model (src/run/nodes/evals.ts), so the three figures mean the same thing.

/** 1 when the winner scores higher, ½ for a tie (a reward model that scores every response alike is
 * at chance, 0.5, not 0: the project's ties-count-½ convention), else 0. */
export function pairCredit(winner: number, loser: number): number {
  return winner > loser ? 1 : winner === loser ? 0.5 : 0;
}
