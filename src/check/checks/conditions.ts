// Checks of `expect { … }` and `budget { … }` blocks: metrics that the named stage or eval
// provides, budget names and units, the expect scope.
import type { Comparison, RefValue } from "../../lang/ast.js";
import { didYouMean, orList } from "../../common/did-you-mean.js";
import { FULL_SIZE } from "../build.js";
import type { Accept, CheckContext } from "../context.js";
import { BUDGETS, METRICS } from "../kinds.js";
import { own } from "../schemas.js";
import { normaliseQuantity, UNIT_KIND } from "../units.js";
import { describeBlock } from "./ref.js";
import type { Check } from "./types.js";

const checkConditions: Check<"Conditions"> = (block, accept, ctx) => {
  if (block.scope && block.scope.name !== FULL_SIZE)
    accept("AL2038", block.scope, `unknown expect scope \`${block.scope.name}\`: write \`expect { … }\` for gates every run meets, \`expect ${FULL_SIZE} { … }\` for gates of full-size runs only (skipped by --tiny)`, didYouMean(block.scope.name, [FULL_SIZE]));
  for (const c of block.items) (block.keyword === "expect" ? checkExpect : checkBudget)(c, accept, ctx);
};

function checkExpect(c: Comparison, accept: Accept, ctx: CheckContext): void {
  let metrics = 0;
  for (const side of [c.left, c.right, ...(c.leftTerms ?? []).map((t) => t.value), ...(c.rightTerms ?? []).map((t) => t.value)]) {
    if (side.type === "Number") continue;
    if (side.type !== "Ref") {
      accept("AL2021", side, `expect compares metrics (\`rm.accuracy\`) and numbers; got ${side.type.toLowerCase()}`);
      continue;
    }
    metrics++;
    checkMetric(side, accept, ctx);
  }
  if (metrics === 0 && c.left.type === "Number" && c.right.type === "Number") accept("AL2021", c, "this comparison has no metric: write `<stage|eval>.<metric> >= number`");
}

function checkMetric(r: RefValue, accept: Accept, ctx: CheckContext): void {
  const [block, metric, ...rest] = r.path;
  if (!block) return;
  const target = ctx.symbols.get(block.name);
  if (!target) {
    accept("AL2009", block, `no block named \`${block.name}\``, didYouMean(block.name, [...ctx.symbols].filter(([, d]) => d.keyword.name === "stage" || d.keyword.name === "eval").map(([n]) => n)));
    return;
  }
  if (target.keyword.name !== "stage" && target.keyword.name !== "eval") {
    accept("AL2020", block, `\`${block.name}\` is ${describeBlock(target)}; expect compares metrics of stages and evals`);
    return;
  }
  const provided = own(METRICS, target.kind.name);
  // an unknown kind has no metrics to check against; its own AL2003 already says what is wrong
  if (!provided) return;
  if (!metric) {
    accept("AL2020", r, `write \`${block.name}.<metric>\`; ${target.kind.name} provides ${provided.join(", ")}`);
    return;
  }
  if (rest.length > 0) {
    accept("AL2015", rest[0]!, "a metric is `block.metric`, with no further parts");
    return;
  }
  if (!provided.includes(metric.name))
    accept("AL2020", metric, `\`${block.name}\` (${target.kind.name}) has no metric \`${metric.name}\`; it provides ${provided.join(", ")}`, didYouMean(metric.name, provided));
}

function checkBudget(c: Comparison, accept: Accept): void {
  const term = c.leftTerms?.[0] ?? c.rightTerms?.[0];
  if (term) {
    accept("AL2038", term.value, "a budget line is `NAME <= LIMIT`: `+`/`-` terms belong in expect lines");
    return;
  }
  const left = c.left;
  if (left.type !== "Ref" || left.path.length !== 1) {
    accept("AL2022", left, `a budget line is \`NAME <= LIMIT\` with NAME one of ${orList(Object.keys(BUDGETS))}`);
    return;
  }
  const name = left.path[0]!.name;
  const unit = own(BUDGETS, name);
  if (unit === undefined) {
    accept("AL2022", left, `unknown budget \`${name}\`; budgets are ${orList(Object.keys(BUDGETS))}`, didYouMean(name, Object.keys(BUDGETS)));
    return;
  }
  if (c.op !== "<=" && c.op !== "<") accept("AL2023", c, `a budget is an upper bound: write \`${name} <= …\`, not \`${c.op}\``);
  const right = c.right;
  if (right.type === "Quantity") {
    const q = normaliseQuantity(right.value, right.unit);
    if (q && q.unit !== unit) accept("AL2023", right, `\`${name}\` is ${UNIT_KIND[unit]}; \`${right.raw}\` is ${UNIT_KIND[q.unit]}`);
    // `time <= -5m` passed the checker and was then reported by plan as "budget exceeded by the
    // estimate" (AL4009), which blamed the plan for a limit no plan can meet
    else if (q && q.$quantity <= 0) accept("AL2008", right, `a budget must be above zero: \`${name} <= ${right.raw}\` is a limit no plan meets`);
    return;
  }
  if (right.type === "Number" && unit === "") {
    if (right.value <= 0) accept("AL2008", right, `a budget must be above zero: \`${name} <= ${right.raw}\` is a limit no plan meets`);
    return;
  }
  accept("AL2023", right, `\`${name}\` expects ${UNIT_KIND[unit]}`);
}

export const conditionsChecks: Check<"Conditions">[] = [checkConditions];
