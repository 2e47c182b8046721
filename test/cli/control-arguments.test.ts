// Names given on the command line are quoted back in messages (`--until X: no such node`): one holding
// ESC or BEL (an OSC title sequence, a screen clear) reached the terminal raw. A name never holds a
// control character, so every command refuses one (exit 2, shown escaped) before it quotes it; a
// commander error (`--to X` is not a choice) shows it escaped too; paths and variants are not names (shown escaped).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../repo-root.js";

const ESC = "x\u001b]0;owned\u0007\u001b[2J";

test("a control character in a name argument is refused with exit 2, shown escaped; commander's choice errors are escaped too", () => {
  const recipe = join(repoRoot(), "recipes", "quickstart.align");
  const cases: [string[], RegExp][] = [
    [["explain", ESC], /^alignc explain: the code x\\x1b\]0;owned\\x07\\x1b\[2J holds a control character/],
    [["data", recipe, "--source", ESC], /^alignc data: --source x\\x1b/],
    [["data", recipe, "--export", "/tmp/x.jsonl", "--split", ESC], /^alignc data: --split x\\x1b/],
    [["run", recipe, "--until", ESC], /^alignc run: --until x\\x1b/],
    [["run", recipe, "--force", "pre", ESC], /^alignc run: --force x\\x1b/],
    // a variant is named by its swept values (a swept string may hold a line break): not refused, shown escaped
    [["plan", recipe, "--variant", ESC], /unknown variant name: x\\x1b\]0;owned\\x07/],
    [["label", recipe, "--source", ESC], /^alignc label: --source x\\x1b/],
    [["export", recipe, "--to", ESC, "--out", "/tmp/never"], /argument 'x\\x1b\]0;owned\\x07\\x1b\[2J' is invalid/],
  ];
  for (const [args, expected] of cases) {
    const r = spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    assert.equal(r.status, args.includes("--variant") ? 1 : 2, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, expected, args[0]);
    assert.ok(!/[\u0007\u001b]/.test(r.stderr + r.stdout), `${args.join(" ")}: nothing raw reaches the terminal`);
  }
  // run folders named on the command line are quoted escaped (they were raw)
  for (const [args, code, expected] of [[["runs", `/nonexistent/${ESC}`], 2, /^alignc runs: \/nonexistent\/x\\x1b.*: no such folder/], [["report", `/nonexistent/${ESC}`], 2, /^alignc report: no run "\/nonexistent\/x\\x1b/]] as const) {
    const r = spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), ...args], { encoding: "utf8" });
    assert.equal(r.status, code, r.stderr);
    assert.match(r.stdout + r.stderr, expected);
    assert.ok(!/[\u0007\u001b]/.test(r.stderr + r.stdout), args[0]);
  }
  // label --stats quotes its file in its errors: escaped
  const folder = mkdtempSync(join(tmpdir(), `alignc-ctl-${ESC}`));
  try {
    const r = spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), "label", "--stats", folder], { encoding: "utf8" });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /is a folder, not a regular file/);
    assert.ok(!/[\u0007\u001b]/.test(r.stderr + r.stdout), "label --stats");
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  // a path is not a name: not refused for it (here a missing file, named escaped)
  const missing = spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), "check", `/nonexistent/${ESC}.align`], { encoding: "utf8" });
  assert.equal(missing.status, 2);
  assert.doesNotMatch(missing.stderr, /holds a control character/);
  assert.match(missing.stderr, /x\\x1b\]0;owned\\x07\\x1b\[2J\.align/);
  assert.ok(!/[\u0007\u001b]/.test(missing.stderr));
});
