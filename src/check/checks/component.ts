// Checks of a mixture component (`task: proportional cap N`, `source: weight W`): its clauses and
// the block it names.
import { didYouMean } from "../../common/did-you-mean.js";
import { COMPONENT_CLAUSES } from "../kinds.js";
import type { Located } from "../lower.js";
import { checkRefUse } from "./ref.js";
import type { Check } from "./types.js";

const checkComponent: Check<"Component"> = (c, accept, ctx) => {
  const seen = new Set<string>();
  let proportional: Located | null = null;
  let weight: Located | null = null;
  for (const cl of c.clauses) {
    const name = cl.name.name;
    if (!Object.hasOwn(COMPONENT_CLAUSES, name)) {
      accept("AL2027", cl.name, `unknown mixture clause \`${name}\`; clauses are \`proportional\`, \`cap N\`, \`weight W\``, didYouMean(name, Object.keys(COMPONENT_CLAUSES)));
      continue;
    }
    if (seen.has(name)) accept("AL2027", cl.name, `clause \`${name}\` is written twice for \`${c.name.name}\``);
    seen.add(name);
    if (name !== "proportional" && cl.arg === null) {
      ctx.poisoned.add(cl);
      accept("AL2027", cl.name, `\`${name}\` needs a number: \`${name} ${name === "cap" ? "3000" : "1.0"}\``);
    }
    if (name === "proportional") proportional = cl;
    if (name === "weight") weight = cl;
  }
  if (proportional && weight) accept("AL2028", weight, `\`${c.name.name}\` is both \`proportional\` and weighted: choose examples-proportional mixing or a fixed weight`);
  const use = ctx.refUses.get(c.name);
  if (use) checkRefUse(use, accept, ctx);
};

export const componentChecks: Check<"Component">[] = [checkComponent];
