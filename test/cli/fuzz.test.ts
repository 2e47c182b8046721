// Fuzzed recipes through the command line (issue 15, point 7): for any word- or character-level
// mutation of the micro recipe (bounds crossed, missing files and devices, control characters,
// broken structure), `alignc check` and `alignc plan --json` end with diagnostics and exit 0, 1 or 2:
// never a thrown error, which bin/alignc.js reports as an internal error with exit 70. `plan` reads
// the recipe's data and renders its templates, so this covers the data layer's plan-time checks too.
// The checker and parser alone are fuzzed harder in test/check/robust.test.ts and test/lang/robust.test.ts.
//
// In a child process (the commands write to stdout, which node:test's runner owns here), under a
// fixed seed and a bounded number of runs (FC_SEED=n explores others by hand).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const seed = Number(process.env["FC_SEED"] ?? 20261202);
const RUNS = 80;

function fixture(): string {
  for (const ext of [".js", ".ts"]) {
    const p = fileURLToPath(new URL(`./fixtures/fuzz-main${ext}`, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error("fixture fuzz-main not found");
}

test(`alignc check and plan on ${RUNS} fuzzed micro recipes: exit 0, 1 or 2, never an internal error`, { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-fuzz-cli-"));
  try {
    const child = spawn(process.execPath, [...process.execArgv, fixture(), String(seed), String(RUNS), dir], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // "close", not "exit": the summary is the child's last line, which may still be in the pipe at "exit"
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    assert.equal(code, 0, `the fuzz child failed: ${stderr.slice(-2000)}`);
    const r = JSON.parse(stdout.trim().split("\n").at(-1)!) as { runs: number; codes: Record<string, number>; failure: string | null };
    assert.equal(r.failure, null, r.failure ?? "");
    assert.equal(r.runs, 2 * RUNS);
    // the mutations reach both outcomes of both commands, so the property is not vacuous
    for (const k of ["check 0", "check 1", "plan 0", "plan 1"]) assert.ok((r.codes[k] ?? 0) > 0, `no \`${k}\` among ${JSON.stringify(r.codes)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
