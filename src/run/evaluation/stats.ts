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
  // anything else (a NaN judge score's credit) was counted as a loss, silently
  const odd = outcomes.find((o) => o !== 0 && o !== 0.5 && o !== 1);
  if (odd !== undefined) throw new RangeError(`winRate: an outcome must be 1, ½ or 0, got ${odd}`);
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
 *  - Clopper–Pearson's (exact) interval on the decisive pairs' win share, mapped with their share
 *    d = (W + L)/n taken as known: right at small n, and excluding ½ only where the exact sign test
 *    rejects (it inverts the same binomial), but blind to d's own uncertainty. Until engine epoch 21 this
 *    arm was Wilson's, which excluded ½ where the sign test did not reject (4 wins of 4: [0.510, 1]
 *    with p 0.125; W60/L40: [0.502, 0.691] with p 0.057; 638 such (W, T, L) cells up to n = 40).
 * (Wilson's on W + T/2 "successes" out of n, before epoch 12, treated each tie as a coin flip and came
 * out about twice as wide as it should with the quickstart's 218 ties of 300.) Every prompt tied gives an
 * interval around ½ that shrinks with n; no prompt: [0, 1]. test/run/stats.test.ts checks coverage.
 */
/** 95 %: the Clopper–Pearson arm is at α = 0.05, the MOVER arm at Z95. */
export function winRateInterval(wins: number, ties: number, losses: number): [number, number] {
  const z = Z95;
  const n = wins + ties + losses;
  if (n === 0) return [0, 1];
  const [moverLo, moverHi] = moverInterval(wins, losses, n, z);
  const decisive = wins + losses;
  if (decisive === 0) return [moverLo, moverHi];
  const [qLo, qHi] = clopperPearson(wins, decisive);
  const d = decisive / n;
  return [Math.min(moverLo, 0.5 + d * (qLo - 0.5)), Math.max(moverHi, 0.5 + d * (qHi - 0.5))];
}

/** P(lo ≤ X ≤ hi) for X ~ Binomial(n, p), 0 < p < 1, summed in log space (exact to floating point for thousands of trials). */
function binomialMass(n: number, p: number, lo: number, hi: number): number {
  if (lo > hi) return 0;
  const [lp, lq] = [Math.log(p), Math.log1p(-p)];
  let logC = 0; // log C(n, i), built up from i = 0
  const logs: number[] = [];
  let top = -Infinity; // a running max: Math.max(...logs) passes its arguments on the stack
  for (let i = 0; i <= hi; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    if (i >= lo) {
      const l = logC + i * lp + (n - i) * lq;
      logs.push(l);
      if (l > top) top = l;
    }
  }
  return Math.exp(top) * logs.reduce((a, l) => a + Math.exp(l - top), 0);
}

/**
 * Clopper–Pearson's exact two-sided (1 − α) interval for a binomial proportion, k successes of n: the
 * p whose tails P(X ≥ k) and P(X ≤ k) are α/2, found by bisection (each tail is monotone in p).
 */
export function clopperPearson(k: number, n: number, alpha = 0.05): [number, number] {
  if (n === 0) return [0, 1];
  const solve = (tail: (p: number) => number, increasing: boolean): number => {
    let [lo, hi] = [0, 1];
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (tail(mid) > alpha / 2 === increasing) hi = mid;
      else lo = mid;
    }
    return (lo + hi) / 2;
  };
  // each tail summed directly (no 1 − …): exact to floating point however small
  return [k === 0 ? 0 : solve((p) => binomialMass(n, p, k, n), true), k === n ? 1 : solve((p) => binomialMass(n, p, 0, k), false)];
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
  const top = logs.reduce((m, l) => (l > m ? l : m), -Infinity); // not Math.max(...logs): its arguments go on the stack
  const tail = Math.exp(top) * logs.reduce((a, l) => a + Math.exp(l - top), 0);
  return Math.min(1, 2 * tail);
}

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Student's t 0.975 quantiles for 1–30 degrees of freedom (the standard table, 3 decimals); past 30 the
 * Cornish–Fisher expansion around z, within 1e-4 there. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
export function t975(df: number): number {
  if (df <= T975.length) return T975[df - 1]!;
  const z = Z95;
  const [z3, z5, z7] = [z ** 3, z ** 5, z ** 7];
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
}

/**
 * Mean of paired differences with a 95% interval (Student's t on n − 1 degrees of freedom; the normal
 * approximation it used covered 0.70 at n = 2 and 0.88 at n = 5), sample standard deviation:
 * how much higher the judge scores a's responses than b's on the same prompts. Unlike the win rate
 * it counts by how much, not only which side is higher.
 */
export function meanDiff(diffs: readonly number[]): { mean: number; ci_low: number; ci_high: number } {
  const n = diffs.length;
  const m = mean(diffs);
  if (n < 2) return { mean: m, ci_low: -Infinity, ci_high: Infinity };
  const sd = Math.sqrt(diffs.reduce((a, d) => a + (d - m) ** 2, 0) / (n - 1));
  const half = (t975(n - 1) * sd) / Math.sqrt(n);
  return { mean: m, ci_low: m - half, ci_high: m + half };
}
