// `alignc run plan.json` executes the saved plan exactly: it lands in the same cache entries as
// `alignc run RECIPE --variant V`, and refuses (writing nothing) when an input file or the recipe no
// longer matches the plan, or the plan was edited by hand.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, readFileSync, writeFileSync, copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../src/compile.js";
import { sortKeysDeep } from "../../src/plan/canonical.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { runSavedPlan } from "../../src/run/run-saved-plan.js";
import { tempDir } from "./helpers.js";
import { microRecipe, repoRoot } from "./micro.js";

const quiet = createProgress({ quiet: true });

/** The micro recipe over a private copy of its rankings file (so the test may change it), swept over kl_coef. */
function setUp(dir: string): { file: string; rankings: string } {
  const rankings = join(dir, "rankings.jsonl");
  copyFileSync(join(repoRoot(), "recipes", "data", "rankings.jsonl"), rankings);
  writeFileSync(join(dir, "micro.align"), microRecipe({ policySteps: 2 }).replace(/jsonl\("[^"]*rankings\.jsonl"\)/, `jsonl("${rankings}")`));
  const file = join(dir, "swept.align");
  writeFileSync(file, `recipe swept extends "micro.align" { policy.kl_coef = sweep [0.05, 0.5] }\n`);
  return { file, rankings };
}

async function savePlan(file: string, variant: string, out: string): Promise<void> {
  const r = await compile(file, { variant });
  assert.ok(r.plan, JSON.stringify(r.diagnostics));
  writeFileSync(out, `${JSON.stringify(sortKeysDeep(r.plan), null, 2)}\n`);
}

test("alignc run plan.json reuses every stage that alignc run RECIPE --variant V computed", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { file } = setUp(dir);
    const paths = { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: quiet, until: "policy", workers: 1 };
    const first = await runRecipe(file, { ...paths, variant: "kl_coef=0.5" });
    if (!first.ok) throw new Error(first.message ?? JSON.stringify(first.diagnostics));
    assert.equal(first.outcome.exitCode, 0, String(first.outcome.error));
    const plan = join(dir, "p.json");
    await savePlan(file, "kl_coef=0.5", plan);
    const again = await runSavedPlan(plan, paths);
    if (!again.ok) throw new Error(again.message ?? JSON.stringify(again.diagnostics));
    const m = again.outcome.manifest;
    assert.equal(again.outcome.exitCode, 0);
    assert.equal(m.variant, "swept[kl_coef=0.5]");
    const before = new Map(first.outcome.manifest.nodes.map((n) => [n.id, n]));
    for (const id of ["pre", "sft", "rm", "policy"]) {
      const a = before.get(id)!;
      const b = m.nodes.find((n) => n.id === id)!;
      assert.equal(b.status, "cached", `${id} reused`);
      assert.equal(b.hash, a.hash);
      assert.equal(b.entry, a.entry);
    }
  } finally {
    cleanup();
  }
});

test("alignc run plan.json refuses, writing nothing, when an input file changed or the recipe no longer compiles to the plan", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { file, rankings } = setUp(dir);
    const plan = join(dir, "p.json");
    await savePlan(file, "kl_coef=0.05", plan);
    const runsDir = join(dir, "runs");
    const paths = { runsDir, cacheRoot: join(dir, "cache"), progress: quiet, workers: 1 };
    // --recipe that is no recipe file is said as such (it was "not next to it … pass --recipe PATH", or
    // with a FIFO every input file "missing"); a recipe without the plan's variant is another recipe
    const none = await runSavedPlan(plan, { ...paths, recipe: join(dir, "sub", "none.align") });
    assert.ok(!none.ok && none.usage);
    assert.match(none.message ?? "", /--recipe .*none\.align: no such file, not a recipe file \(.*p\.json was made from swept\.align\)/);
    const other = await runSavedPlan(plan, { ...paths, recipe: join(dir, "micro.align") });
    assert.ok(!other.ok);
    assert.match(other.message ?? "", /micro\.align has no variant swept\[kl_coef=0\.05\]: it is not the recipe .*p\.json was made from/);

    writeFileSync(file, `recipe swept extends "micro.align" { policy.kl_coef = sweep [0.05, 0.5]  policy.clip = 0.3 }\n`);
    const edited = await runSavedPlan(plan, paths);
    assert.ok(!edited.ok);
    assert.match(edited.message ?? "", /no longer compiles to .*p\.json[\s\S]*~ policy: hash/);

    writeFileSync(file, `recipe swept extends "micro.align" { policy.kl_coef = sweep [0.05, 0.5] }\n`);
    // the gates are the plan's: a recipe whose expect block changed since (its nodes all the same) is refused
    const saved0 = JSON.parse(readFileSync(plan, "utf8")) as { recipe: { expect?: string[] } };
    assert.deepEqual(saved0.recipe.expect, ["rm_acc.accuracy >= 0", "judge.win_rate >= 0"]);
    const base = join(dir, "micro.align");
    const baseText = readFileSync(base, "utf8");
    writeFileSync(base, baseText.replace("judge.win_rate >= 0\n", "judge.win_rate >= 0.5\n}\nexpect full_size {\n  rule.win_rate >= 0.6\n"));
    const gated = await runSavedPlan(plan, paths);
    assert.ok(!gated.ok);
    assert.match(gated.message ?? "", /no longer compiles to .*p\.json[\s\S]*- expect judge\.win_rate >= 0: no longer in the recipe\n  \+ expect judge\.win_rate >= 0\.5: new in the recipe\n  \+ expect full_size: rule\.win_rate >= 0\.6: new in the recipe/);
    // the lines are recorded as they mean, not as laid out: `alignc fmt`'s spacing changes none (review38 M1)
    writeFileSync(base, baseText.replace("judge.win_rate >= 0\n", "judge.win_rate>=0.0\n"));
    const relaid = await compile(file, { variant: "kl_coef=0.05" });
    assert.deepEqual(relaid.plan?.recipe.expect, saved0.recipe.expect);
    writeFileSync(base, baseText);
    // a plan made before plans recorded their gates cannot say which apply: refused, said
    const old = join(dir, "old.json");
    const noGates = JSON.parse(readFileSync(plan, "utf8")) as { recipe: { expect?: string[] } };
    delete noGates.recipe.expect;
    writeFileSync(old, JSON.stringify(noGates));
    const before = await runSavedPlan(old, paths);
    assert.ok(!before.ok);
    assert.match(before.message ?? "", /old\.json was made before plans recorded their gates/);

    appendFileSync(rankings, readFileSync(rankings, "utf8").split("\n")[0] + "\n");
    const changed = await runSavedPlan(plan, paths);
    assert.ok(!changed.ok);
    assert.match(changed.message ?? "", /input file changed since the plan was made[\s\S]*rankings\.jsonl: sha256/);

    const multi = join(dir, "all.json");
    const all = await compile(file, {});
    writeFileSync(multi, JSON.stringify(all.plan));
    const swept = await runSavedPlan(multi, paths);
    assert.ok(!swept.ok);
    assert.match(swept.message ?? "", /holds 2 variants/);

    // a plan edited by hand (a parameter changed, its hash kept) would cache another computation under
    // the recipe's hash: refused, although the recipe still compiles to the recorded hashes
    const handEdited = join(dir, "hand.json");
    const saved = JSON.parse(readFileSync(plan, "utf8")) as { nodes: { id: string; params: Record<string, unknown> }[] };
    const model = saved.nodes.find((n) => n.params.layers !== undefined)!;
    model.params.layers = (model.params.layers as number) + 1;
    writeFileSync(handEdited, JSON.stringify(saved));
    const tampered = await runSavedPlan(handEdited, paths);
    assert.ok(!tampered.ok);
    assert.match(tampered.message ?? "", new RegExp(`hand\\.json was edited after it was made[\\s\\S]*~ ${model.id}: recorded hash`));

    mkdirSync(join(dir, "elsewhere"));
    const notAPlan = join(dir, "elsewhere", "x.json");
    writeFileSync(notAPlan, "{}");
    const bad = await runSavedPlan(notAPlan, paths);
    assert.ok(!bad.ok);
    assert.match(bad.message ?? "", /not a plan/);
    assert.ok(!existsSync(runsDir), "nothing was written");
  } finally {
    cleanup();
  }
});

test("a --tiny run's plan.json says it is tiny and runs again as planned, reusing its stages (it was refused: 'the recipe or alignc changed since'; audit38 #10)", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { file } = setUp(dir);
    const paths = { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: quiet, until: "sft", workers: 1 };
    const first = await runRecipe(file, { ...paths, tiny: true, variant: "kl_coef=0.5" });
    if (!first.ok) throw new Error(first.message ?? JSON.stringify(first.diagnostics));
    assert.equal(first.outcome.exitCode, 0, String(first.outcome.error));
    const saved = join(first.outcome.runDir, "plan.json");
    assert.equal((JSON.parse(readFileSync(saved, "utf8")) as { recipe: { tiny?: boolean } }).recipe.tiny, true);
    const again = await runSavedPlan(saved, { ...paths, recipe: file });
    if (!again.ok) throw new Error(again.message ?? JSON.stringify(again.diagnostics));
    assert.equal(again.outcome.exitCode, 0);
    assert.equal(again.outcome.manifest.tiny, true);
    for (const id of ["pre", "sft"]) assert.equal(again.outcome.manifest.nodes.find((n) => n.id === id)!.status, "cached", id);
  } finally {
    cleanup();
  }
});
