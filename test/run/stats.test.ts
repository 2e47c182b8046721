import { test } from "node:test";
import assert from "node:assert/strict";
import { clopperPearson, signTest, winRate, winRateInterval } from "../../src/run/evaluation/stats.js";

// Exact values from Σ C(n, i) / 2^n in rational arithmetic (Python fractions), which R's
// binom.test(min, n)$p.value agrees with.
const KNOWN: [wins: number, losses: number, p: number][] = [
  [8, 2, 0.109375],
  [10, 0, 0.001953125],
  [36, 22, 0.08694889972991099], // the PPO-vs-SFT count: not significant two-sided
  [70, 16, 3.206380351081531e-9], // the rule-reward control
  [6, 4, 0.75390625],
  [47, 40, 0.5202915935750737],
  [600, 400, 2.7284641560660184e-10], // n = 1000: log-space sum stays exact
];

test("the sign test matches exact binomial tails", () => {
  for (const [w, l, p] of KNOWN) {
    const got = signTest(w, l);
    assert.ok(Math.abs(got - p) <= 1e-9 * p + 1e-15, `signTest(${w}, ${l}) = ${got}, want ${p}`);
    assert.equal(signTest(l, w), got, "two-sided: symmetric in wins and losses");
  }
});

test("no decisive pairs or a draw is no evidence (p = 1); one win alone is not significant", () => {
  assert.equal(signTest(0, 0), 1);
  assert.equal(signTest(5, 5), 1);
  assert.equal(signTest(1, 0), 1);
  assert.throws(() => signTest(1.5, 2), /whole numbers/);
});

test("winRate counts ties half and tests only the decisive pairs", () => {
  const outcomes = [...Array(70).fill(1), ...Array(214).fill(0.5), ...Array(16).fill(0)];
  const w = winRate(outcomes);
  assert.equal(w.n, 300);
  assert.deepEqual([w.wins, w.ties, w.losses], [70, 214, 16]);
  assert.ok(Math.abs(w.win_rate - (70 + 107) / 300) < 1e-12);
  assert.ok(Math.abs(w.p_value - 3.206380351081531e-9) < 1e-15);
});

test("a win rate over no prompts is no verdict: NaN, so a gate on it fails rather than reading 0", () => {
  const w = winRate([]);
  assert.ok(Number.isNaN(w.win_rate));
  assert.equal(w.n, 0);
  assert.equal(w.p_value, 1);
});

test("the win rate's interval treats ties as the sure ½ they are: it agrees with the sign test", () => {
  // the quickstart's rule judge, seed 17: W54/T218/L28, sign test p 0.0054; Wilson on 54 + 109 of 300
  // gave [0.487, 0.599], which included ½
  const w = winRate([...Array(54).fill(1), ...Array(218).fill(0.5), ...Array(28).fill(0)]);
  assert.ok(w.p_value < 0.01);
  assert.ok(w.ci_low > 0.5 && w.ci_low < 0.52, String(w.ci_low));
  assert.ok(w.ci_high > w.win_rate && w.ci_high < 0.58, String(w.ci_high));
  // for all counts up to 40 prompts: inside [0, 1], around the win rate, and excluding ½ only where the
  // sign test rejects at 0.05 (the decisive arm was Wilson's until engine epoch 21, which excluded ½ in
  // 638 of these cells with p up to 0.125: 4 wins of 4 gave [0.510, 1])
  for (let n = 1; n <= 40; n++)
    for (let W = 0; W <= n; W++)
      for (let L = 0; W + L <= n; L++) {
        const T = n - W - L;
        const [lo, hi] = winRateInterval(W, T, L);
        const rate = (W + T / 2) / n;
        assert.ok(0 <= lo && lo <= rate + 1e-12 && rate <= hi + 1e-12 && hi <= 1, `${W}/${T}/${L}: [${lo}, ${hi}] around ${rate}`);
        if (lo > 0.5 || hi < 0.5) assert.ok(signTest(W, L) < 0.05, `${W}/${T}/${L}: interval excludes ½ but p = ${signTest(W, L)}`);
      }
  assert.deepEqual(winRateInterval(4, 0, 0).map((x) => x.toFixed(4)), ["0.3976", "1.0000"], "4 of 4: Clopper–Pearson's [0.398, 1]");
  // every prompt tied: an interval around ½ (not the point [½, ½]) that shrinks as prompts are added
  const [tLo, tHi] = winRateInterval(0, 10, 0);
  const [bLo, bHi] = winRateInterval(0, 300, 0);
  assert.ok(tLo < bLo && bLo < 0.5 && 0.5 < bHi && bHi < tHi, `[${tLo}, ${tHi}] then [${bLo}, ${bHi}]`);
});

test("for outcome shares like the quickstart's judges, the 95 % interval covers the true win rate 93-97 % of the time", () => {
  // seeded draws of 300 prompts from the shares the RM judge (102/179/19) and the rule judge (54/218/28)
  // measured; the interval of engine epoch 12 (the decisive share taken as known) covered 0.88 of them at
  // the RM judge's shares
  let s = 12345;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  for (const [W, T, L] of [[102, 179, 19], [54, 218, 28]] as const) {
    const n = W + T + L;
    const truth = (W + T / 2) / n;
    let covered = 0;
    const draws = 4000;
    for (let k = 0; k < draws; k++) {
      let [w, t, l] = [0, 0, 0];
      for (let i = 0; i < n; i++) {
        const u = next();
        if (u < W / n) w++;
        else if (u < (W + T) / n) t++;
        else l++;
      }
      const [lo, hi] = winRateInterval(w, t, l);
      if (lo <= truth && truth <= hi) covered++;
    }
    const coverage = covered / draws;
    assert.ok(coverage > 0.93 && coverage < 0.97, `${W}/${T}/${L}: coverage ${coverage}`);
  }
});

test("Clopper–Pearson's interval inverts the exact binomial tails", () => {
  // the exact tails inverted independently, by bisection in 60-digit decimal arithmetic (Python)
  for (const [k, n, lo, hi] of [[60, 100, 0.4972092, 0.6967052], [5, 10, 0.187086, 0.812914], [0, 4, 0, 0.6023646], [1990, 2000, 0.9908241, 0.9975998]] as const) {
    const [a, b] = clopperPearson(k, n);
    assert.ok(Math.abs(a - lo) < 1e-6 && Math.abs(b - hi) < 1e-6, `${k}/${n}: [${a}, ${b}] against [${lo}, ${hi}]`);
  }
});

test("a win rate refuses an outcome other than a win, a tie or a loss (a NaN credit counted as a loss)", () => {
  assert.throws(() => winRate([1, 0.5, Number.NaN]), /an outcome must be 1, ½ or 0, got NaN/);
  assert.throws(() => winRate([0.25]), /got 0\.25/);
});

test("a win rate over 300,000 decisive pairs: an interval and a p-value, no stack overflow", () => {
  const [lo, hi] = winRateInterval(150_400, 0, 149_600);
  assert.ok(lo < 0.5013 && 0.5013 < hi && hi - lo < 0.004, `[${lo}, ${hi}]`);
  const p = signTest(150_400, 149_600);
  assert.ok(p > 0.1 && p < 0.2, String(p));
});
