// A model block with `weights = safetensors(...)`: the plan is what runs. The file gives the weights;
// the block's dropout trains (not the one in the file's metadata), and a file of another shape than
// the block declares is a located error before any compute (AL4023), not a silently different network from the one the
// plan was estimated and checked for.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DiagnosticError, type Diagnostic } from "../../src/lang/diagnostic.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe, type RunRecipeResult } from "../../src/run/run-recipe.js";
import { MODEL_FILE } from "../../src/run/nodes/models.js";
import { decodeSafetensors } from "../../src/train/safetensors.js";
import { tempDir } from "./helpers.js";
import { repoRoot } from "../repo-root.js";

const quiet = createProgress({ quiet: true });
const corpus = join(repoRoot(), "recipes", "data", "corpus.txt");

function recipe(name: string, model: string): string {
  return `recipe ${name} { seed = 3 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  layers = 1  d_model = 32  heads = 2  context = 64${model} }
stage pre = pretrain { init = tiny  data = text("${corpus}")  steps = 2  batch_size = 2  log_every = 1 }
`;
}

async function run(dir: string, name: string, text: string): Promise<RunRecipeResult> {
  const file = join(dir, `${name}.align`);
  writeFileSync(file, text);
  return runRecipe(file, { until: "pre", runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: quiet, workers: 1 });
}

/** Stage pre's output checkpoint, and the config it was trained and saved with. */
function trained(r: RunRecipeResult): { file: string; config: { dropout: number; layers: number } } {
  if (!r.ok) throw new Error(`run did not start: ${r.message ?? r.diagnostics.map((d) => d.message).join("; ")}`);
  if (r.outcome.error) throw r.outcome.error;
  const file = join(r.outcome.manifest.nodes.find((n) => n.id === "pre")!.entry!, MODEL_FILE);
  return { file, config: JSON.parse(decodeSafetensors(readFileSync(file)).metadata.config!) as { dropout: number; layers: number } };
}

/** The run was refused before compute with `code`; that diagnostic. */
function planError(r: RunRecipeResult, code: string): Diagnostic {
  const diags: Diagnostic[] = !r.ok ? r.diagnostics : r.outcome.error instanceof DiagnosticError ? r.outcome.error.diagnostics : [];
  const d = diags.find((x) => x.code === code);
  assert.ok(d, `${code} expected; got ${!r.ok ? JSON.stringify(r.diagnostics) : String(r.outcome.error)}`);
  assert.equal(r.ok, false, `${code} must stop the run before compute`);
  return d;
}

test("weights = safetensors(...): the block's dropout trains, and a file of another shape is AL4023 at `weights`, before compute", async () => {
  const { dir, cleanup } = tempDir();
  try {
    // an alignc checkpoint trained without dropout: the weights file
    const first = trained(await run(dir, "first", recipe("first", "")));
    assert.equal(first.config.dropout, 0);
    copyFileSync(first.file, join(dir, "w.safetensors"));

    // the same shape with dropout = 0.2: the stage trains (and saves) the plan's dropout, not the file's 0
    const second = trained(await run(dir, "second", recipe("second", `  dropout = 0.2  weights = safetensors("w.safetensors")`)));
    assert.equal(second.config.dropout, 0.2);

    // a block that declares another shape than the file: refused by the plan, before any compute, where
    // the recipe names the file (it used to be found only when the run loaded the weights: AL5002)
    const text = recipe("third", `  weights = safetensors("w.safetensors")`).replace("layers = 1", "layers = 2");
    const d = planError(await run(dir, "third", text), "AL4023");
    assert.match(d.message, /layers: the file has 1, the plan 2/);
    assert.equal(d.span?.line, text.split("\n").findIndex((l) => l.includes("weights =")) + 1);
    assert.match(d.file, /third\.align$/);

    // a file that is not a safetensors model: the same code, with the reason, not an exception at load
    writeFileSync(join(dir, "notes.safetensors"), "these are notes, not weights\n");
    const bad = planError(await run(dir, "fourth", recipe("fourth", `  weights = safetensors("notes.safetensors")`)), "AL4023");
    assert.match(bad.message, /notes\.safetensors cannot be read as a model's weights \(header length \d+ runs past the end of the file/);
  } finally {
    cleanup();
  }
});

test("a weights file changed between the plan and the run is AL5002 at `weights`, not another model trained under the planned hash", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { compileForRun } = await import("../../src/run/compile-run.js");
    const { runCompiled } = await import("../../src/run/run-recipe.js");
    const first = trained(await run(dir, "first", recipe("first", "")));
    copyFileSync(first.file, join(dir, "w.safetensors"));
    const other = trained(await run(dir, "other", recipe("other", "").replace("seed = 3", "seed = 4")));
    const file = join(dir, "fifth.align");
    const text = recipe("fifth", `  weights = safetensors("w.safetensors")`);
    writeFileSync(file, text);
    const input = await compileForRun(file);
    // the same shape, other weights: only the sha256 tells
    copyFileSync(other.file, join(dir, "w.safetensors"));
    const r = await runCompiled(file, input, { until: "pre", runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: quiet, workers: 1 });
    assert.ok(r.ok);
    assert.equal(r.outcome.exitCode, 1);
    const d = (r.outcome.error as DiagnosticError).diagnostics[0]!;
    assert.equal(d.code, "AL5002");
    assert.match(d.message, /w\.safetensors changed since this run's plan was made \(sha256 [0-9a-f]{12}… in the plan, [0-9a-f]{12}… now\)/);
    assert.equal(d.span?.line, text.split("\n").findIndex((l) => l.includes("weights =")) + 1);
    assert.equal(r.outcome.manifest.nodes.find((n) => n.id === "pre")!.status, "failed");
  } finally {
    cleanup();
  }
});
