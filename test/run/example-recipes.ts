// `alignc test recipes/` in npm test: each example recipe against its golden plan and its --tiny run against its
// `expect` block (about 5 minutes on 2 cores for all of them; ALIGNC_TEST_RUNS=0 skips the runs while
// iterating — the micro-recipe e2e tests cover the executor either way).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { goldenPath } from "../../src/plan/golden.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { recipeFiles, testRecipe } from "../../src/run/recipe-test.js";
import { tempDir } from "./helpers.js";
import { repoRoot } from "./micro.js";

const runs = process.env.ALIGNC_TEST_RUNS !== "0";

/** The example recipes whose name passes `pick`, each against its golden plan and (unless
 * ALIGNC_TEST_RUNS=0, or the recipe is in `plansOnly` with the reason) its --tiny run. Recipes of one
 * group share a cache, so a recipe that extends another reuses its stages. npm test runs two groups as
 * two files, in parallel. */
export function testExampleRecipes(group: string, pick: (file: string) => boolean, plansOnly: Readonly<Record<string, string>> = {}): void {
  test(`example recipes (${group}) match their golden plans${runs ? " and meet their expect blocks on --tiny runs" : " (tiny runs skipped: ALIGNC_TEST_RUNS=0)"}`, async (t) => {
    const { dir, cleanup } = tempDir();
    // never the user's caches: sizes (ALIGNC_CACHE_DIR) and run outputs (ALIGNC_CACHE) in the temp dir
    const saved = { sizes: process.env.ALIGNC_CACHE_DIR, runs: process.env.ALIGNC_CACHE };
    process.env.ALIGNC_CACHE_DIR = join(dir, "sizes-cache");
    process.env.ALIGNC_CACHE = join(dir, "cache");
    try {
      for (const file of recipeFiles(join(repoRoot(), "recipes")).filter(pick)) {
        await t.test(basename(file), async (st) => {
          if (!existsSync(goldenPath(file))) {
            st.skip(`no golden ${basename(goldenPath(file))} yet (alignc test --update writes it)`);
            return;
          }
          const why = plansOnly[basename(file)];
          if (runs && why) st.diagnostic(`${basename(file)}: golden plan only, no --tiny run in npm test: ${why}`);
          const r = await testRecipe(file, { run: runs && !why, runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }) });
          assert.equal(r.golden, "equal", r.goldenDetail.join("\n"));
          for (const x of r.runs) assert.equal(x.exitCode, 0, `${x.variant ?? "tiny run"}: ${x.message ?? ""}\n${(x.manifest?.expectations ?? []).map((e) => e.message).join("\n")}`);
        });
      }
    } finally {
      for (const [k, v] of [["ALIGNC_CACHE_DIR", saved.sizes], ["ALIGNC_CACHE", saved.runs]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      cleanup();
    }
  });
}
