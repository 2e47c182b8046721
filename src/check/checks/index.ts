// The semantic checks, Langium style: each a small function `checkX(node, accept)` registered in a
// table by AST node type; the walker visits every node once and runs that type's checks. They read
// what CheckContext.analyse() computed (lowered IR, ajv findings, references) and report every
// offender, never only the first.
// Each node type's checks are in their own module (./file.ts, ./declaration.ts, …); this table
// registers them and the walk below runs them.
import type { CheckContext } from "../context.js";
import { callChecks } from "./call.js";
import { componentChecks } from "./component.js";
import { conditionsChecks } from "./conditions.js";
import { declarationChecks } from "./declaration.js";
import { fileChecks } from "./file.js";
import { headerChecks } from "./header.js";
import { numberChecks } from "./number.js";
import { quantityChecks } from "./quantity.js";
import { rangeChecks } from "./range.js";
import { refChecks } from "./ref.js";
import { sweepChecks } from "./sweep.js";
import type { Check, CheckTable } from "./types.js";

export const CHECKS: CheckTable = {
  File: fileChecks,
  RecipeHeader: headerChecks,
  Declaration: declarationChecks,
  Component: componentChecks,
  Ref: refChecks,
  Call: callChecks,
  Range: rangeChecks,
  Quantity: quantityChecks,
  Number: numberChecks,
  Sweep: sweepChecks,
  Conditions: conditionsChecks,
};

/** The child nodes a check may care about, by node type (identifiers and spans are leaves of their parents). */
function children(node: { type: string } & Record<string, unknown>): readonly unknown[] {
  switch (node.type) {
    case "File":
    case "Conditions":
    case "List":
      return node["items"] as unknown[];
    case "RecipeHeader":
      return [node["body"]];
    case "Declaration":
      return [...((node["args"] as unknown[] | null) ?? []), node["body"]];
    case "Block":
      return node["entries"] as unknown[];
    case "Assignment":
      return [node["value"]];
    case "Component":
      return node["clauses"] as unknown[];
    case "Clause":
      return [node["arg"]];
    case "Comparison":
      return [node["left"], ...(((node["leftTerms"] as { value: unknown }[] | undefined) ?? []).map((t) => t.value)), node["right"], ...(((node["rightTerms"] as { value: unknown }[] | undefined) ?? []).map((t) => t.value))];
    case "Call":
      return node["args"] as unknown[];
    case "Sweep":
      return [node["values"]];
    case "Range":
      return [node["lo"], node["hi"]];
    default:
      return []; // Number, String, Bool, Quantity, Ref, Ident
  }
}

/** Visit every AST node (depth-first, source order) and run the checks registered for its type. */
export function runChecks(ctx: CheckContext): void {
  const table = CHECKS as Record<string, Check<string>[] | undefined>;
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    const n = node as { type: string } & Record<string, unknown>;
    const checks = table[n.type];
    if (checks) for (const check of checks) check(n as never, ctx.accept, ctx);
    const kids = children(n);
    if (kids.length === 0) return;
    ctx.enter(n);
    for (const k of kids) visit(k);
    ctx.leave();
  };
  visit(ctx.ast);
}
