// Every example of `alignc explain` is true, through the commands a user types (the CLI's own main(),
// in a child process: test/cli/fixtures/explain-main.ts): `alignc check r.align` and then the
// example's command, in a temp folder holding the recipe and its files. The bad recipe raises its
// code at that command and nothing else (nothing at all before it); the fix raises nothing. Every
// code of every table is either exemplified or listed, with its reason, in NO_EXAMPLE and below.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { allCodes, EXAMPLES, explain, NO_EXAMPLE, renderExplanation } from "../../src/cli/explain.js";
import type { Step } from "./fixtures/explain-main.js";

/** The codes without an example, and why; a new code needs an example or a line here. */
const WITHOUT_EXAMPLE: Record<string, string> = {
  AL1007: "an example's files are written as UTF-8 text",
  AL1015: "an example would be 20,001 lines",
  AL1999: "a parser bug, never a recipe's fault",
  AL3023: "retired: every prompts reader gives a reference answer or refuses first (AL2040, AL3060, AL3030)",
  AL3050: "the checker meets every tokenizer error first",
  AL3061: "its fix is a run that trains",
  AL4010: "a file removed between check and plan: a race, not a recipe",
  AL4013: "a non-diagnostic failure of the data layer: a bug or an I/O error",
  AL4023: "its input is a binary safetensors file, which the examples' text files cannot hold (test/run/weights-file.test.ts builds one)",
  AL4606: "the CLI refuses a bad --target-version or --nodes as usage (exit 2) first",
  AL5001: "only training meets a non-finite loss",
  AL5002: "the run-time guard behind AL4023: the plan refuses the file first",
  AL5003: "a race with another process's --force, not a recipe",
  AL5004: "a file edited while the run uses it, a race, not a recipe",
};

/** Examples whose diagnostic has no line:col, only a file: each a message to locate better, listed so a new one is noticed. */
const UNLOCATED: Record<string, string> = {
  AL4011: "the recipe without a line: the variant is a command-line argument",
  AL4609: "the recipe without a line: the missing --variant is a command-line argument",
  AL4610: "the recipe without a line: --until is a command-line argument",
};

/** Codes that only the command line gets wrong: their bad example exits 2 (usage), as `alignc run` does for the same. */
const USAGE_EXIT: Record<string, string> = {
  AL4609: "a swept recipe exported without --variant",
  AL4610: "--until naming no stage",
};

function fixture(): string {
  for (const ext of [".js", ".ts"]) {
    const p = fileURLToPath(new URL(`./fixtures/explain-main${ext}`, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error("fixture explain-main not found");
}

async function runExamples(codes: string[]): Promise<Record<string, { bad: Step[]; fix: Step[] }>> {
  const dir = mkdtempSync(join(tmpdir(), "alignc-explain-"));
  try {
    const env = { ...process.env, NO_COLOR: "1", ALIGNC_CACHE_DIR: join(dir, ".cache") };
    const child = spawn(process.execPath, [...process.execArgv, fixture(), join(dir, "examples"), ...codes], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exit = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(exit, 0, `the examples' child failed: ${stderr.slice(-3000)}`);
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, { bad: Step[]; fix: Step[] }>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const show = (s: Step): string => `\`alignc ${s.argv.join(" ")}\` exited ${s.exit}:\n${s.output.trimEnd()}`;

/** What is wrong with one example's run, or null when it is right. */
function verdict(code: string, r: { bad: Step[]; fix: Step[] }): string | null {
  const ex = EXAMPLES[code]!;
  const allowed = new Set([code, ...(ex.with ?? [])]);
  const last = r.bad.at(-1)!;
  for (const s of r.bad.slice(0, -1)) if (s.diagnostics.some((d) => d.severity === "error") || s.exit !== 0) return `the bad recipe already fails before \`${ex.command}\`: ${show(s)}`;
  if (!last.diagnostics.some((d) => d.code === code)) return `the bad recipe does not raise ${code}: ${show(last)}`;
  const others = last.diagnostics.filter((d) => !allowed.has(d.code));
  if (others.length > 0) return `the bad recipe raises ${others.map((d) => d.code).join(", ")} besides ${code}: ${show(last)}`;
  const isError = last.diagnostics.some((d) => d.code === code && d.severity === "error");
  if (last.exit !== (isError ? (USAGE_EXIT[code] ? 2 : 1) : 0)) return `the bad recipe exits ${last.exit}: ${show(last)}`;
  for (const s of r.fix) if (s.exit !== 0 || s.diagnostics.length > 0) return `the fix is not clean: ${show(s)}`;
  return null;
}

test("every example raises its code through the command a user types, and its fix raises nothing", { timeout: 300_000 }, async () => {
  const only = (process.env["EXPLAIN_ONLY"] ?? "").split(",").filter(Boolean); // a few codes, when trying examples by hand
  const results = await runExamples(only);
  const wrong: string[] = [];
  for (const code of Object.keys(EXAMPLES)) {
    if (only.length > 0 && !only.includes(code)) continue;
    const v = verdict(code, results[code]!);
    if (v) wrong.push(`${code}: ${v}`);
  }
  assert.deepEqual(wrong, [], wrong.join("\n\n"));
  // every diagnostic an example shows is located at a line and column, except the ones listed
  const unlocated = Object.entries(results).filter(([, r]) => r.bad.at(-1)!.diagnostics.some((d) => !/:\d+:\d+$/.test(d.where))).map(([code]) => code);
  assert.deepEqual(unlocated.sort(), Object.keys(UNLOCATED).filter((c) => only.length === 0 || only.includes(c)).sort());
});

test("every code has an example or, listed here and in NO_EXAMPLE, the reason it has none", () => {
  const codes = allCodes();
  assert.ok(codes.length > 100);
  for (const c of codes) assert.ok(explain(c)?.meaning, c);
  const missing = codes.filter((c) => !EXAMPLES[c] && !NO_EXAMPLE[c]);
  assert.deepEqual(missing, [], `codes with neither an example nor a reason: ${missing.join(" ")}`);
  assert.deepEqual(Object.keys(NO_EXAMPLE).sort(), Object.keys(WITHOUT_EXAMPLE).sort());
  for (const c of Object.keys(NO_EXAMPLE)) assert.ok(!EXAMPLES[c], `${c} has both an example and a reason to have none`);
  for (const c of [...Object.keys(EXAMPLES), ...Object.keys(NO_EXAMPLE)]) assert.ok(codes.includes(c), `${c} is in no code table`);
  assert.equal(explain("AL9999"), null);
});

test("alignc explain prints the meaning, the command, the recipe with its files, and the fix", () => {
  assert.match(renderExplanation(explain("al2004")!), /AL2004: unknown property[\s\S]*raised by `alignc check r\.align`[\s\S]*layer = 2[\s\S]*fix:[\s\S]*layers = 2/);
  const withFiles = renderExplanation(explain("AL2010")!);
  assert.match(withFiles, /corpus\.txt:\n {4}one plus one/);
  assert.match(withFiles, /fix:[\s\S]*corpus\.txt: as above/);
  assert.match(renderExplanation(explain("AL1999")!), /no example: a bug in alignc's parser/);
});
