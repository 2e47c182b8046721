// Rows a source leaves out under on_error = "skip" are part of what a run did: the run record
// (manifest.json, per node) carries per source the count and the first reasons (`line N: …`, clipped
// to ~200 characters), a run that reuses the cached stage carries them too, and report.html shows them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import type { Manifest } from "../../src/run/storage/rundir.js";
import { outcome, tempDir } from "./helpers.js";
import { microRecipe, repoRoot } from "./micro.js";

const quiet = createProgress({ quiet: true });

test("on_error = skip: the manifest records per source the skipped count and the first reasons, clipped; the report shows them", async () => {
  const { dir, cleanup } = tempDir();
  // the micro recipe's demonstrations, with one line that is not JSON (3 kB long) and one row without a response
  const demos = readFileSync(join(repoRoot(), "recipes", "data", "demos.jsonl"), "utf8").split("\n").filter((l) => l.trim()).slice(0, 60);
  demos.splice(7, 0, `{"instruction": "broken ${"y".repeat(3000)}`);
  demos.splice(20, 0, JSON.stringify({ instruction: "no response here" }));
  writeFileSync(join(dir, "demos.jsonl"), demos.join("\n") + "\n");
  const text = microRecipe({ name: "skips" }).replace(/source demos = jsonl\("[^"]*"\) as demonstrations \{/, `source demos = jsonl("${join(dir, "demos.jsonl")}") as demonstrations { on_error = "skip" `);
  assert.match(text, /on_error = "skip"/);
  const file = join(dir, "skips.align");
  writeFileSync(file, text);
  const paths = { until: "sft", runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: quiet, workers: 1 };
  const run = outcome(await runRecipe(file, paths));
  const manifest = JSON.parse(readFileSync(join(run.runDir, "manifest.json"), "utf8")) as Manifest;
  const sft = manifest.nodes.find((n) => n.id === "sft")!;
  assert.ok(sft.skippedRows, JSON.stringify(sft));
  const s = sft.skippedRows.find((x) => x.source === "demos")!;
  assert.equal(s.count, 2);
  assert.match(s.file, /demos\.jsonl$/);
  assert.equal(s.reasons.length, 2);
  assert.match(s.reasons[0]!, /^line 8: not valid JSON/);
  assert.match(s.reasons[1]!, /^line 21: .*response/);
  assert.ok(s.reasons.every((r) => r.length <= 260), `reasons clipped: ${s.reasons.map((r) => r.length).join(", ")}`);
  const html = readFileSync(join(run.runDir, "report.html"), "utf8");
  assert.match(html, /<h2>Rows left out<\/h2>/);
  assert.match(html, /<td>all rows<\/td>/, "rows an on_error = skip source leaves out are left out before any split");
  assert.match(html, /demos\.jsonl<\/td><td>2<\/td><td><ul><li><code>line 8: not valid JSON/);
  // a second run reuses the cached stage and still records what its data left out
  const again = outcome(await runRecipe(file, paths));
  const m2 = JSON.parse(readFileSync(join(again.runDir, "manifest.json"), "utf8")) as Manifest;
  const sft2 = m2.nodes.find((n) => n.id === "sft")!;
  assert.equal(sft2.status, "cached");
  assert.deepEqual(sft2.skippedRows, sft.skippedRows);
  cleanup();
});
