// Structural comparison of ASTs that ignores where things were written: used by `alignc fmt` to
// verify its output before writing, and by the round-trip property tests.
import type { RecipeFile } from "./ast.js";

/** A deep copy without `span` keys and without the file's comments. */
export function stripSpans(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripSpans);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "span" || k === "comments") continue;
    out[k] = stripSpans(v);
  }
  return out;
}

/** Same items and values, and the same comment texts (fmt may move a comment out of a value). */
export function sameRecipe(a: RecipeFile, b: RecipeFile): boolean {
  return (
    JSON.stringify(stripSpans(a)) === JSON.stringify(stripSpans(b)) &&
    JSON.stringify(a.comments.map((c) => c.text).sort()) === JSON.stringify(b.comments.map((c) => c.text).sort())
  );
}
