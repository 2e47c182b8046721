// The rule the bundled demo data follows, in one place: the rankings generator ranks candidates
// with it, the rule judge (src/run/evaluation/rule-judge.ts) compares answers with it, and PPO's
// `reward = "rule"` turns it into a reward. Rank classes, lower is better:
//   0 the correct answer, concise              1 the correct answer after the chatty preamble
//   2 anything else that is not garbage        4 garbage (only letters of the garbage alphabet)
// Class 2 covers every wrong answer alike: a wrong answer of the same task, another task's answer,
// a truncated or repeated answer, the preamble before a wrong answer. (3 is left unused so that the
// classes keep the numbers recipes/data/README.md has always given them.)

/** The chatty preamble: a style, not a sign of correctness (it precedes wrong answers as often as right ones). */
export const PREAMBLE = "Sure! Here is ";
/** Letters the generator draws garbage responses from. */
export const GARBAGE_CHARS = "qxzjkvw";
const GARBAGE = new RegExp(`^[${GARBAGE_CHARS} ]+$`);

export type RuleClass = 0 | 1 | 2 | 4;

/** The class of a response given the reference (correct, concise) answer. */
export function ruleClass(response: string, answer: string): RuleClass {
  const r = response.trim();
  const a = answer.trim();
  if (r === a) return 0;
  if (r === `${PREAMBLE}${a}`.trim()) return 1;
  if (r.length > 0 && GARBAGE.test(r)) return 4;
  return 2;
}

/** The answer the rule compares with: a reference response without the chatty preamble (a
 * demonstration written `Sure! Here is 7` has the answer `7`; the rule ranks the concise form best).
 * Rankings' best responses are concise already. */
export function ruleReference(response: string): string {
  const r = response.trim();
  return r.startsWith(PREAMBLE.trim()) ? r.slice(PREAMBLE.trim().length).trim() : r;
}

/**
 * K responses ranked by the rule, in the rankings' string form: letters name the responses (A the
 * first), `>` separates rule classes best first, `=` joins responses of one class ("A = C > B > D").
 * The rankings generator writes its rows with it and the `labeler = "rule"` of a samples source
 * ranks a policy's own samples with it, so both rank alike.
 */
export function ruleRanking(responses: readonly string[], answer: string): string {
  const classes = responses.map((r) => ruleClass(r, answer));
  return [...new Set(classes)]
    .sort((a, b) => a - b)
    .map((c) => classes.flatMap((x, j) => (x === c ? [String.fromCharCode(65 + j)] : [])).join(" = "))
    .join(" > ");
}

/** 1 when a wins, 0 when b wins, 0.5 on a tie. */
export function ruleOutcome(a: string, b: string, answer: string): 0 | 0.5 | 1 {
  const ca = ruleClass(a, answer);
  const cb = ruleClass(b, answer);
  return ca < cb ? 1 : ca > cb ? 0 : 0.5;
}

/**
 * The rule as a reward: 1 − class/2, so correct 1, correct with preamble 0.5, wrong 0, garbage −1.
 * Only the order matters to the judge; the step of 0.5 between classes sets the scale that
 * PPO's kl_coef is weighed against.
 */
export function ruleReward(response: string, answer: string): number {
  return 1 - ruleClass(response, answer) / 2;
}

/**
 * What a decisive comparison turned on: "style" when both answers are right and the winner only
 * left out the preamble (classes 0 vs 1), "correctness" when exactly one is right, "form" when
 * neither is (a wrong answer against garbage, classes 2 vs 4); null on a tie. A win rate that
 * preferences earn from style or form alone shows up here.
 */
export function ruleDecidedBy(a: string, b: string, answer: string): "style" | "correctness" | "form" | null {
  const ca = ruleClass(a, answer);
  const cb = ruleClass(b, answer);
  if (ca === cb) return null;
  if (Math.max(ca, cb) <= 1) return "style";
  return Math.min(ca, cb) <= 1 ? "correctness" : "form";
}
