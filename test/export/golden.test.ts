// Golden export folders of the quickstart, one per target (JSONL trimmed to a few rows), in
// recipes/exports/<target>/. They always run (no ../shared needed): any change to what an export
// writes shows up as a diff here. ALIGNC_UPDATE_GOLDENS=1 rewrites them (the one golden-update variable, as for plan goldens).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { checkRecipeFile, checkRecipeText } from "../../src/check/index.js";
import { exportRecipe, loadSurfaces, schemasAvailable, validateExport } from "../../src/export/index.js";
import { writeExportDir } from "../../src/export/write.js";
import { GOLDENS } from "./goldens.js";

// test/export/ in the sources, dist/test/export/ once compiled: find the repository root either way
let ROOT = fileURLToPath(new URL(".", import.meta.url));
while (!existsSync(join(ROOT, "package.json"))) ROOT = join(ROOT, "..");
const DIR = join(ROOT, "recipes", "exports");
const RECIPE = join(DIR, "quickstart-hf.align");

/** The exported files of a golden folder (not the ownership manifest writeExportDir keeps beside them). */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e !== ".alignc-export.json") out.push(relative(dir, p).split("\\").join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

for (const g of GOLDENS) {
  test(`golden export: quickstart → ${g.name}`, async () => {
    const checked = await checkRecipeFile(RECIPE);
    assert.ok(checked.recipe, JSON.stringify(checked.diagnostics));
    const r = await exportRecipe(checked.recipe, g.opts);
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error"), []);
    const dir = join(DIR, g.name);
    if (process.env.ALIGNC_UPDATE_GOLDENS === "1") writeExportDir(dir, r.files);
    assert.ok(existsSync(dir), `${dir} missing: run with ALIGNC_UPDATE_GOLDENS=1`);
    assert.deepEqual(listFiles(dir), r.files.map((f) => f.path).sort(), "the same files");
    for (const f of r.files) assert.equal(readFileSync(join(dir, f.path), "utf8"), f.content, `${g.name}/${f.path} differs (ALIGNC_UPDATE_GOLDENS=1 to accept)`);
  });
  test(`golden export: quickstart → ${g.name} validates against ../shared`, async (t) => {
    if (!schemasAvailable()) return t.skip("../shared/data/export is absent");
    const checked = await checkRecipeFile(RECIPE);
    const r = await exportRecipe(checked.recipe!, g.opts);
    for (const [path, errors] of validateExport(r.files, loadSurfaces())) assert.deepEqual(errors, [], `${g.name}/${path}`);
  });
}

test("two full exports of the quickstart are byte-identical", async () => {
  const checked = await checkRecipeFile(RECIPE);
  const a = await exportRecipe(checked.recipe!, { to: "openrlhf", nodes: 1, gpusPerNode: 8, targetVersion: "0.7.0.post1", dropPtx: false });
  const again = await checkRecipeFile(RECIPE); // a fresh checked recipe: no cache shared with the first
  const b = await exportRecipe(again.recipe!, { to: "openrlhf", nodes: 1, gpusPerNode: 8, targetVersion: "0.7.0.post1", dropPtx: false });
  assert.equal(a.files.length, b.files.length);
  a.files.forEach((f, i) => {
    assert.equal(f.path, b.files[i]!.path);
    assert.ok(f.content === b.files[i]!.content, `${f.path} differs between two exports`);
  });
});

test("the quickstart itself (no hf) is a located error that says what to add", async () => {
  const checked = await checkRecipeFile(join(ROOT, "recipes", "quickstart.align"));
  const r = await exportRecipe(checked.recipe!, { to: "trl", nodes: 1, gpusPerNode: 8, dropPtx: true });
  const d = r.diagnostics.find((x) => x.code === "AL4601");
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.match(d.file, /quickstart\.align$/);
  const line = readFileSync(join(ROOT, "recipes", "quickstart.align"), "utf8").split("\n").findIndex((l) => l.startsWith("model tiny")) + 1;
  assert.equal(d.span?.line, line, "the model block's line");
  assert.match(d.hint!, /hf = "/);
  assert.deepEqual(r.files, []);
});

test("a swept recipe exports one variant at a time", async () => {
  const text = 'recipe sweep_hf extends "quickstart-hf.align" { policy.kl_coef = sweep [0.02, 0.2] }\n';
  const checked = await checkRecipeText(text, join(DIR, "virtual-sweep.align"));
  assert.ok(checked.recipe, JSON.stringify(checked.diagnostics));
  const none = await exportRecipe(checked.recipe, { to: "trl", nodes: 1, gpusPerNode: 8, dropPtx: true, trimRows: 1 });
  const d = none.diagnostics.find((x) => x.code === "AL4609");
  assert.equal(d?.severity, "error");
  assert.match(d!.message, /kl_coef=0\.02, kl_coef=0\.2/);
  const one = await exportRecipe(checked.recipe, { to: "trl", nodes: 1, gpusPerNode: 8, dropPtx: true, trimRows: 1, variant: "kl_coef=0.2" });
  assert.deepEqual(one.diagnostics.filter((x) => x.severity === "error"), []);
  const args = one.files.find((f) => f.path === "configs/policy.args")!.content.split("\n");
  assert.equal(args[args.indexOf("--kl_coef") + 1], "0.2");
  // a name that is no variant is unknown, as `plan` says, not "a property is a sweep"
  const wrong = await exportRecipe(checked.recipe, { to: "trl", nodes: 1, gpusPerNode: 8, dropPtx: true, trimRows: 1, variant: "kl_coef=0.3" });
  assert.deepEqual(wrong.diagnostics.map((x) => x.code), ["AL4011"]);
  assert.match(wrong.diagnostics[0]!.message, /unknown variant name: kl_coef=0\.3 \(variants: kl_coef=0\.02, kl_coef=0\.2\)/);
  assert.deepEqual(wrong.files, []);
});

test("a recipe's truncate and its model's dropout reach the export from the plan: TRL's truncation_mode, and a note naming the dropout TRL's SFT cannot take", async () => {
  const text = 'recipe knobs_hf extends "quickstart-hf.align" { sft.truncate = "left"  tiny.dropout = 0.15 }\n';
  const checked = await checkRecipeText(text, join(DIR, "virtual-knobs.align"));
  assert.ok(checked.recipe, JSON.stringify(checked.diagnostics));
  const r = await exportRecipe(checked.recipe, { to: "trl", nodes: 1, gpusPerNode: 8, dropPtx: true, until: "sft", trimRows: 1 });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error"), []);
  assert.match(r.files.find((f) => f.path === "configs/sft.yaml")!.content, /^truncation_mode: keep_end$/m);
  const readme = r.files.find((f) => f.path === "EXPORT.md")!.content;
  assert.match(readme, /`sft`: dropout: .*dropout = 0\.15/);
  assert.match(readme, /`pre`: dropout: .*dropout = 0\.15/);
});

test("LIMA (SFT only) exports to every target", async (t) => {
  const text = 'recipe lima_hf extends "../lima.align" { tiny.hf = "gpt2" }\n';
  const checked = await checkRecipeText(text, join(DIR, "virtual-lima.align"));
  assert.ok(checked.recipe, JSON.stringify(checked.diagnostics));
  for (const to of ["trl", "openrlhf", "axolotl"] as const) {
    const r = await exportRecipe(checked.recipe, { to, nodes: 1, gpusPerNode: 8, dropPtx: false, trimRows: 2 });
    assert.deepEqual(r.diagnostics.filter((x) => x.severity === "error"), [], to);
    assert.ok(r.files.some((f) => f.path === (to === "openrlhf" ? "configs/sft.args" : "configs/sft.yaml")), to);
    if (schemasAvailable()) for (const [path, errors] of validateExport(r.files, loadSurfaces())) assert.deepEqual(errors, [], `${to}/${path}`);
  }
  if (!schemasAvailable()) t.diagnostic("../shared absent: LIMA exports not validated against the engines' schemas");
});

test("--until stops the export after a stage and lists what follows; an unknown stage is an error", async () => {
  const checked = await checkRecipeFile(RECIPE);
  const r = await exportRecipe(checked.recipe!, { to: "trl", nodes: 1, gpusPerNode: 8, dropPtx: false, until: "sft", trimRows: 1 });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error"), [], "no ptx error: the PPO stage is not exported");
  assert.deepEqual(r.files.filter((f) => f.path.startsWith("configs/")).map((f) => f.path), ["configs/pre.yaml", "configs/sft.yaml"]);
  assert.match(r.files.find((f) => f.path === "EXPORT.md")!.content, /`policy` \(ppo\): after `--until sft`/);
  const bad = await exportRecipe(checked.recipe!, { to: "trl", nodes: 1, gpusPerNode: 8, dropPtx: false, until: "sf" });
  assert.equal(bad.diagnostics[0]?.code, "AL4610");
});
