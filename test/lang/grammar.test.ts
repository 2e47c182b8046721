// The grammar itself: chevrotain's validations pass, and the generated files are up to date.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cstDts, diagramsHtml } from "../../grammar/artifacts.js";
import { makeLexer } from "../../grammar/lexer.js";
import { AlignParser } from "../../grammar/parser.js";
import { repoRoot } from "./helpers.js";

test("the lexer and the parser pass chevrotain's definition checks", () => {
  assert.doesNotThrow(() => makeLexer(true)); // throws on bad or non-optimizable token definitions
  assert.doesNotThrow(() => new AlignParser({ skipValidations: false })); // throws on ambiguities, left recursion …
});

test("generated/cst.d.ts and grammar/diagrams.html match the grammar (run `npm run generate`)", () => {
  const parser = new AlignParser();
  assert.equal(readFileSync(join(repoRoot(), "generated", "cst.d.ts"), "utf8"), cstDts(parser), "generated/cst.d.ts is stale");
  const html = readFileSync(join(repoRoot(), "grammar", "diagrams.html"), "utf8");
  assert.equal(html, diagramsHtml(parser), "grammar/diagrams.html is stale");
  assert.doesNotMatch(html, /(src|href)='https?:/, "the diagrams page loads nothing from the network");
});
