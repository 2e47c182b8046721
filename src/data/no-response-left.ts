// AL3030 for an example that keeps no response token at its stage's max_length (truncate = "right"
// and a prompt that fills the window, say): it would train on nothing. The tokenizer finds it
// (tokenize.ts NoResponseLeft) but knows no recipe; check and plan find it from their counts
// (truncation.ts countSft). Both report it here, where the user can fix it: the stage's `truncate`
// where the recipe declares a policy that cuts the response (prompt_first never does), else its
// `max_length`, else its data; naming the example and, when known, its row (file:line).
import { isAbsolute, relative } from "node:path";
import type { Diagnostic } from "../lang/diagnostic.js";
import { CODES, DataError, dataDiag } from "./diag.js";
import { declaredAt, siteOf, type DataNode, type DataPlan } from "./plan-input.js";
import { NoResponseLeft } from "./tokenize.js";
import type { NoResponseExample, TruncatePolicy } from "./truncation.js";

/** Where an example's row is, as `file:line` relative to the recipe, when its source reads a file. */
export function rowOf(dp: DataPlan, ex: { source: string; line?: number }): string | undefined {
  if (ex.line === undefined) return undefined;
  // a source block reads its file itself; a task or stage reading one in place has a `NAME/data` read node
  const read = [ex.source, `${ex.source}/data`].map((id) => dp.nodes.get(id)).find((n) => n?.op === "read");
  const p = read?.params.path;
  const rel = p !== null && typeof p === "object" && !Array.isArray(p) ? p.$file : p;
  if (typeof rel !== "string") return `line ${ex.line} of \`${ex.source}\``;
  return `${isAbsolute(rel) ? relative(dp.dir, rel) : rel}:${ex.line}`;
}

/**
 * The located error for stage `stage`'s example `ex`, cut to `maxLength` tokens (the stage's
 * window, as the recipe writes it) by `policy`; `count`: how many of how many counted examples do so.
 */
export function noResponseLeftDiagnostic(dp: DataPlan, stage: DataNode, ex: NoResponseExample, maxLength: number, policy: TruncatePolicy, count?: { n: number; of: number; sampled: boolean }): Diagnostic {
  const at = (policy !== "prompt_first" ? declaredAt(dp, stage, "truncate") : null) ?? declaredAt(dp, stage, "max_length") ?? siteOf(dp, stage, "data");
  const row = rowOf(dp, ex);
  const others = count && count.n > 1 ? `; ${count.n} of ${count.of}${count.sampled ? " sampled" : ""} training examples do` : "";
  return dataDiag(
    CODES.emptyResponse,
    `stage \`${stage.id}\`: example ${ex.id}${row ? ` (${row})` : ""} keeps no response token at max_length ${maxLength} (truncate = "${policy}"): its prompt is ${ex.promptTokens} tokens, its response ${ex.responseTokens}; it would train on nothing${others}`,
    at.file,
    at.span,
    `raise max_length (and the model context), shorten the prompts, or keep the response whole with truncate = "prompt_first"`,
  );
}

/** `build()` with a NoResponseLeft from the tokenizer relocated at stage `stage` (the window the run
 * tokenizes to is max_length inputs and one target token: `window` is max_length). */
export function locateNoResponseLeft<T>(dp: DataPlan, stage: DataNode, window: number, build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (!(err instanceof NoResponseLeft)) throw err;
    const ex = err.example;
    const named: NoResponseExample = { id: ex.id, source: ex.meta.source, ...(ex.meta.line !== undefined ? { line: ex.meta.line } : {}), promptTokens: err.promptTokens, responseTokens: err.responseTokens };
    throw new DataError([noResponseLeftDiagnostic(dp, stage, named, window, err.policy)]);
  }
}
