// `alignc check` shares its data work between the variants of a sweep (src/data/check-variants.ts,
// src/data/shared-builds.ts): a data node that is the same in two variants (the same seed key, its
// plan hash) is built once, so a hyperparameter sweep does its data work once, while a sweep over a
// data parameter still checks each distinct data node, and every diagnostic is said once, naming the
// variants it concerns where not all do. Builds are counted (SharedBuilds.made), not timed.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { checkRecipeFile } from "../../src/check/index.js";
import { variantDataChecks } from "../../src/data/check-variants.js";
import { KEEP_VARIANTS, SharedBuilds } from "../../src/data/shared-builds.js";
import type { Diagnostic } from "../../src/lang/diagnostic.js";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const fixtures = join(root, "test", "check", "fixtures", "shared-data");

/** The data checks of a recipe file, cold (a cache folder of its own: no count or finding from an
 * earlier check), with the builds they made. */
async function dataChecks(file: string): Promise<{ diagnostics: Diagnostic[]; builds: SharedBuilds }> {
  return cold(async () => {
    const r = await checkRecipeFile(file);
    assert.ok(r.recipe, JSON.stringify(r.diagnostics));
    const builds = new SharedBuilds();
    return { diagnostics: await variantDataChecks(r.recipe, { builds }), builds };
  });
}

/** `f` with a cache folder of its own (ALIGNC_CACHE_DIR): nothing read back from an earlier check. */
async function cold<T>(f: () => Promise<T>): Promise<T> {
  const before = process.env.ALIGNC_CACHE_DIR;
  process.env.ALIGNC_CACHE_DIR = mkdtempSync(join(tmpdir(), "alignc-shared-data-"));
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env.ALIGNC_CACHE_DIR;
    else process.env.ALIGNC_CACHE_DIR = before;
  }
}

/** What the builds read, rendered, split, counted and compared: every key but a stage's or eval's own
 * (`owner:`, keyed by the stage, so one per variant of a learning-rate sweep, each a view of a data
 * node's build). */
const dataWork = (b: SharedBuilds): string[] => [...b.made.keys()].filter((k) => !k.startsWith("owner:")).sort();

const show = (ds: Diagnostic[]): string[] => ds.map((d) => `${d.file.split("/").pop()}:${d.span?.line}:${d.span?.col} ${d.code} ${d.message}`).sort();

test("a hyperparameter-only sweep (6 variants) builds its data once: the builds of one variant, each made once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-shared-data-"));
  const base = readFileSync(join(fixtures, "base.align"), "utf8").replaceAll('"../../../../', `"${root}/`);
  writeFileSync(join(dir, "base.align"), base);
  writeFileSync(join(dir, "one.align"), `recipe one extends "base.align" {\n  sft.lr = 1e-3\n  policy.kl_coef = 0.02\n}\n`);
  writeFileSync(join(dir, "lr.align"), readFileSync(join(fixtures, "lr.align"), "utf8"));
  const one = await dataChecks(join(dir, "one.align"));
  const sweep = await dataChecks(join(dir, "lr.align"));
  // the data work of the sweep is exactly that of one variant: the same files read, the same nodes
  // built, the same truncation counts and contamination comparisons made
  assert.ok(dataWork(one.builds).length > 10, dataWork(one.builds).join("\n"));
  for (const prefix of ["rows:", "raw:", "tokenizer:", "truncation:", "overlaps:"]) assert.ok(dataWork(one.builds).some((k) => k.startsWith(prefix)), prefix);
  assert.deepEqual(dataWork(sweep.builds), dataWork(one.builds));
  assert.equal(sweep.builds.rebuilt, 0, "no build made twice");
  // each variant still ran its own checks (its own stage views), over the shared builds
  const owners = [...sweep.builds.made.keys()].filter((k) => k.startsWith("owner:")).length;
  const ownersOfOne = [...one.builds.made.keys()].filter((k) => k.startsWith("owner:")).length;
  assert.ok(owners > ownersOfOne, `${owners} stage and eval views for 6 variants, ${ownersOfOne} for one`);
  // and found what one variant finds, said once, naming no variant (every variant finds it)
  assert.deepEqual(show(sweep.diagnostics), show(one.diagnostics));
  assert.deepEqual(show(sweep.diagnostics).map((l) => l.split(" ")[1]), ["AL3032"]);
  assert.doesNotMatch(sweep.diagnostics[0]!.message, /\(in /);
});

test("a sweep over a data parameter (few-shot k) checks each k's data: the error only k = 3 has is said once, located, naming its variants", async () => {
  const { diagnostics, builds } = await dataChecks(join(fixtures, "shots.align"));
  const errors = diagnostics.filter((d) => d.code === "AL3030");
  assert.equal(errors.length, 1, show(diagnostics).join("\n"));
  const e = errors[0]!;
  assert.equal(e.severity, "error");
  assert.match(e.file, /base\.align$/);
  assert.deepEqual([e.span?.line, e.span?.col], [40, 14], "at the stage's `truncate`, where the fix is");
  assert.match(e.message, /^stage `sft`: example addition:\d+:.*:k3 .* keeps no response token at max_length 64/);
  assert.match(e.message, /\(in shots\[shots=\{"\$range":\[3,3\]\},lr=0\.001\], shots\[shots=\{"\$range":\[3,3\]\},lr=0\.002\]\)$/);
  // each k its own truncation count (the k = 0 data is another node, checked too), each said once
  const warnings = diagnostics.filter((d) => d.code === "AL3032");
  assert.equal(warnings.length, 2, show(diagnostics).join("\n"));
  assert.equal(warnings.filter((d) => d.message.includes('"$range":[0,0]')).length, 1);
  assert.equal(warnings.filter((d) => d.message.includes('"$range":[3,3]')).length, 1);
  assert.equal(new Set(warnings.map((d) => d.message.split(" (in ")[0])).size, 2, "two counts");
  // the two k's built their task apart, and the learning rate shared each k's build
  assert.equal(builds.rebuilt, 0);
});

test("for the sweeps under test/check/fixtures/shared-data and bundled sweeps of each kind, shared builds find what per-variant builds find", async () => {
  // each variant building its own data is the behaviour before the memo was shared: a finding that a
  // memo key missing an input would change (a count, a leak, a located error) differs here. The sweeps:
  // the fixtures' (holdout and max_length, shots, learning rates), a hyperparameter sweep of the
  // quickstart, and seed sweeps (every data node's seed key moves) with the subword and the byte-level
  // tokenizer; every bundled recipe compared alike passed too (35 s: too long for npm test)
  const files = [
    ...readdirSync(fixtures).map((f) => join(fixtures, f)),
    join(root, "recipes", "quickstart-kl.align"),
    join(root, "recipes", "replicate", "arithmetic-caps-alone.align"),
    join(root, "recipes", "replicate", "quickstart-byte-level.align"),
  ].filter((f) => f.endsWith(".align"));
  for (const file of files) {
    const r = await checkRecipeFile(file);
    if (!r.recipe) continue; // data checks run on recipes that check clean
    // each cold (a cache folder of its own: no truncation count read back from the other's)
    const shared = await cold(() => variantDataChecks(r.recipe!));
    const apart = await cold(() => variantDataChecks(r.recipe!, { share: false }));
    assert.deepEqual(shared, apart, file);
  }
});

test("the shared builds hold what the last KEEP_VARIANTS variants and the current one read, whatever their number of entries", () => {
  // a bound in entries (64 at least) kept some twenty variants of a holdout sweep (reviewR42 M4)
  const b = new SharedBuilds();
  for (let v = 0; v < 20; v++) {
    b.nextVariant();
    if (!b.get("every variant's")) b.set("every variant's", Promise.resolve(0));
    for (let i = 0; i < 50; i++) b.set(`variant ${v}: ${i}`, Promise.resolve(i));
  }
  assert.equal(b.size, 1 + (KEEP_VARIANTS + 1) * 50);
  assert.ok(b.has("every variant's") && b.has("variant 19: 0") && b.has(`variant ${19 - KEEP_VARIANTS}: 49`));
  assert.ok(!b.has(`variant ${18 - KEEP_VARIANTS}: 0`));
  assert.equal(b.rebuilt, 0);
});
