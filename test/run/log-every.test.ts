// log_every is not hashed (editing it retrains nothing), so a cache hit's metric rows are those of the run
// that computed it: one recipe gave 5 or 51 rows by what the cache held (huntG40 M1). Said, not hidden.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import type { Progress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { outcome, tempDir } from "./helpers.js";
import { writeMicro } from "./micro.js";

function listening(lines: string[]): Progress {
  return { stage: () => ({ update() {}, done() {} }), info: (l) => void lines.push(l), stop() {} };
}

test("a hit whose rows were logged at another log_every says so, in the run's lines and its record; at the same cadence nothing is said", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const recipe = writeMicro(dir);
    const paths = { runsDir: `${dir}/runs`, cacheRoot: `${dir}/cache`, workers: 1 };
    assert.equal(outcome(await runRecipe(recipe, { ...paths, progress: listening([]), until: "sft" })).exitCode, 0);
    const same: string[] = [];
    const again = outcome(await runRecipe(recipe, { ...paths, progress: listening(same), until: "sft" }));
    assert.equal(again.manifest.nodes.find((n) => n.id === "pre")!.loggedEvery, undefined);
    assert.ok(!same.some((l) => /logged every/.test(l)), same.join("\n"));
    writeFileSync(recipe, readFileSync(recipe, "utf8").replace(/(stage pre = pretrain \{[^\n]*)log_every = 2/, "$1log_every = 3"));
    const lines: string[] = [];
    const other = outcome(await runRecipe(recipe, { ...paths, progress: listening(lines), until: "sft" }));
    const pre = other.manifest.nodes.find((n) => n.id === "pre")!;
    assert.deepEqual([pre.status, pre.loggedEvery], ["cached", 2], "the same hash, the first run's rows");
    assert.ok(lines.includes("pre: cached; its metric rows are those of the run that computed it, logged every 2 steps (this plan: log_every = 3, which is not hashed; --force pre logs them anew)"), lines.join("\n"));
  } finally {
    cleanup();
  }
});
