// A run never loads a file of a cache entry from another generation than the entry.json it read.
// `alignc run --force NODE` in another process replaces NODE's entry folder (cache.ts swapIn) while
// this run may be using it: the run read the entry (its rows, summary and entry.json) when it
// resolved it, and a consumer opens the node's files later, by path. The race is staged here
// deterministically by doing the other process's put(…, { replace: true }) between the two reads:
// before, the path then gave the new weights under the old entry's record (and the generation cache
// keyed their answers by the old sha256); now the bytes are held to the record the run resolved
// (storage/entry-file.ts), and weights that differ stop the run with AL5003 at the stage's block.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StageCache } from "../../src/run/storage/cache.js";
import { EntryChangedError, readEntryFile } from "../../src/run/storage/entry-file.js";
import { MODEL_FILE, networkOf } from "../../src/run/nodes/models.js";
import type { HandlerEnv } from "../../src/run/nodes/env.js";
import type { HandlerTable, NodeContext, NodeOutput } from "../../src/run/handler.js";
import type { Plan, PlanNode } from "../../src/plan/types.js";
import { DiagnosticError } from "../../src/lang/diagnostic.js";
import { useBackend } from "../../src/train/backend.js";
import { Gpt, saveModel } from "../../src/train/index.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runPlan } from "../../src/run/run-plan.js";
import { testGptConfig } from "../train/configs.js";
import { checkRecipeFile } from "../../src/check/index.js";
import { buildExamples } from "../../src/data/build.js";
import { registerCachedDraws } from "../../src/run/storage/cached-draws.js";
import { repoRoot } from "../repo-root.js";
import { tempDir } from "./helpers.js";

await useBackend("cpu");

const HASH = "5f".repeat(32);
const span = { start: 10, end: 13, line: 3, col: 7, endLine: 3, endCol: 10 };

/** Write an entry of HASH holding `model` (bytes) and its rows; `replace`: what `--force` does. */
function putEntry(cache: StageCache, model: (path: string) => void, replace: boolean) {
  return cache.put(HASH, { kind: "stage.sft", label: "sft", seconds: 0 }, (d) => {
    model(join(d, MODEL_FILE));
    writeFileSync(join(d, "metrics.jsonl"), "");
  }, { replace });
}

test("the race: a path opened after the entry was resolved reads the replacing generation; readEntryFile holds it to the resolved record", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = new StageCache(dir);
    // same size, other bytes: a size check alone would not see the swap
    const A = Buffer.alloc(4096, 1);
    const B = Buffer.alloc(4096, 2);
    await putEntry(cache, (p) => writeFileSync(p, A), false);
    const resolved = cache.read(HASH, (e) => readFileSync(join(e.dir, "metrics.jsonl"), "utf8"))!; // a hit, its rows read
    const rec = resolved.entry.meta.files[MODEL_FILE];
    await putEntry(cache, (p) => writeFileSync(p, B), true); // another process: alignc run --force sft
    assert.deepEqual(readFileSync(join(resolved.entry.dir, MODEL_FILE)), B, "by path, the resolved entry's weights are now the other generation's");
    assert.throws(() => readEntryFile(resolved.entry.dir, MODEL_FILE, rec), (e: unknown) => e instanceof EntryChangedError && /sha256 .* the entry this run read recorded/.test(e.message));
    // a forced recompute that gives the same bytes (one backend: reproducible) is the same content
    await putEntry(cache, (p) => writeFileSync(p, A), true);
    assert.deepEqual(readEntryFile(resolved.entry.dir, MODEL_FILE, rec), A);
    // an entry removed meanwhile, or a record without the file
    cache.remove(HASH);
    assert.throws(() => readEntryFile(resolved.entry.dir, MODEL_FILE, rec), (e: unknown) => e instanceof EntryChangedError && /is gone/.test(e.message));
    assert.throws(() => readEntryFile(resolved.entry.dir, "other.bin", undefined), (e: unknown) => e instanceof EntryChangedError && /records no other\.bin/.test(e.message));
  } finally {
    cleanup();
  }
});

test("a stage's weights replaced by another run's --force after this run resolved the entry: AL5003 at the stage, never the other model", async () => {
  const { dir, cleanup } = tempDir();
  const cfg = testGptConfig({ vocabSize: 11, context: 8, layers: 1, dModel: 8, heads: 2 });
  const [a, b] = [Gpt.init(cfg, ["lm"], 1), Gpt.init(cfg, ["lm"], 2)];
  try {
    const cache = new StageCache(dir);
    await putEntry(cache, (p) => saveModel(p, a, { stage: "sft" }), false);
    const resolved = cache.read(HASH, (e) => e)!;
    const node = { id: "sft", kind: "stage", op: "sft", params: {}, inputs: [], files: [], hash: HASH, estimates: {}, block: "sft" } as PlanNode;
    const env = { recipe: { file: "/x/r.align", blocks: [{ name: "sft", file: "/x/r.align", decl: { span }, propSpans: {} }] } } as unknown as HandlerEnv;
    const plan = { version: 1, nodes: [node] } as unknown as Plan;
    const out: NodeOutput = { node, dir: resolved.entry.dir, files: resolved.entry.meta.files, value: undefined, summary: {} };
    const first = await networkOf(env, plan, out);
    assert.deepEqual(first.values().get("wte"), a.values().get("wte"));
    first.dispose();

    await putEntry(cache, (p) => saveModel(p, b, { stage: "sft" }), true); // another process: alignc run --force sft
    await assert.rejects(networkOf(env, plan, out), (e: unknown) => {
      assert.ok(e instanceof DiagnosticError, String(e));
      const d = e.diagnostics[0]!;
      assert.equal(d.code, "AL5003");
      assert.equal(d.file, "/x/r.align");
      assert.deepEqual(d.span, span);
      assert.match(d.message, /`sft`'s weights changed in the stage cache while this run used its entry: .*model\.safetensors: has sha256/);
      assert.match(d.message, /another process replaced the entry since this run read it \(`alignc run --force sft`\)/);
      assert.match(d.hint!, /run the same command again/);
      return true;
    });
    // a run that resolves the entry now reads the new generation, whole
    const now = cache.read(HASH, (e) => e)!;
    const second = await networkOf(env, plan, { ...out, files: now.entry.meta.files });
    assert.deepEqual(second.values().get("wte"), b.values().get("wte"));
    second.dispose();
    // the file changed under the same entry.json (same size: get() sees nothing): damaged, forced to fix
    const file = join(now.entry.dir, MODEL_FILE);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(file, bytes);
    assert.ok(cache.get(HASH), "a hit by its sizes");
    await assert.rejects(networkOf(env, plan, { ...out, files: now.entry.meta.files }), (e: unknown) => {
      const d = (e as DiagnosticError).diagnostics[0]!;
      assert.equal(d.code, "AL5003");
      assert.match(d.message, /the entry is damaged \(changed outside alignc\)/);
      assert.match(d.hint!, /run again with `--force sft`/);
      return true;
    });
  } finally {
    a.dispose();
    b.dispose();
    cleanup();
  }
});

test("the executor hands a consumer the record of the generation it resolved, for a hit and for a node it computed", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cacheRoot = join(dir, "cache");
    const node = (id: string, inputs: string[]): PlanNode => ({ id, kind: "stage", op: "sft", params: {}, inputs, files: [], hash: `${id}-${"0".repeat(8)}`, estimates: {}, block: id });
    const plan: Plan = { version: 1, recipe: { name: "race", file: "race.align", seed: 1 }, engine: { alignc: "0.1.0", epoch: 1 }, nodes: [node("a", []), node("b", ["a"])] } as Plan;
    const seen: string[] = [];
    let generation = 1;
    const handlers: HandlerTable = {
      stage: {
        storage: "cache",
        async run(ctx: NodeContext) {
          if (ctx.node.id === "a") {
            writeFileSync(join(ctx.outDir, "out.bin"), "generation 1");
            return { status: "done", summary: {} };
          }
          const input = await ctx.input("a");
          seen.push(readEntryFile(input.dir!, "out.bin", input.files?.["out.bin"]).toString());
          // another process forces `a` while b runs
          await new StageCache(cacheRoot).put(input.node.hash, { kind: "stage.sft", label: "a", seconds: 0 }, (d) => writeFileSync(join(d, "out.bin"), `generation ${++generation}`), { replace: true });
          try {
            seen.push(readEntryFile(input.dir!, "out.bin", input.files?.["out.bin"]).toString());
          } catch (err) {
            seen.push(err instanceof EntryChangedError ? "changed" : String(err));
          }
          writeFileSync(join(ctx.outDir, "out.bin"), "b");
          return { status: "done", summary: {} };
        },
      },
    };
    const opts = (force: string[]) => ({ plan, recipe: { name: "race", file: "race.align", seed: 1, expects: [] }, handlers, backend: "fake", runsDir: join(dir, "runs"), cacheRoot, progress: createProgress({ quiet: true }), force });
    // a computed in this run, then (entry of a now generation 2) a hit whose entry is replaced again
    for (const force of [[], ["b"]]) {
      seen.length = 0;
      const r = await runPlan(opts(force));
      assert.equal(r.exitCode, 0, r.error?.message);
      assert.deepEqual(seen, [force.length ? "generation 2" : "generation 1", "changed"], `force ${force.join(",") || "none"}`);
    }
  } finally {
    cleanup();
  }
});

test("a draw's samples replaced by another run's --force after they were handed to the data layer: AL5003 at the ranked source, never the other samples", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const root = repoRoot();
    const src = readFileSync(join(root, "test", "label", "fixtures", "onpolicy.align"), "utf8").replaceAll('"../../../', `"${root}/`);
    writeFileSync(join(dir, "onpolicy.align"), src);
    const { recipe } = await checkRecipeFile(join(dir, "onpolicy.align"));
    assert.ok(recipe);
    const cacheRoot = join(dir, "cache");
    const hash = registerCachedDraws(recipe, cacheRoot).find((d) => d.rank === "onpolicy")!.hash;
    const cache = new StageCache(cacheRoot);
    const drawn = (answer: string) => (d: string) => writeFileSync(join(d, "candidates.jsonl"), JSON.stringify({ id: "x", prompt: "p", responses: [answer, "b", "c", "d"], model: "m" }) + "\n");
    await cache.put(hash, { kind: "data.samples", label: "onpolicy/draw", seconds: 0 }, drawn("a"));
    assert.equal(registerCachedDraws(recipe, cacheRoot)[0]!.file, join(cacheRoot, hash, "candidates.jsonl")); // handed over, with its record
    await cache.put(hash, { kind: "data.samples", label: "onpolicy/draw", seconds: 0 }, drawn("z"), { replace: true }); // another process: --force
    await assert.rejects(buildExamples(recipe, "onpolicy"), (e: unknown) => {
      assert.ok(e instanceof DiagnosticError, String(e));
      const d = e.diagnostics[0]!;
      assert.equal(d.code, "AL5003");
      assert.equal(d.file, join(dir, "onpolicy.align"));
      assert.equal(d.span?.line, src.split("\n").findIndex((l) => l.startsWith("source onpolicy")) + 1);
      assert.match(d.message, /the samples of the draw `onpolicy\/draw` changed in the stage cache while they were read: .*candidates\.jsonl holds \d+ bytes with sha256/);
      assert.match(d.message, /another process replaced the entry since \(`alignc run --force onpolicy\/draw`\)/);
      assert.match(d.hint!, /run the same command again/);
      return true;
    });
    // the file changed under the same entry.json: damaged, `--force` draws it anew
    registerCachedDraws(recipe, cacheRoot);
    writeFileSync(join(cacheRoot, hash, "candidates.jsonl"), readFileSync(join(cacheRoot, hash, "candidates.jsonl"), "utf8").replace('"z"', '"y"'));
    await assert.rejects(buildExamples(recipe, "onpolicy"), (e: unknown) => {
      const d = (e as DiagnosticError).diagnostics[0]!;
      assert.equal(d.code, "AL5003");
      assert.match(d.message, /the entry is damaged \(changed outside alignc\)/);
      assert.match(d.hint!, /draw it anew and replace its entry with `alignc run RECIPE --force onpolicy\/draw`/);
      return true;
    });
  } finally {
    cleanup();
  }
});
