// Names do not enter hashes, nor the files under them (huntG40 M3): a stage's model.safetensors carried
// its block name, so renaming the stage and forcing it wrote other bytes under the same hash, and every
// entry computed from it was computed again ("from another output of tune than the one cached now").
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { StageCache } from "../../src/run/storage/cache.js";
import { outcome, tempDir } from "./helpers.js";
import { writeMicro } from "./micro.js";

const quiet = createProgress({ quiet: true });

test("a renamed stage forced anew writes the same bytes under its hash: every entry computed from it stays a hit", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const recipe = writeMicro(dir);
    const paths = { runsDir: `${dir}/runs`, cacheRoot: `${dir}/cache`, progress: quiet, workers: 1 };
    const first = outcome(await runRecipe(recipe, paths));
    assert.equal(first.exitCode, 0);
    const sft = first.manifest.nodes.find((n) => n.id === "sft")!;
    const cache = new StageCache(paths.cacheRoot);
    // the node's own log rows name it and carry compute times: two computations differ there and only there
    const outputs = () => Object.fromEntries(Object.entries(cache.get(sft.hash)!.meta.files).filter(([f]) => !f.endsWith(".jsonl")));
    const bytes = outputs();
    writeFileSync(recipe, readFileSync(recipe, "utf8").replace(/\bsft\b(?! \{)/g, "tune"));
    const again = outcome(await runRecipe(recipe, { ...paths, force: ["tune"] }));
    assert.equal(again.exitCode, 0);
    const tune = again.manifest.nodes.find((n) => n.id === "tune")!;
    assert.deepEqual([tune.hash, tune.status], [sft.hash, "computed"]);
    assert.deepEqual(outputs(), bytes, "the same output files, byte for byte");
    // (data nodes are built in memory by every run that reads them)
    const recomputed = again.manifest.nodes.filter((n) => /^(stage|eval)/.test(n.kind) && n.id !== "tune" && n.status !== "cached").map((n) => `${n.id} ${n.status}`);
    assert.deepEqual(recomputed, [], "no stage or eval downstream computed again");
  } finally {
    cleanup();
  }
});
