// The helpers of the AL2xxx code tests (codes.test.ts, codes-al2029-al2042.test.ts): a snippet's
// line:col, FULL with one piece swapped, and codeTest, whose code the coverage test finds in their source.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CODES } from "../../src/check/codes.js";
import { FULL } from "./helpers.js";

/** line:col (1-based) of the first occurrence of `needle` in `src` (after `from`, when given). */
export function at(src: string, needle: string, from?: string): [number, number] {
  const i = src.indexOf(needle, from ? src.indexOf(from) : 0);
  assert.ok(i >= 0, `needle ${needle} not in snippet`);
  const before = src.slice(0, i);
  const line = before.split("\n").length;
  return [line, i - before.lastIndexOf("\n")];
}
export const swap = (from: string, to: string): string => {
  assert.ok(FULL.includes(from), `FULL has no ${from}`);
  return FULL.replace(from, to);
};
export const PRE = `stage pre = pretrain { init = m  data = text("data/corpus.txt")  steps = 10 }\n`;

/** A test of one code, named by it (the coverage test in codes.test.ts reads `codeTest("ALxxxx"` from the files). */
export function codeTest(code: keyof typeof CODES, name: string, fn: () => Promise<void>): void {
  test(`${code} ${name}`, fn);
}
