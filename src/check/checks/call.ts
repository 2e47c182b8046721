// Checks of a function call in a value (`jsonl("…")`, `dir("…")`, `heldout(x)`): a known function,
// its arguments, the paths it names.
import { didYouMean } from "../../common/did-you-mean.js";
import { CALLS } from "../calls.js";
import { RANKED_SAMPLES_DEFAULTS } from "../kinds.js";
import type { Accept, CheckContext } from "../context.js";
import type { Located } from "../lower.js";
import { own } from "../schemas.js";
import type { Check } from "./types.js";
import { resolveFromRecipe } from "../recipe-folder.js";

// `samples(…)` is a source kind (candidates drawn from a trained stage), not a function of values
const SAMPLES_AS_CALL = "`samples(…)` is a kind of source, not a function: it is declared on its own";
export const SAMPLES_HINT = "`source cands = samples(sft) as candidates { prompts = prefs.prompts  k = 4  labels = labeled }`";

const checkCall: Check<"Call"> = (c, accept, ctx) => {
  const spec = own(CALLS, c.callee.name);
  if (!spec) {
    ctx.poisoned.add(c);
    if (c.callee.name === "samples") accept("AL2018", c.callee, SAMPLES_AS_CALL, SAMPLES_HINT);
    else accept("AL2018", c.callee, `unknown function \`${c.callee.name}\``, didYouMean(c.callee.name, Object.keys(CALLS)));
    return;
  }
  if (spec.args === "path") {
    const [arg, ...rest] = c.args;
    const extra = spec.extra ?? [];
    const badExtra = rest.find((a, i) => i >= extra.length || a.type !== "String");
    if (arg?.type !== "String" || badExtra) {
      ctx.poisoned.add(c);
      const more = extra.length ? ` and optional strings: ${extra.join(", ")}` : "";
      accept("AL2018", badExtra ?? arg ?? c, `\`${c.callee.name}\` takes one path string${more}, e.g. ${c.callee.name}("data/x${spec.expect === "dir" ? "" : ".jsonl"}")`);
      return;
    }
    // a value outside its list (flan_templates' "V2", "2", "v3") was read as the default, said nowhere (huntA39 F1)
    rest.forEach((a, i) => {
      const allowed = spec.extraValues?.[i];
      if (!allowed || a.type !== "String" || allowed.includes(a.value)) return;
      ctx.poisoned.add(c);
      accept("AL2018", a, `\`${c.callee.name}\`'s ${extra[i]!.split(":")[0]} must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}, got ${JSON.stringify(a.value)}`, didYouMean(a.value, [...allowed]));
    });
    checkPath(arg, arg.value, spec.expect, accept, ctx);
    return;
  }
  const [arg] = c.args;
  if (c.args.length !== 1 || arg?.type !== "Ref") {
    ctx.poisoned.add(c);
    accept("AL2018", arg ?? c, `\`${c.callee.name}\` takes one data block name, e.g. ${c.callee.name}(prefs)`);
    return;
  }
  // heldout(x) of a block that holds nothing out would evaluate on nothing
  if (c.callee.name !== "heldout") return;
  const target = ctx.symbols.get(arg.path[0]?.name ?? "");
  const info = target ? ctx.blocks.get(target) : undefined;
  if (!target || !info?.spec || (target.keyword.name !== "source" && target.keyword.name !== "task" && !(target.keyword.name === "stage" && target.kind.name === "pretrain"))) return;
  // a ranked samples source leaves its holdout to the lowering (kinds.ts RANKED_SAMPLES_DEFAULTS)
  const holdout = info.props["holdout"] ?? (target.kind.name === "samples" ? RANKED_SAMPLES_DEFAULTS.holdout : undefined);
  if (holdout === 0)
    accept("AL2035", arg, `heldout(${target.name.name}): \`${target.name.name}\` keeps no examples out (holdout = 0)`, `set \`holdout = 0.1\` in \`${target.name.name}\``);
};


export function checkPath(node: Located & { value: string }, path: string, expect: "file" | "dir", accept: Accept, ctx: CheckContext, mayBeMissing = false): void {
  const abs = resolveFromRecipe(ctx.fileOf(node), path);
  const type = ctx.files.typeOf(abs);
  if (type === "missing") {
    if (mayBeMissing) return;
    accept("AL2016", node, `${expect === "dir" ? "folder" : "file"} \`${path}\` does not exist (resolved to ${abs})`);
    return;
  }
  if (type === "loop") {
    accept("AL2017", node, `\`${path}\` goes through a symbolic link that leads back to itself (a loop): it names no file alignc could read`);
    return;
  }
  if (type === "unreadable") {
    accept("AL2017", node, `\`${path}\` cannot be examined (a folder on the way is not searchable, or an I/O error): alignc cannot tell what it is`);
    return;
  }
  if (type === "special") {
    accept("AL2017", node, `\`${path}\` is not a regular file (a device, FIFO or socket): alignc reads only regular files and folders`);
    return;
  }
  if (expect === "dir" && type !== "dir") accept("AL2017", node, `\`${path}\` is a file; a folder is expected here`);
  if (expect === "file" && type === "dir") accept("AL2017", node, `\`${path}\` is a folder; a file is expected here`);
}

export const callChecks: Check<"Call">[] = [checkCall];
