// A stage cache folder that cannot exist (`runs/.cache` is a file, ALIGNC_CACHE names a path under a
// file) is refused before the run folder is made: each `alignc run` left one more `failed` run folder
// behind, its first node failed with ENOTDIR, although bad input stops before anything is written
// (found by an audit).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { microRecipe, repoRoot } from "./micro.js";
import { cacheRootProblem } from "../../src/run/storage/cache-root.js";

function alignc(cwd: string, env: Record<string, string>, ...args: string[]) {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...env };
  if (!("ALIGNC_CACHE" in env)) delete e.ALIGNC_CACHE; // the default: the runs folder's .cache
  return spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), ...args], { cwd, encoding: "utf8", env: e });
}

test("alignc run with runs/.cache a file, or ALIGNC_CACHE under a file: exit 1 naming the path, no run folder made", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-cache-root-"));
  writeFileSync(join(dir, "m.align"), microRecipe());
  mkdirSync(join(dir, "runs"));
  writeFileSync(join(dir, "runs", ".cache"), "mine\n");
  for (const [env, said] of [
    [{}, /^alignc run: the stage cache \S*runs\/\.cache is a file, not a folder \(move it away, or point ALIGNC_CACHE at another folder\); nothing run, no run folder made$/m],
    [{ ALIGNC_CACHE: join(dir, "runs", ".cache", "sub") }, /^alignc run: the stage cache \S*runs\/\.cache\/sub cannot be made: \S*runs\/\.cache is a file, not a folder \(point ALIGNC_CACHE at a folder\)/m],
  ] as const) {
    for (let i = 0; i < 2; i++) {
      const r = alignc(dir, env, "run", "m.align", "--until", "pre");
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, said);
    }
  }
  assert.deepEqual(readdirSync(join(dir, "runs")), [".cache"], "no run folder, failed or other");
  assert.equal(readFileSync(join(dir, "runs", ".cache"), "utf8"), "mine\n", "the file is left alone");
});

test("cacheRootProblem: a folder, or a path that can be made, is fine; a file on the way is not", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-cache-root-"));
  writeFileSync(join(dir, "f"), "");
  assert.equal(cacheRootProblem(dir), null);
  assert.equal(cacheRootProblem(join(dir, "new", "cache")), null);
  assert.equal(cacheRootProblem(join(dir, "f")), `${join(dir, "f")} is a file, not a folder`);
  assert.equal(cacheRootProblem(join(dir, "f", "a", "b")), `${join(dir, "f", "a", "b")} cannot be made: ${join(dir, "f")} is a file, not a folder`);
});
