// Checks of a `samples(stage)` source beyond its schema: what each role needs. `as candidates` is
// labeled by people (`alignc label`); `as rankings` is ranked by its `labeler` and trained on like any
// rankings source, so it must say who ranks (the rule labeler's reference answers: references.ts).
import type { Assignment, Declaration } from "../../lang/ast.js";
import { promptsBlock } from "./references.js";
import { RANKED_SAMPLES_PROPS } from "../kinds.js";
import type { Check } from "./types.js";

export const RANKED_SAMPLES_HINT = '`source onpolicy = samples(sft) as rankings { prompts = train(prefs)  n = 400  k = 4  labeler = "rule"  holdout = 0.2 }`';

const isSamples = (d: Declaration): boolean => d.keyword.name === "source" && d.kind.name === "samples";

/** A rankings samples source says who ranks; a candidates one leaves ranking to people. */
const checkLabeler: Check<"Declaration"> = (d, accept, ctx) => {
  const info = ctx.blocks.get(d);
  if (!isSamples(d) || !info?.spec || !d.role) return;
  if (d.role.name === "rankings" && !info.written.has("labeler"))
    accept(
      "AL2007",
      d.role,
      `\`${d.name.name}\` (samples as rankings) needs \`labeler\`: who ranks the K samples of each prompt (\`labeler = "rule"\`: the demo rule against the prompt's reference answer)`,
      `write \`labeler = "rule"\` in the block; for people's rankings declare it \`as candidates { labels = … }\` and run \`alignc label\`: ${RANKED_SAMPLES_HINT}`,
    );
  if (d.role.name === "candidates")
    for (const key of RANKED_SAMPLES_PROPS) {
      const at = info.written.get(key) as Assignment | undefined;
      const ident = at?.type === "Assignment" ? at.path[0] : undefined;
      if (ident)
        accept("AL2004", ident, `\`${key}\` is a property of ranked samples (\`samples(…) as rankings\`); a candidates source is ranked by people with \`alignc label\``, `declare \`${d.name.name}\` \`as rankings\` to rank its samples by a labeler`);
    }
};

/**
 * People label a draw's candidates (shown with the prompts' system text: the model was asked with it),
 * and the rankings source their labels go to trains a reward model: with another system text than the
 * draw's prompts, that reward model reads the prompts otherwise than the model was asked them, and
 * than PPO and the evals ask them (a source's `system` is one text for all its rows).
 */
const checkLabelsSystem: Check<"Declaration"> = (d, accept, ctx) => {
  const info = ctx.blocks.get(d);
  if (!isSamples(d) || !info?.spec || d.role?.name !== "candidates") return;
  const labels = info.written.get("labels") as Assignment | undefined;
  const prompts = info.written.get("prompts") as Assignment | undefined;
  const target = labels?.type === "Assignment" && labels.value.type === "Ref" ? ctx.symbols.get(labels.value.path[0]?.name ?? "") : undefined;
  const p = promptsBlock(prompts?.type === "Assignment" ? prompts.value : undefined);
  const source = p ? ctx.symbols.get(p.name) : undefined;
  if (!labels || !target || !source) return;
  const systemOf = (decl: Declaration): string | undefined => {
    const v = ctx.blocks.get(decl)?.props["system"];
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  const [asked, trained] = [systemOf(source), systemOf(target)];
  if (asked === trained) return;
  accept(
    "AL2043",
    labels.value,
    `\`${d.name.name}\` draws for \`${p!.name}\`'s prompts, asked ${asked === undefined ? "with no system text" : `with the system text ${JSON.stringify(asked)}`}; the labels go to \`${target.name.name}\`, which ${trained === undefined ? "gives none" : `gives ${JSON.stringify(trained)}`}: a reward model trained on them reads the prompts otherwise than the model was asked them`,
    asked === undefined ? `remove \`system\` from \`${target.name.name}\`` : `give \`${target.name.name}\` the same text: \`system = ${JSON.stringify(asked)}\``,
    "warning",
  );
};

export const samplesChecks: Check<"Declaration">[] = [checkLabeler, checkLabelsSystem];
