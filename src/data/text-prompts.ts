// `alignc check` meets what `alignc plan` would: a `prompts` property (a PPO stage's, a ranked draw's,
// a win-rate eval's) that names a source without `as ROLE` whose rows hold one text field. Such a
// source is read as text, which has no prompts: AL3060 at the source's declaration, as plan reports
// it. The checker knows the declared role but not the fields, so this reads the first row of each
// such source (the readers' cache keeps it for the other checks). The readers (and the template
// libraries they bring) load only when such a source exists: a plain check of most recipes stays light.
import type { CheckedRecipe } from "../check/ir.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { refOf } from "../plan/params.js";
import type { Json } from "../plan/types.js";
import { DataError } from "./diag.js";
import { dataPlanOf, type DataNode, type DataPlan } from "./plan-input.js";

/** The role-less source a prompts value names (through a stage's format/tokenize chain, heldout(x), train(x)), if any. */
function roleLessSource(dp: DataPlan, v: Json | undefined): DataNode | null {
  let cur: Json | undefined = v;
  for (let guard = 0; guard < 8 && cur !== undefined && cur !== null; guard++) {
    if (typeof cur === "object" && !Array.isArray(cur) && (cur.$call === "heldout" || cur.$call === "train") && Array.isArray(cur.args)) {
      cur = cur.args[0];
      continue;
    }
    const id = refOf(cur);
    const n = id === null ? undefined : dp.nodes.get(id);
    if (!n) return null;
    if (n.op === "format" || n.op === "tokenize") {
      cur = n.params.examples;
      continue;
    }
    // a source's own node (not a file a block reads in place) whose role the recipe leaves to its rows
    return n.op === "read" && n.id === n.block && n.params.role === "records" ? n : null;
  }
  return null;
}

/** AL3060 for each role-less source read as text where prompts are read; data errors met on the way. */
export async function textPromptErrors(recipe: CheckedRecipe): Promise<Diagnostic[]> {
  const dp = dataPlanOf(recipe);
  const sources = new Map<string, DataNode>();
  for (const node of dp.nodes.values()) {
    const src = node.params.prompts === undefined ? null : roleLessSource(dp, node.params.prompts);
    if (src) sources.set(src.id, src);
  }
  const out: Diagnostic[] = [];
  if (sources.size === 0) return out;
  const { readNodeRows, roleOf, textHasNoPrompts } = await import("./build-source.js");
  for (const src of sources.values()) {
    try {
      const first = await readNodeRows(dp, src, { limit: 1 });
      if (roleOf(undefined, first.rows, dp, src) === "text") out.push(...textHasNoPrompts(dp, src.block || src.id).diagnostics);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      out.push(...err.diagnostics); // an unreadable file: the same error plan and the other checks report
    }
  }
  return out;
}
