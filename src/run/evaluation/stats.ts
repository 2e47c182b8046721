// Win rates with a confidence interval and a significance test. A tie counts half a win (the usual
// convention for pairwise preference evals). The p-value is the exact two-sided sign test on the
// decisive pairs (ties carry no information about which side is better, so they are left out, as
// the sign test does). The interval is that of p_W − p_L mapped to the win-rate scale
// (winRateInterval): it stays inside [0, 1], covers about 95 % with many ties and with few prompts,
// and excludes ½ about when the sign test rejects.

export interface WinRate {
  n: number;
  wins: number;
  ties: number;
  losses: number;
  win_rate: number;
  ci_low: number;
  ci_high: number;
  /** two-sided exact sign test of wins against losses (ties dropped): P(a result at least this
   * lopsided | both sides equally good) */
  p_value: number;
}

/** z for a two-sided 95% interval */
const Z95 = 1.959963984540054;

export function wilson(successes: number, n: number, z = Z95): [number, number] {
  if (n === 0) return [0, 1];
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** outcomes: 1 = a wins, 0 = b wins, 0.5 = tie */
export function winRate(outcomes: readonly number[]): WinRate {
  const n = outcomes.length;
  const wins = outcomes.filter((o) => o === 1).length;
  const ties = outcomes.filter((o) => o === 0.5).length;
  const losses = n - wins - ties;
  const s = wins + ties / 2;
  const [lo, hi] = winRateInterval(wins, ties, losses);
  return { n, wins, ties, losses, win_rate: n ? s / n : NaN, ci_low: lo, ci_high: hi, p_value: signTest(wins, losses) }; // NaN: no prompts, no verdict (a gate on it fails)
}

/**
 * 95 % interval of a win rate with ties at ½: win_rate = ½ + (p_W − p_L)/2, the difference of two
 * proportions of one multinomial sample (wins, ties, losses). The wider of two intervals, each too
 * narrow in its own regime:
 *  - MOVER with Wilson's interval for each proportion (Zou & Donner 2008, "Construction of confidence
 *    limits about effect measures: a general approach"; the two estimates' correlation is
 *    −√(p_W·p_L / ((1 − p_W)(1 − p_L)))). With many ties it is right where the other is not: at the
 *    RM judge's 102/179/19 it covered 0.949 of 20,000 simulated draws, the other 0.878. But at a few
 *    prompts it is too narrow: 3 wins of 3 would exclude ½ (the sign test's p is 0.25).
 *  - Wilson's interval on the decisive pairs' win share, mapped with their share d = (W + L)/n taken as
 *    known (engine epoch 12's interval): right at small n, excluding ½ only about when the sign test
 *    rejects, but blind to d's own uncertainty.
 * (Wilson's on W + T/2 "successes" out of n, before epoch 12, treated each tie as a coin flip and came
 * out about twice as wide as it should with the quickstart's 218 ties of 300.) Every prompt tied gives an
 * interval around ½ that shrinks with n; no prompt: [0, 1]. test/run/stats.test.ts checks coverage.
 */
export function winRateInterval(wins: number, ties: number, losses: number, z = Z95): [number, number] {
  const n = wins + ties + losses;
  if (n === 0) return [0, 1];
  const [moverLo, moverHi] = moverInterval(wins, losses, n, z);
  const decisive = wins + losses;
  if (decisive === 0) return [moverLo, moverHi];
  const [qLo, qHi] = wilson(wins, decisive, z);
  const d = decisive / n;
  return [Math.min(moverLo, 0.5 + d * (qLo - 0.5)), Math.max(moverHi, 0.5 + d * (qHi - 0.5))];
}

/** ½ + (p_W − p_L)/2 by MOVER-Wilson, p_W and p_L shares of one sample of n. */
function moverInterval(wins: number, losses: number, n: number, z: number): [number, number] {
  const [pW, pL] = [wins / n, losses / n];
  const [lW, uW] = wilson(wins, n, z);
  const [lL, uL] = wilson(losses, n, z);
  const rest = (1 - pW) * (1 - pL);
  const corr = rest > 0 ? -Math.sqrt((pW * pL) / rest) : 0;
  const diff = pW - pL;
  const below = Math.sqrt((pW - lW) ** 2 + (uL - pL) ** 2 - 2 * corr * (pW - lW) * (uL - pL));
  const above = Math.sqrt((uW - pW) ** 2 + (pL - lL) ** 2 - 2 * corr * (uW - pW) * (pL - lL));
  return [Math.max(0, 0.5 + (diff - below) / 2), Math.min(1, 0.5 + (diff + above) / 2)];
}

/**
 * Two-sided exact sign test: under H0 each decisive pair is a fair coin, so the number of wins is
 * Binomial(wins + losses, ½) and p = min(1, 2·P(X ≤ min(wins, losses))) — R's binom.test(w, w+l).
 * Summed in log space, so it stays exact (to floating point) for thousands of pairs.
 */
export function signTest(wins: number, losses: number): number {
  if (!(Number.isInteger(wins) && Number.isInteger(losses) && wins >= 0 && losses >= 0)) throw new RangeError(`signTest: counts must be whole numbers ≥ 0, got ${wins} and ${losses}`);
  const n = wins + losses;
  if (n === 0 || wins === losses) return 1;
  const k = Math.min(wins, losses);
  // log C(n, i) − n·log 2 for i = 0..k, then log-sum-exp
  const logs: number[] = [];
  let logC = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    logs.push(logC - n * Math.LN2);
  }
  const top = Math.max(...logs);
  const tail = Math.exp(top) * logs.reduce((a, l) => a + Math.exp(l - top), 0);
  return Math.min(1, 2 * tail);
}

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/**
 * Mean of paired differences with a 95% interval (normal approximation, sample standard deviation):
 * how much higher the judge scores a's responses than b's on the same prompts. Unlike the win rate
 * it counts by how much, not only which side is higher.
 */
export function meanDiff(diffs: readonly number[], z = Z95): { mean: number; ci_low: number; ci_high: number } {
  const n = diffs.length;
  const m = mean(diffs);
  if (n < 2) return { mean: m, ci_low: -Infinity, ci_high: Infinity };
  const sd = Math.sqrt(diffs.reduce((a, d) => a + (d - m) ** 2, 0) / (n - 1));
  const half = (z * sd) / Math.sqrt(n);
  return { mean: m, ci_low: m - half, ci_high: m + half };
}
