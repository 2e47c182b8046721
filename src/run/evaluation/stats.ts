// Win rates with a confidence interval and a significance test. A tie counts half a win (the usual
// convention for pairwise preference evals). The p-value is the exact two-sided sign test on the
// decisive pairs (ties carry no information about which side is better, so they are left out, as
// the sign test does). The interval is Wilson's score interval on the decisive pairs' win share,
// mapped to the win-rate scale with the ties at ½ (winRateInterval): it stays inside [0, 1], behaves
// at small n, and excludes ½ about when the sign test rejects.

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
 * 95 % interval of a win rate with ties at ½: win_rate = ½ + d·(q − ½), where q = W/(W + L) is the
 * decisive pairs' win share (Wilson's interval) and d = (W + L)/n the decisive share, taken as
 * observed. Wilson's interval on W + T/2 "successes" out of n would treat each tie as a coin flip,
 * although a tie is a sure ½: with many ties (the quickstart's rule judge: 218 of 300) it came out
 * about twice as wide, and included ½ beside a sign test at p = 0.005. No decisive pair: [½, ½]
 * (every prompt tied); no prompt: [0, 1].
 */
export function winRateInterval(wins: number, ties: number, losses: number, z = Z95): [number, number] {
  const n = wins + ties + losses;
  if (n === 0) return [0, 1];
  const decisive = wins + losses;
  if (decisive === 0) return [0.5, 0.5];
  const [qLo, qHi] = wilson(wins, decisive, z);
  const d = decisive / n;
  return [0.5 + d * (qLo - 0.5), 0.5 + d * (qHi - 0.5)];
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
