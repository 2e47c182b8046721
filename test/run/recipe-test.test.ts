// `alignc test` as a library: goldens written with --update, then compared; a changed parameter is
// reported as a differing node; the --tiny run is checked against the recipe's expect block.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../src/compile.js";
import { createProgress } from "../../src/run/presentation/progress.js";
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
    // a golden named where its recipe belongs is a usage error naming the recipe, not a parse error (audit 32 L4)
    assert.throws(() => recipeFiles(join(dir, "micro.plan.json")), /micro\.plan\.json is a golden plan: alignc test takes its recipe, .*micro\.align/);
  } finally {
    cleanup();
  }
});

// A golden is the user's file as a recipe is: `--update` renamed over a read-only golden and split a
// hard-linked one (the other name kept the old plan), where fmt refuses the one and writes the other in
// place (audit 32)
test("--update refuses a read-only golden and rewrites a hard-linked one in place, every name seeing the new plan", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = writeMicro(dir);
    const golden = join(dir, "micro.plan.json");
    assert.equal((await testRecipe(file, { run: false, update: true })).golden, "updated");
    chmodSync(golden, 0o444);
    const before = readFileSync(golden, "utf8");
    writeFileSync(file, microRecipe({ klCoef: 0.5 }));
    const ro = await testRecipe(file, { run: false, update: true });
    assert.equal(ro.golden, "kept");
    assert.match(ro.goldenDetail.join("\n"), /is read-only \(make it writable first\): not overwritten/);
    assert.equal(readFileSync(golden, "utf8"), before);
    assert.equal(statSync(golden).mode & 0o777, 0o444);
    chmodSync(golden, 0o644);
    const other = join(dir, "linked.json");
    linkSync(golden, other);
    const ino = statSync(golden).ino;
    assert.equal((await testRecipe(file, { run: false, update: true })).golden, "updated");
    assert.equal(statSync(golden).ino, ino, "the same file");
    assert.match(readFileSync(other, "utf8"), /"kl_coef": 0.5/, "the other name sees the new plan");
  } finally {
    cleanup();
  }
});

test("--update replaces only a plan alignc wrote: a user's file named NAME.plan.json (text, JSON, a folder) is left as it was", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = writeMicro(dir);
    const golden = join(dir, "micro.plan.json");
    for (const [what, make] of [
      ["notes", () => writeFileSync(golden, "my notes, not a plan\n")],
      ["other JSON", () => writeFileSync(golden, JSON.stringify({ nodes: [{ id: "x" }] }))],
      ["a folder", () => mkdirSync(golden)],
    ] as const) {
      rmSync(golden, { recursive: true, force: true });
      make();
      const before = statSync(golden).isDirectory() ? "dir" : readFileSync(golden, "utf8");
      const r = await testRecipe(file, { run: false, update: true });
      assert.equal(r.golden, "kept", what);
      assert.match(r.goldenDetail.join("\n"), /not overwritten/, what);
      assert.ok(!passed(r));
      assert.equal(statSync(golden).isDirectory() ? "dir" : readFileSync(golden, "utf8"), before, `${what} unchanged`);
    }
    rmSync(golden, { recursive: true, force: true });
    assert.equal((await testRecipe(file, { run: false, update: true })).golden, "updated");
    writeFileSync(file, microRecipe({ klCoef: 0.5 }));
    assert.equal((await testRecipe(file, { run: false, update: true })).golden, "updated", "its own golden is rewritten");
    assert.match(readFileSync(golden, "utf8"), /"kl_coef": 0.5/);
    // a golden kept elsewhere behind a symlink is written where it points; the link stays
    const elsewhere = join(dir, "shared.plan.json");
    renameSync(golden, elsewhere);
    symlinkSync(elsewhere, golden);
    writeFileSync(file, microRecipe({ klCoef: 0.25 }));
    assert.equal((await testRecipe(file, { run: false, update: true })).golden, "updated");
    assert.ok(lstatSync(golden).isSymbolicLink(), "still a link");
    assert.match(readFileSync(elsewhere, "utf8"), /"kl_coef": 0.25/);
    // a link to a golden not written yet: written there, the link kept
    rmSync(elsewhere);
    assert.equal((await testRecipe(file, { run: false, update: true })).golden, "updated");
    assert.ok(lstatSync(golden).isSymbolicLink());
    assert.match(readFileSync(elsewhere, "utf8"), /"kl_coef": 0.25/);
    // a link to another recipe's golden is that recipe's: kept, named (it was overwritten with this plan)
    const theirs = readFileSync(elsewhere, "utf8").replace('"name": "micro"', '"name": "other"');
    writeFileSync(elsewhere, theirs);
    writeFileSync(file, microRecipe({ klCoef: 0.125 }));
    const other = await testRecipe(file, { run: false, update: true });
    assert.equal(other.golden, "kept");
    assert.match(other.goldenDetail.join("\n"), /is the golden plan of recipe `other`, not of `micro`: not overwritten/);
    assert.equal(readFileSync(elsewhere, "utf8"), theirs);
    // a golden beside its recipe is the recipe's own, its header renamed or not (review36)
    rmSync(golden);
    writeFileSync(file, microRecipe());
    assert.equal((await testRecipe(file, { run: false, update: true })).golden, "updated");
    writeFileSync(file, microRecipe({ name: "micro_renamed" }));
    assert.equal((await testRecipe(file, { run: false, update: true })).golden, "updated");
    assert.match(readFileSync(golden, "utf8"), /"name": "micro_renamed"/);
    // a hard link to another recipe's golden is that recipe's too (it was rewritten in place; hunt38)
    const otherGolden = join(dir, "other.plan.json");
    writeFileSync(otherGolden, readFileSync(golden, "utf8").replace('"name": "micro_renamed"', '"name": "other"'));
    rmSync(golden);
    linkSync(otherGolden, golden);
    const hard = await testRecipe(file, { run: false, update: true });
    assert.equal(hard.golden, "kept");
    assert.match(hard.goldenDetail.join("\n"), /\(a file with other hard links\) is the golden plan of recipe `other`, not of `micro_renamed`: not overwritten; if this recipe.s header was renamed, move it away/);
    assert.match(readFileSync(otherGolden, "utf8"), /"name": "other"/);
    // a plan saved with `alignc plan --json` under the golden's name is the user's snapshot (hunt38)
    rmSync(golden);
    const saved = await compile(file, {});
    writeFileSync(golden, JSON.stringify(saved.plan, null, 2));
    const before = readFileSync(golden, "utf8");
    const snap = await testRecipe(file, { run: false, update: true });
    assert.equal(snap.golden, "kept");
    assert.match(snap.goldenDetail.join("\n"), /is a plan saved with `alignc plan --json` \(it holds this machine's estimates\), not a golden: not overwritten/);
    assert.equal(readFileSync(golden, "utf8"), before);
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
    assert.equal(ok.runs.length, 1);
    assert.equal(ok.runs[0]!.exitCode, 0, ok.runs[0]!.message ?? "");
    assert.equal(ok.runs[0]!.manifest?.tiny, true);
    assert.ok(passed(ok));
    // the same recipe with an expectation no run can meet: cached stages, the gate fails
    writeFileSync(file, readFileSync(file, "utf8").replace("judge.win_rate >= 0", "judge.win_rate > 1"));
    const bad = await testRecipe(file, o);
    assert.equal(bad.runs[0]!.exitCode, 3);
    assert.ok(!passed(bad));
    assert.ok(bad.runs[0]!.manifest?.nodes.filter((n) => ["pre", "sft", "rm", "policy"].includes(n.id)).every((n) => n.status === "cached"));
  } finally {
    cleanup();
  }
});

test("a swept recipe: every variant gets its own --tiny run, with the variant's value, sharing the stages before the sweep", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeMicro(dir, { policySteps: 2 });
    const file = join(dir, "swept.align");
    writeFileSync(file, `recipe swept extends "micro.align" { policy.kl_coef = sweep [0.05, 0.5] }\n`);
    const r = await testRecipe(file, { update: true, runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: quiet });
    assert.deepEqual(
      r.runs.map((x) => [x.variant, x.exitCode]),
      [
        ["swept[kl_coef=0.05]", 0],
        ["swept[kl_coef=0.5]", 0],
      ],
    );
    assert.ok(passed(r));
    const second = r.runs[1]!.manifest!;
    assert.equal(second.variant, "swept[kl_coef=0.5]");
    for (const id of ["pre", "sft", "rm"]) assert.equal(second.nodes.find((n) => n.id === id)?.status, "cached", `${id} is shared by both variants`);
    assert.equal(second.nodes.find((n) => n.id === "policy")?.status, "computed");
  } finally {
    cleanup();
  }
});
