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

/** Same items and values, and the same comment texts (fmt may move a comment out of a value), line
 * endings aside: fmt writes one kind of line break, inside a block comment too (a mixed-endings file's
 * CRLF comment was "internal error: … does not mean the same"; hunt38). */
export function sameRecipe(a: RecipeFile, b: RecipeFile): boolean {
  const comments = (r: RecipeFile) => JSON.stringify(r.comments.map((c) => c.text.replace(/\r\n/g, "\n")).sort());
  // a string's `multiline` is how it was written (`"""…"""` or `"…"`), not its value: fmt writes a triple-quoted
  // string holding a lone CR in quotes, and called that "internal error: … does not mean the same" (huntZ40 M2)
  const values = (r: RecipeFile) => JSON.stringify(stripSpans(r), (k, v: unknown) => (k === "multiline" ? undefined : v));
  return values(a) === values(b) && comments(a) === comments(b);
}
