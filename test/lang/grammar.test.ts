// The grammar itself: chevrotain's validations pass, and the generated files are up to date.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cstDts, diagramsHtml } from "../../grammar/artifacts.js";
import { createToken, Lexer, type TokenType } from "../../grammar/chevrotain.js";
import { allTokens, makeLexer } from "../../grammar/lexer.js";
import { AlignParser } from "../../grammar/parser.js";
import { repoRoot } from "./helpers.js";

test("the lexer and the parser pass chevrotain's definition checks", () => {
  assert.doesNotThrow(() => makeLexer(true)); // throws on bad or non-optimizable token definitions
  assert.doesNotThrow(() => new AlignParser({ skipValidations: false })); // throws on ambiguities, left recursion …
});

test("each token's line_breaks is what chevrotain's own analysis of its pattern finds", () => {
  // grammar/lexer.ts declares line_breaks on every token so the lexer skips that analysis at start-up;
  // a wrong declaration would break line numbers after a token that spans lines (or slow the lexer)
  const undeclared = allTokens.map((t) => createToken({ name: t.name, pattern: t.PATTERN! }));
  const analysed = new Lexer(undeclared, { positionTracking: "full", skipValidations: true }) as unknown as { patternIdxToConfig: { defaultMode: { canLineTerminator: boolean }[] } };
  const found = analysed.patternIdxToConfig.defaultMode; // chevrotain's analysis, per token in definition order
  assert.equal(found.length, allTokens.length);
  allTokens.forEach((t, i) => assert.equal(t.LINE_BREAKS, found[i]!.canLineTerminator, `${t.name}: line_breaks`));
});

test("each token's start_chars_hint gives the first-character dispatch chevrotain's own analysis gives", () => {
  // grammar/lexer.ts declares start_chars_hint on every token so the lexer skips parsing each pattern
  // at start-up; a missing character would make a token unmatchable where it starts with it
  type Dispatch = { charCodeToPatternIdxToConfig: { defaultMode: ({ tokenType: { name: string } }[] | undefined)[] }; canModeBeOptimized: { defaultMode: boolean } };
  const table = (lexer: unknown): string[] => (lexer as Dispatch).charCodeToPatternIdxToConfig.defaultMode.map((cfgs) => (cfgs ?? []).map((c) => c.tokenType.name).join(" "));
  // a pattern scanned by a function (the string tokens in grammar/lexer.ts) cannot be analysed:
  // its hint is all there is, checked below against the function itself
  const custom = (t: TokenType) => typeof t.PATTERN === "object" && t.PATTERN !== null && !(t.PATTERN instanceof RegExp);
  const unhinted = allTokens.map((t) => createToken({ name: t.name, pattern: t.PATTERN!, line_breaks: t.LINE_BREAKS ?? false, ...(custom(t) ? { start_chars_hint: t.START_CHARS_HINT } : {}) }));
  for (const t of allTokens.filter(custom)) {
    const exec = (t.PATTERN as { exec: (text: string, offset: number) => unknown }).exec;
    for (let c = 0; c < 128; c++) if (exec(`${String.fromCharCode(c)}x"`, 0) !== null) assert.ok(t.START_CHARS_HINT!.includes(String.fromCharCode(c)), `${t.name} starts with ${JSON.stringify(String.fromCharCode(c))}`);
  }
  const analysed = new Lexer(unhinted, { positionTracking: "full", skipValidations: true });
  const hinted = makeLexer(false);
  assert.equal((hinted as unknown as Dispatch).canModeBeOptimized.defaultMode, true);
  assert.deepEqual(table(hinted), table(analysed));
  assert.ok(allTokens.every((t) => Array.isArray(t.START_CHARS_HINT)), "every token declares start_chars_hint");
});

test("generated/cst.d.ts and grammar/diagrams.html match the grammar (run `npm run generate`)", () => {
  const parser = new AlignParser();
  assert.equal(readFileSync(join(repoRoot(), "generated", "cst.d.ts"), "utf8"), cstDts(parser), "generated/cst.d.ts is stale");
  const html = readFileSync(join(repoRoot(), "grammar", "diagrams.html"), "utf8");
  assert.equal(html, diagramsHtml(parser), "grammar/diagrams.html is stale");
  assert.doesNotMatch(html, /(src|href)='https?:/, "the diagrams page loads nothing from the network");
});
