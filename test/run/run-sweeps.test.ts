// `alignc run` on a swept recipe: without --variant a usage error naming the variants (exit 2), never a
// crash (a seed sweep gives every node a variant id, `chars[seed=1]`, which the swept recipe's own data
// layer does not hold: measuring its data before the refusal was exit 70); with --all-variants, a closing
// line that says which variants did not run to the end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../src/common/repo-root.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { compileForRun } from "../../src/run/compile-run.js";
import { runAllVariants, variantsSummary } from "../../src/run/run-variants.js";
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
    // a sweep is refused before its budget is weighed: the bundled sweeps (quickstart-kl) exited 1 with
    // AL4009 on an estimate of unmeasured data where each variant fits (audit37)
    const kl = await runRecipe(join(repoRoot(), "recipes", "quickstart-kl.align"), { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }), workers: 1 });
    assert.ok(!kl.ok && kl.usage === true && /sweeps 2 variants/.test(kl.message ?? ""), JSON.stringify(!kl.ok && [kl.message, kl.diagnostics.map((d) => d.code)]));
  } finally {
    cleanup();
  }
});

test("--all-variants: a command-line error every variant shares stops at the first; the closing line names what did not run to the end", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeMicro(dir);
    const file = join(dir, "kl.align");
    writeFileSync(file, `recipe kl extends "micro.align" { policy.kl_coef = sweep [0.01, 0.02] }\n`);
    const o = { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }), workers: 1 };
    const bad = await runAllVariants(file, { ...o, until: "nope" });
    assert.equal(bad.total, 2);
    assert.equal(bad.runs.length, 1, "--until nope is refused once, not once per variant");
    assert.equal(variantsSummary(bad.total, bad.runs), "2 variants: 0 ran to the end, 1 did not: kl[kl_coef=0.01] (did not start); 1 not started");
    const good = await runAllVariants(file, { ...o, until: "pre" });
    assert.equal(variantsSummary(good.total, good.runs), "2 variants: 2 ran to the end");
  } finally {
    cleanup();
  }
});

test("--tiny scales a swept steps value by value and keeps the sweep and its names (it ran one unswept run at 60 steps; audit38 #1)", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeMicro(dir);
    const file = join(dir, "steps.align");
    writeFileSync(file, `recipe steps extends "micro.align" { pre.steps = sweep [20, 40] }\n`);
    const swept = await compileForRun(file, { tiny: true, measure: false });
    assert.deepEqual(swept.sweep, ["steps[steps=20]", "steps[steps=40]"]);
    for (const [name, steps] of [["steps[steps=20]", 10], ["steps[steps=40]", 20]] as const) {
      const one = await compileForRun(file, { tiny: true, variant: name, measure: false });
      assert.ok(one.plan, JSON.stringify(one.diagnostics));
      assert.equal(one.plan.recipe.variant, name);
      assert.equal(one.plan.nodes.find((n) => n.id === "pre")!.params.steps, steps);
      assert.equal((one.recipe!.blocks.find((b) => b.name === "pre")!.props.steps as number), steps, "the data layer reads the same value");
    }
  } finally {
    cleanup();
  }
});

test("--tiny says when it raises a stage's steps to its minimum: a recipe's `steps = 1` ran 4 steps unsaid (figures38 #2)", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeMicro(dir);
    const file = join(dir, "one.align");
    writeFileSync(file, `recipe one extends "micro.align" { policy.steps = 1 }\n`);
    const tiny = await compileForRun(file, { tiny: true, measure: false });
    assert.ok(tiny.plan, JSON.stringify(tiny.diagnostics));
    assert.deepEqual(tiny.notes, ["--tiny: `policy` trains 4 steps, the recipe's 1 raised to the tiny minimum (4)"]);
    writeMicro(dir, { name: "eight", policySteps: 8 });
    assert.equal((await compileForRun(join(dir, "eight.align"), { tiny: true, measure: false })).notes, undefined, "steps halved or kept at the minimum, none raised: nothing to say");
  } finally {
    cleanup();
  }
});
