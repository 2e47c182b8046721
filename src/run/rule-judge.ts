// The rule the bundled demo rankings were generated from (src/data/demo/generate.ts, see
// recipes/data/README.md), as a judge: rank classes, lower is better,
//   0 the correct answer, concise          1 the correct answer after the chatty preamble
//   2 anything else that is not garbage    4 garbage (letters of the generator's garbage alphabet)
// The generator also separates a wrong answer of the same task (2) from another task's answer (3);
// telling those apart needs the task's answer set, so this judge counts both as 2 (wrong). A win
// is a lower class; equal classes tie.
import { PREAMBLE } from "../data/demo/generate.js";

/** Letters the generator draws garbage responses from (generate.ts GARBAGE_CHARS). */
const GARBAGE = /^[qxzjkvw ]+$/;

/** The class of a response given the reference (correct, concise) answer. */
export function ruleClass(response: string, answer: string): 0 | 1 | 2 | 4 {
  const r = response.trim();
  const a = answer.trim();
  if (r === a) return 0;
  if (r === `${PREAMBLE}${a}`.trim()) return 1;
  if (r.length > 0 && GARBAGE.test(r)) return 4;
  return 2;
}

/** 1 when a wins, 0 when b wins, 0.5 on a tie. */
export function ruleOutcome(a: string, b: string, answer: string): 0 | 0.5 | 1 {
  const ca = ruleClass(a, answer);
  const cb = ruleClass(b, answer);
  return ca < cb ? 1 : ca > cb ? 0 : 0.5;
}
