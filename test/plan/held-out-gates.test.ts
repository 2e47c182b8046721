// AL4029: an `expect` line on a stage's held-out figure whose data holds nothing out is a plan error (the
// run trained every stage, then failed the gate for want of the figure); where the stage holds data out
// it stays quiet. A pretrain stage's held-out share is its own `holdout` (review38 H1: a size counted for
// another holdout was read back from the cache and made a valid sweep variant fail).
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../src/compile.js";
import { microRecipe } from "../run/micro.js";
import { tempDir } from "../run/helpers.js";

async function codes(dir: string, name: string, edit: (r: string) => string, gate: string): Promise<string[]> {
  const file = join(dir, `${name}.align`);
  writeFileSync(file, `${edit(microRecipe({ name }))}expect { ${gate} }\n`);
  const r = await compile(file, { machine: false });
  return r.diagnostics.filter((d) => d.code === "AL4029").map((d) => d.message);
}

test("AL4029 where a gate reads a held-out figure the stage cannot have; quiet where it holds data out", async () => {
  const { dir, cleanup } = tempDir();
  try {
    // held out through a mixture's source, a reward model's rankings, a pretrain stage's default share: quiet
    assert.deepEqual(await codes(dir, "a", (r) => r, "sft.val_loss < 100"), []);
    assert.deepEqual(await codes(dir, "b", (r) => r, "rm.accuracy > 0"), []);
    assert.deepEqual(await codes(dir, "c", (r) => r, "pre.val_loss < 100"), []);
    // nothing held out: the mixture's sources, the rankings, the pretrain stage's own share
    const noDemos = (r: string) => r.replace("holdout = 0.1  limit = 300", "limit = 300").replace("stage sft = sft { init = pre  data = sft_data", "stage sft = sft { init = pre  data = demos").replace(/^eval held = .*$/m, "");
    const [sft] = await codes(dir, "d", noDemos, "sft.val_loss < 100");
    assert.match(sft ?? "", /expect sft\.val_loss < 100: stage `sft` has no val_loss: its data holds no examples out; set `holdout` on the data it trains on/);
    // (the recipe's evals on heldout(prefs) go too: without a holdout they are the checker's AL2035)
    const [rm] = await codes(dir, "e", (r) => r.replace("holdout = 0.2  limit = 100", "limit = 100").replace(/^eval .*heldout\(prefs\).*$/gm, "").replace(/^\s*(rm_acc|judge)\.[^\n]*$/gm, ""), "rm.heldout_accuracy > 0");
    assert.match(rm ?? "", /stage `rm` has no heldout_accuracy/);
    const [pre] = await codes(dir, "f", (r) => r.replace("steps = 6  batch_size = 4  log_every = 2 }", "steps = 6  batch_size = 4  log_every = 2  holdout = 0 }"), "pre.val_loss < 100");
    assert.match(pre ?? "", /stage `pre` has no val_loss: .*set the stage's `holdout` above 0/);
  } finally {
    cleanup();
  }
});
