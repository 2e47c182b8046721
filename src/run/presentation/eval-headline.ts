// An eval's figure as one line, with what makes it believable: its baseline, its counts, its
// p-value. The report's Evaluations table and `alignc run`'s closing summary both print it, so a
// figure never reaches the console without its counts.
import { tasksIn } from "../evaluation/eval-metrics.js";
import { fmtNum, fmtP } from "./format.js";

/** Every entry of a summary, `key value` (the line of a node that is not an eval). */
export function summaryText(s: Record<string, number>): string {
  return Object.entries(s)
    .map(([k, v]) => `${k} ${fmtNum(v)}`)
    .join(", ");
}

/** " (the first of 320 prompts, in split order)" where n is a part of the split: which part is said (the report said it only on the console) */
function firstOf(s: Record<string, number>, what: string): string {
  return s.split_size !== undefined && s.n !== undefined && s.split_size > s.n ? ` (the first of ${fmtNum(s.split_size)} ${what}, in split order)` : "";
}

/** An eval's figure with what makes it believable: its baseline, its counts, its p-value. */
export function evalHeadline(kind: string, s: Record<string, number>, opts: { perTask?: boolean } = {}): string {
  const perTask = opts.perTask ?? true;
  const f = (k: string) => (s[k] === undefined ? "?" : fmtNum(s[k]!));
  switch (kind) {
    case "eval.accuracy": {
      const per = !perTask ? [] : tasksIn(s, "accuracy").map((t) => `${t} ${f(`accuracy/${t}`)} (baseline ${f(`baseline/${t}`)}, n ${f(`n/${t}`)})`);
      const paired = s.vs_baseline_p_value === undefined ? "" : ` (only the model right on ${f("vs_baseline_wins")}, only the constant on ${f("vs_baseline_losses")}: sign test p ${fmtP(s.vs_baseline_p_value)})`;
      const versus = s.versus_p_value === undefined ? "" : `; versus ${f("versus_accuracy")} on the same examples (only this model right on ${f("versus_wins")}, only the other on ${f("versus_losses")}: sign test p ${fmtP(s.versus_p_value)})`;
      return `accuracy ${f("accuracy")} vs baseline ${f("baseline")} (each task's best constant answer)${paired}, n ${f("n")}${firstOf(s, "examples")}${versus}${per.length ? `; ${per.join("; ")}` : ""}`;
    }
    case "eval.win_rate": {
      // the rule judge's ties split by whether a better answer was possible, and the counts per task
      const ties = s.ties_both_right === undefined ? "" : ` (ties: both right ${f("ties_both_right")}, both wrong ${f("ties_both_wrong")}; decided by correctness W${f("correctness_wins")}/L${f("correctness_losses")}, by style W${f("style_wins")}/L${f("style_losses")}, by form W${f("form_wins")}/L${f("form_losses")}${s.style_alone_win_rate === undefined ? "" : `; right a ${f("right_a")} (${f("preamble_a")} after the preamble), b ${f("right_b")} (${f("preamble_b")}): by style alone at most ${f("style_alone_win_rate")}`})`;
      const styleOf = (t: string) => (s[`style_wins/${t}`] === undefined ? "" : `; style ${f(`style_wins/${t}`)}/${f(`style_losses/${t}`)}, b right after the preamble ${f(`preamble_b/${t}`)}`);
      const fixed = (t: string) => (s[`correctness_wins/${t}`] === undefined ? "" : ` (correctness ${f(`correctness_wins/${t}`)}/${f(`correctness_losses/${t}`)}${styleOf(t)})`);
      const per = !perTask ? [] : tasksIn(s, "wins").map((t) => `${t} W${f(`wins/${t}`)}/T${f(`ties/${t}`)}/L${f(`losses/${t}`)}${fixed(t)}`);
      const bestOf = s.best_of === undefined ? "" : ` (a: the best of ${f("best_of")} samples, picked by ${s.best_of_oracle === 1 ? "the rule: an oracle" : "a reward model"})`;
      // answers of nothing and the wins they took, said whenever there are any (figures38 #1)
      const nonEmpty = s.nonempty_p_value === undefined ? "" : `; without the wins they took W${(s.wins ?? 0) - (s.empty_a_wins ?? 0)}/L${(s.losses ?? 0) - (s.empty_b_wins ?? 0)}, sign test p ${fmtP(s.nonempty_p_value)}`;
      const empty = (s.empty_a ?? 0) + (s.empty_b ?? 0) > 0 ? `; answers of nothing: a ${f("empty_a")} (${f("empty_a_wins")} of them wins), b ${f("empty_b")} (${f("empty_b_wins")})${nonEmpty}` : "";
      return `win rate ${f("win_rate")}${bestOf} [${f("ci_low")}, ${f("ci_high")}] (ties ½): W${f("wins")} / T${f("ties")} / L${f("losses")} of ${f("n")}${firstOf(s, "prompts")}${ties}, sign test p ${fmtP(s.p_value)}${empty}${s.score_gain !== undefined ? `; judge score gain ${f("score_gain")} [${f("score_gain_ci_low")}, ${f("score_gain_ci_high")}]` : ""}${per.length ? `; per task ${per.join(", ")}` : ""}`;
    }
    case "eval.rm_accuracy": {
      // each task's count beside its figure: 0.51 on 56 pairs is chance, not a finding
      const byLength = (k: string) => (s[k] === undefined ? "" : `, length alone ${f(k)}`);
      const alone = (k: string) => (s[k] === undefined ? "" : ` (length alone ${f(k)})`);
      const styleOf = (t: string) => (s[`style_accuracy/${t}`] === undefined ? "" : `; style ${f(`style_accuracy/${t}`)} on ${f(`style_pairs/${t}`)}${alone(`style_length_baseline/${t}`)}`);
      const per = !perTask
        ? []
        : tasksIn(s, "pairs").map(
            (t) =>
              `${t} ${f(`accuracy/${t}`)} on ${f(`pairs/${t}`)} pairs${alone(`length_baseline/${t}`)} (${s[`correctness_accuracy/${t}`] === undefined ? "no pair differs in correctness" : `${f(`correctness_accuracy/${t}`)} on ${f(`correctness_pairs/${t}`)} differing in correctness${alone(`correctness_length_baseline/${t}`)}`}${styleOf(t)})`,
          );
      const style = s.style_accuracy === undefined ? "" : `; style ${f("style_accuracy")} on the ${f("style_pairs")} pairs of one right answer, concise against after the preamble (chance 0.5${byLength("style_length_baseline")})`;
      return `accuracy ${f("accuracy")} (chance 0.5${byLength("length_baseline")}; groups weighted as in training; pooled ${f("pooled_accuracy")}) on ${f("pairs")} pairs in ${f("groups")} groups${s.correctness_accuracy !== undefined ? `; ${f("correctness_accuracy")} on the ${f("correctness_pairs")} pairs that differ in correctness (each pair once, as in the pooled figure; chance 0.5${byLength("correctness_length_baseline")})` : ""}${style}${per.length ? `; per task ${per.join("; ")}` : ""}`;
    }
    case "eval.lm_loss":
      return `loss ${f("loss")} nats/token on ${f("n")} sequences${firstOf(s, "sequences")}${s.baseline !== undefined ? ` vs baseline ${f("baseline")} (best constant distribution)` : ""}`;
    default:
      return summaryText(s);
  }
}
