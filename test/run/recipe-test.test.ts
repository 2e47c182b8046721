// `alignc test` as a library: goldens written with --update, then compared; a changed parameter is
// reported as a differing node; the --tiny run is checked against the recipe's expect block.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createProgress } from "../../src/run/progress.js";
import { passed, recipeFiles, testRecipe } from "../../src/run/recipe-test.js";
import { tempDir } from "./helpers.js";
import { microRecipe, writeMicro } from "./micro.js";

const quiet = createProgress({ quiet: true });

test("goldens: missing → fail; --update writes; equal → pass; a changed parameter → differs, naming the node", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = writeMicro(dir);
    assert.deepEqual(recipeFiles(dir), [file]);
    const missing = await testRecipe(file, { run: false });
    assert.equal(missing.golden, "missing");
    assert.ok(!passed(missing));
    const updated = await testRecipe(file, { run: false, update: true });
    assert.equal(updated.golden, "updated");
    assert.ok(existsSync(join(dir, "micro.plan.json")));
    const equal = await testRecipe(file, { run: false });
    assert.equal(equal.golden, "equal", equal.goldenDetail.join("\n"));
    assert.ok(passed(equal));
    writeFileSync(file, microRecipe({ klCoef: 0.5 }));
    const differs = await testRecipe(file, { run: false });
    assert.equal(differs.golden, "differs");
    assert.ok(differs.goldenDetail.some((l) => /~ policy: .*kl_coef/.test(l)), differs.goldenDetail.join("\n"));
    assert.ok(!passed(differs));
  } finally {
    cleanup();
  }
});

test("a --tiny run meets the expect block; a failing expectation fails the recipe with exit 3", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = writeMicro(dir);
    const o = { update: true, runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: quiet };
    const ok = await testRecipe(file, o);
    assert.equal(ok.run?.exitCode, 0, ok.run?.message ?? "");
    assert.equal(ok.run?.manifest?.tiny, true);
    assert.ok(passed(ok));
    // the same recipe with an expectation no run can meet: cached stages, the gate fails
    writeFileSync(file, readFileSync(file, "utf8").replace("judge.win_rate >= 0", "judge.win_rate > 1"));
    const bad = await testRecipe(file, o);
    assert.equal(bad.run?.exitCode, 3);
    assert.ok(!passed(bad));
    assert.ok(bad.run?.manifest?.nodes.filter((n) => ["pre", "sft", "rm", "policy"].includes(n.id)).every((n) => n.status === "cached"));
  } finally {
    cleanup();
  }
});
