// `npm run bench -- leaks`: the contamination check's substring search (src/data/leaks.ts inCorpus)
// is linear: its time when the corpus and the evaluated texts both double, against its time at the
// base size, in one run (a scan trying every text at every position would take ×4). Beside it, the
// time against one normalisation of the same corpus (work inCorpus does anyway), for scale.
// The unit test (test/data/leaks.test.ts) counts the steps; this times them.
import { inCorpus, normalizeWhitespace } from "../../src/data/leaks.js";

const GOAL = 2.5;
const ROUNDS = 7;

function inputs(n: number): { lines: string[]; texts: string[] } {
  const lines = Array.from({ length: 50 * n }, (_, i) => `line number ${i} of the corpus, some words follow`);
  const texts = Array.from({ length: n }, (_, i) => (i % 2 ? `line number ${i * 37} of the` : `never in the corpus ${i}`));
  return { lines, texts };
}

function median(f: () => void): number {
  f(); // warm-up: the JIT, the first allocation of the bitset
  const ts: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  return ts.sort((a, b) => a - b)[ROUNDS >> 1]!;
}

const base = inputs(2000); // 100,000 lines (5 MB), 2,000 texts
const double = inputs(4000);
const tBase = median(() => inCorpus(base.texts, base.lines));
const tDouble = median(() => inCorpus(double.texts, double.lines));
const tNorm = median(() => normalizeWhitespace(base.lines.join(" ")));
console.log(`inCorpus, 100,000 lines and 2,000 texts: ${tBase.toFixed(0)} ms (${(tBase / tNorm).toFixed(1)}× one normalisation of the corpus, ${tNorm.toFixed(0)} ms)`);
console.log(`inCorpus, 200,000 lines and 4,000 texts: ${tDouble.toFixed(0)} ms`);
console.log(`leaks: ×${(tDouble / tBase).toFixed(2)} time at twice the corpus and texts (goal ≤ ${GOAL})`);
