// A cache hit reuses an entry whatever backend computed it (the hash covers what is computed, not the
// float order), and figures are bit-identical on one backend only: each entry records its backend (with
// the TensorFlow.js release), and a run whose figures come from two says so (summary, report), never silently.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { summaryText } from "../../src/cli/commands/run.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { StageCache } from "../../src/run/storage/cache.js";
import { outcome, tempDir } from "./helpers.js";
import { tfjsVersion } from "../../src/common/tfjs-version.js";
import { mixedBackendsNote } from "../../src/run/presentation/backends.js";
import { writeMicro } from "./micro.js";

const quiet = createProgress({ quiet: true });
// an entry records its backend with the TensorFlow.js release that computed it
const [cpu, wasm] = ["cpu", "wasm"].map((b) => `${b}, tfjs ${tfjsVersion()}`) as [string, string];

test("each cache entry records the backend that computed it; a run reusing another backend's entry says its figures come from two", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: quiet, workers: 1 };
    const recipe = writeMicro(dir);
    const first = outcome(await runRecipe(recipe, { ...paths, backend: "cpu", until: "pre" }));
    const pre = first.manifest.nodes.find((n) => n.id === "pre")!;
    assert.deepEqual([pre.status, pre.computedOn], ["computed", cpu]);
    assert.equal(new StageCache(join(dir, "cache")).get(pre.hash)!.meta.backend, cpu);
    assert.doesNotMatch(summaryText(first.manifest, first.runDir), /backends/, "one backend: no note");

    const said: string[] = [];
    const listening = { stage: () => ({ update() {}, done() {} }), info: (line: string) => void said.push(line), stop() {} };
    const second = outcome(await runRecipe(recipe, { ...paths, backend: "wasm", until: "sft", progress: listening }));
    assert.ok(said.some((l) => /^ {2}= pre {2}cached \[[0-9a-f]{8}\] \(saves [^)]*, computed on cpu, tfjs \d+\.\d+\.\d+\)$/.test(l)), said.join("\n"));
    const by = Object.fromEntries(second.manifest.nodes.map((n) => [n.id, n]));
    assert.deepEqual([by.pre!.status, by.pre!.computedOn], ["cached", cpu]);
    assert.deepEqual([by.sft!.status, by.sft!.computedOn], ["computed", wasm]);
    const text = summaryText(second.manifest, second.runDir);
    assert.ok(text.includes(`, computed on ${cpu})`), text);
    assert.ok(text.includes(`note: these figures come from 2 backends (${cpu}: pre; ${wasm}: sft)`), text);
    assert.match(readFileSync(join(second.runDir, "report.html"), "utf8"), /these figures come from 2 backends/);
  } finally {
    cleanup();
  }
});

test("two TensorFlow.js releases of one backend are two backends to the mixed-backends note", () => {
  assert.match(tfjsVersion(), /^\d+\.\d+\.\d+/);
  const node = (label: string, computedOn: string) => ({ label, computedOn }) as Parameters<typeof mixedBackendsNote>[0]["nodes"][number];
  assert.equal(mixedBackendsNote({ nodes: [node("pre", "wasm, tfjs 4.22.0"), node("sft", "wasm, tfjs 4.22.0")] }), null);
  const note = mixedBackendsNote({ nodes: [node("pre", "wasm, tfjs 4.21.0"), node("sft", "wasm, tfjs 4.22.0")] });
  assert.match(note ?? "", /come from 2 backends \(wasm, tfjs 4\.21\.0: pre; wasm, tfjs 4\.22\.0: sft\)/);
});

test("a stage stopped on one backend and resumed on another records both: its entry is neither's arithmetic, and the run says its figures come from two", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), workers: 1 };
    const recipe = writeMicro(dir);
    const flag = { requested: false };
    // raised while pre runs step 2, as a Ctrl-C: pre checkpoints there and the run exits 130
    const stopAt2 = { stage: (label: string) => ({ update: (s: number) => void (label === "pre" && s === 2 && (flag.requested = true)), done() {} }), info() {}, stop() {} };
    const stopped = outcome(await runRecipe(recipe, { ...paths, backend: "cpu", until: "pre", progress: stopAt2, interrupt: flag }));
    assert.equal(stopped.exitCode, 130);
    const resumed = outcome(await runRecipe(recipe, { ...paths, backend: "wasm", until: "pre", progress: quiet }));
    const pre = resumed.manifest.nodes.find((n) => n.id === "pre")!;
    assert.deepEqual([pre.status, pre.resumedFromStep, pre.computedOn], ["resumed", 2, `${cpu} to step 2, then ${wasm}`]);
    assert.match(summaryText(resumed.manifest, resumed.runDir), /these figures come from 2 backends/);
    // stopped on cpu, stopped again on wasm, finished on wasm: the second checkpoint carries the chain
    const cache = new StageCache(join(dir, "cache"));
    cache.remove(pre.hash);
    const stopAt = (k: number) => ({ stage: (label: string) => ({ update: (s: number) => void (label === "pre" && s === k && (flag.requested = true)), done() {} }), info() {}, stop() {} });
    flag.requested = false;
    outcome(await runRecipe(recipe, { ...paths, backend: "cpu", until: "pre", progress: stopAt(2), interrupt: flag }));
    flag.requested = false;
    outcome(await runRecipe(recipe, { ...paths, backend: "wasm", until: "pre", progress: stopAt(4), interrupt: flag }));
    const twice = outcome(await runRecipe(recipe, { ...paths, backend: "wasm", until: "pre", progress: quiet }));
    assert.deepEqual(twice.manifest.nodes.filter((n) => n.id === "pre").map((n) => [n.status, n.resumedFromStep, n.computedOn]), [["resumed", 4, `${cpu} to step 2, then ${wasm}`]]);
    // resumed on the backend that trained the checkpoint: one backend, as before
    cache.remove(pre.hash);
    flag.requested = false;
    outcome(await runRecipe(recipe, { ...paths, backend: "cpu", until: "pre", progress: stopAt2, interrupt: flag }));
    const same = outcome(await runRecipe(recipe, { ...paths, backend: "cpu", until: "pre", progress: quiet }));
    assert.deepEqual(same.manifest.nodes.filter((n) => n.id === "pre").map((n) => [n.status, n.computedOn]), [["resumed", cpu]]);
  } finally {
    cleanup();
  }
});
