// The rule (src/data/demo/rule.ts) judges an answer against its prompt's reference answer: wherever it
// reads prompts (a rule-labeled samples source, PPO's `reward = "rule"`, a win-rate eval's rule judge
// or its rule pick of a's best sample), each prompt must carry one. Text has no prompts with answers
// (a text source, a pretrain stage's held-out corpus), and a prompts source (`as prompts`) holds
// prompts alone: AL2040 at the prompts value. Whether a source without `as ROLE` is read as text is
// known only from its rows: `alignc check` reads its first row then (AL3060, src/data/text-prompts.ts).
import type { Assignment, Declaration, Value } from "../../lang/ast.js";
import type { CheckContext } from "../context.js";
import type { Check } from "./types.js";

/** The data block a prompts value names (`prefs`, `prefs.prompts`, `train(prefs)`), with the value node. */
export function promptsBlock(v: Value | undefined): { name: string; node: Value; split: boolean } | null {
  if (!v) return null;
  if (v.type === "Ref") return { name: v.path[0]?.name ?? "", node: v, split: false };
  if (v.type === "Call" && (v.callee.name === "heldout" || v.callee.name === "train") && v.args[0]?.type === "Ref") return { name: v.args[0].path[0]?.name ?? "", node: v, split: true };
  return null;
}

/** A property's values across a sweep: `[v]`, or the sweep's values (none when it is left out). */
export function sweptValues(v: unknown): unknown[] {
  return v !== null && typeof v === "object" && "$sweep" in v ? ((v as { $sweep: unknown[] }).$sweep ?? []) : v === undefined ? [] : [v];
}

/** What reads `d`'s prompts by the rule, said as the recipe writes it; null where nothing does. A swept
 * property counts where any of its values does: the variants are the sweeps' cross product. */
function ruleReader(d: Declaration, ctx: CheckContext): string | null {
  const props = ctx.blocks.get(d)?.props;
  if (!ctx.blocks.get(d)?.spec || !props) return null;
  const [kw, kind] = [d.keyword.name, d.kind.name];
  const rule = (key: string) => sweptValues(props[key]).includes("rule");
  if (kw === "source" && kind === "samples" && d.role?.name === "rankings" && rule("labeler")) return '`labeler = "rule"` ranks each sample';
  if (kw === "stage" && kind === "ppo" && rule("reward")) return '`reward = "rule"` scores each rollout';
  if (kw === "eval" && kind === "win_rate" && rule("judge")) return '`judge = "rule"` judges each pair of answers';
  if (kw === "eval" && kind === "win_rate" && rule("select") && sweptValues(props["best_of"]).some((n) => typeof n === "number" && n > 1)) return '`select = "rule"` picks a\'s best sample';
  return null;
}

const checkReferenceAnswers: Check<"Declaration"> = (d, accept, ctx) => {
  const reader = ruleReader(d, ctx);
  if (!reader) return;
  const written = ctx.blocks.get(d)?.written.get("prompts") as Assignment | undefined;
  const value = written?.type === "Assignment" ? written.value : undefined;
  // each value of a swept `prompts` is one variant's (`sweep [prefs.prompts, train(asks)]`)
  for (const v of value?.type === "Sweep" ? value.values.items : [value]) {
    const p = promptsBlock(v);
    const target = p ? ctx.symbols.get(p.name) : undefined;
    if (!p || !target) continue; // not a reference, or a dangling one (AL2009)
    const role = target.keyword.name === "source" ? target.role?.name : undefined;
    const corpus = p.split && target.keyword.name === "stage" && target.kind.name === "pretrain";
    const what = role === "text" ? "a text source: its rows have no prompts with answers" : role === "prompts" ? "a prompts source: its rows hold prompts alone, with no answer" : corpus ? "a pretraining corpus: its rows have no prompts with answers" : null;
    if (what)
      accept(
        "AL2040",
        p.node,
        `${reader} against its prompt's reference answer; \`${p.name}\` is ${what}`,
        `name prompts whose rows carry a reference answer: rankings (the best response), demonstrations or a task (the response)${role === "prompts" && d.keyword.name !== "source" ? "; or let a reward model judge or reward" : ""}`,
      );
  }
};

export const referenceChecks: Check<"Declaration">[] = [checkReferenceAnswers];
