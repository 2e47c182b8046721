// Golden plans: every example recipe in recipes/ is recompiled and compared with its
// recipes/NAME.plan.json. ALIGNC_UPDATE_GOLDENS=1 rewrites them (as `alignc test --update` does).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../src/compile.js";
import { compareGolden, ESTIMATE_TOLERANCE, goldenPath, goldenText, writeGolden } from "../../src/plan/golden.js";
import { renderDiff } from "../../src/plan/render.js";
import { tempDir } from "./fixture.js";
import { repoRoot } from "../repo-root.js";

// Goldens never depend on the user's ~/.cache: a fresh sizes cache, filled by the first compile and
// read by the second, so a cached size that differs from a measured one fails here too.
process.env.ALIGNC_CACHE_DIR = tempDir("alignc-golden-cache-");

const recipesDir = join(repoRoot(), "recipes");
const recipes = readdirSync(recipesDir).filter((f) => f.endsWith(".align")).sort();

test("goldenPath names the plan beside its recipe", () => {
  assert.equal(goldenPath("recipes/quickstart.align"), "recipes/quickstart.plan.json");
});

for (const file of recipes) {
  test(`golden plan of recipes/${file}`, async () => {
    const path = join(recipesDir, file);
    // machine-independent: no memory check against this machine; time is stripped from goldens anyway
    const r = await compile(path, { machine: false, backend: "wasm" });
    assert.ok(r.plan, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
    const warm = await compile(path, { machine: false, backend: "wasm" });
    assert.equal(warm.plan && goldenText(warm.plan), goldenText(r.plan), "a plan from cached sizes equals the measured one");
    if (process.env.ALIGNC_UPDATE_GOLDENS === "1") writeGolden(path, r.plan);
    assert.ok(existsSync(goldenPath(path)), `no golden ${goldenPath(path)}: run ALIGNC_UPDATE_GOLDENS=1 npm test (or alignc test --update)`);
    const text = readFileSync(goldenPath(path), "utf8");
    assert.ok(!text.includes(recipesDir) && !/"\/(home|tmp|work|Users)\//.test(text), "golden holds no absolute path");
    const cmp = compareGolden(r.plan, text);
    assert.ok(cmp.equal, `plan differs from ${goldenPath(path)}:\n${renderDiff(cmp.diff)}estimates differ: ${cmp.estimates.join(", ") || "none"}`);
  });
}

test("goldens: structure and hashes exactly, estimates within ESTIMATE_TOLERANCE", () => {
  const text = readFileSync(join(recipesDir, "quickstart.plan.json"), "utf8");
  const golden = JSON.parse(text) as import("../../src/plan/types.js").Plan;
  const withFlops = (f: number) => ({ ...golden, nodes: golden.nodes.map((n) => (n.id === "sft" ? { ...n, estimates: { ...n.estimates, flops: n.estimates.flops! * f } } : n)) });
  assert.ok(compareGolden(withFlops(1 + ESTIMATE_TOLERANCE / 2), text).equal, "a small change in an estimate keeps the golden");
  const far = compareGolden(withFlops(1 + ESTIMATE_TOLERANCE * 2), text);
  assert.ok(!far.equal);
  assert.deepEqual(far.estimates, ["sft"]);
  const rehashed = { ...golden, nodes: golden.nodes.map((n) => (n.id === "sft" ? { ...n, hash: "0".repeat(64) } : n)) };
  assert.ok(!compareGolden(rehashed, text).equal, "a hash differs: never within tolerance");
});
