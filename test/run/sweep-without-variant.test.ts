// `alignc run` on a swept recipe without --variant is a usage error naming the variants (exit 2), never a
// crash: a seed sweep gives every node a variant id (`chars[seed=1]`), which the swept recipe's own data
// layer does not hold, and measuring its data before the refusal was exit 70.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { tempDir } from "./helpers.js";
import { writeMicro } from "./micro.js";

test("a seed sweep run without --variant is refused as usage, naming its variants; nothing is trained", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeMicro(dir);
    const file = join(dir, "seeds.align");
    writeFileSync(file, `recipe seeds extends "micro.align" { seed = sweep [1, 2] }\n`);
    const r = await runRecipe(file, { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }), workers: 1 });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.usage === true, "a usage error (exit 2)");
    assert.match(!r.ok ? (r.message ?? "") : "", /sweeps 2 variants; run one with --variant NAME \(seeds\[seed=1\], seeds\[seed=2\]\)/);
  } finally {
    cleanup();
  }
});
