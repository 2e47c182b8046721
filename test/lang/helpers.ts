// Shared helpers for the language tests.
import assert from "node:assert/strict";
import type { Diagnostic } from "../../src/lang/diagnostic.js";
import { parseRecipe } from "../../src/lang/parse.js";
export { repoRoot } from "../repo-root.js";

const show = (ds: Diagnostic[]): string => ds.map((d) => `${d.span?.line}:${d.span?.col} ${d.code} ${d.message}`).join("\n") || "(none)";

/** Parsing `src` reports `code` at `line:col` (among possibly others). */
export function expectError(src: string, code: string, line: number, col: number): Diagnostic {
  const { diagnostics } = parseRecipe(src, "snippet.align");
  const hit = diagnostics.find((d) => d.code === code && d.span?.line === line && d.span?.col === col);
  assert.ok(hit, `expected ${code} at ${line}:${col}, got:\n${show(diagnostics)}`);
  assert.equal(hit.file, "snippet.align");
  assert.equal(hit.severity, "error");
  return hit;
}

/** Parsing `src` reports nothing. */
export function expectClean(src: string): void {
  const { diagnostics } = parseRecipe(src, "snippet.align");
  assert.deepEqual(diagnostics, [], show(diagnostics));
}
