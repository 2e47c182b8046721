// A cache folder that cannot be made under /proc (XDG_CACHE_HOME=/proc/1/nope) used to hang every
// command that writes a cache forever (Node's recursive mkdirSync spins there); makeDirs fails at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeDirs } from "../../src/common/make-dirs.js";
import { repoRoot } from "../repo-root.js";

test("makeDirs: creates the missing parents, accepts an existing folder, refuses a file in the way", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-makedirs-"));
  try {
    makeDirs(join(dir, "a", "b", "c"));
    assert.ok(statSync(join(dir, "a", "b", "c")).isDirectory());
    makeDirs(join(dir, "a", "b")); // exists: fine
    writeFileSync(join(dir, "f"), "x");
    assert.throws(() => makeDirs(join(dir, "f", "g")), { code: "ENOTDIR" });
    assert.throws(() => makeDirs(join(dir, "f")), { code: "ENOTDIR" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("alignc check with its cache folder under /proc finishes (no hang) and checks the recipe", { skip: existsSync("/proc/1") ? false : "no /proc on this system" }, () => {
  assert.throws(() => makeDirs("/proc/1/nope/alignc"));
  const r = spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), "check", join(repoRoot(), "recipes", "quickstart.align")], {
    encoding: "utf8",
    timeout: 30_000,
    killSignal: "SIGKILL",
    env: { ...process.env, XDG_CACHE_HOME: "/proc/1/nope", NO_COLOR: "1" },
  });
  assert.equal(r.signal, null, "alignc check did not finish in 30 s");
  assert.equal(r.status, 0, r.stderr);
});
