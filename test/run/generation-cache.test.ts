// The generation cache (src/run/storage/generation-cache.ts): greedy answers stored by a key over
// the model, the prompts, the decode settings, the engine and the backend.
//   - unit: round trip; every part of the key changes it; a torn, truncated or edited entry is
//     reported, removed and never trusted; a temp file left by a kill -9 mid-write never reads as
//     an entry and is swept once its writer is gone
//   - through the real handlers on the micro recipe (wasm): both judges read the same answers, so
//     the rule judge reads back what the RM judge generated; after a change to PPO's kl_coef the SFT
//     model's answers are read back (judges and PPO's probe before training), and every node's
//     metric rows, samples and summary are bit-identical to the same recipe run on an empty cache,
//     and to a run whose stored answers were all corrupted; a changed decode setting misses
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { createProgress, type Progress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { GenerationCache, generationKey, generationModel, type GenerationKey } from "../../src/run/storage/generation-cache.js";
import { RunDir, type Manifest } from "../../src/run/storage/rundir.js";
import { outcome, tempDir } from "./helpers.js";
import { microRecipe } from "./micro.js";

const baseKey: GenerationKey = {
  model: { node: "a".repeat(64), weights: "b".repeat(64) },
  prompts: [
    [1, 2, 3],
    [4, 5],
  ],
  decode: { maxNewTokens: 8, temperature: 0, topK: 0, topP: 1, eos: 2, pad: 0, batchSize: 32 },
  engine: { alignc: "0.1.0", epoch: 5 },
  backend: "wasm",
};

test("generation key: every part of what the answers depend on changes it", () => {
  const k = generationKey(baseKey);
  assert.equal(generationKey(structuredClone(baseKey)), k, "the same key twice");
  const variants: GenerationKey[] = [
    { ...baseKey, model: { ...baseKey.model, node: "c".repeat(64) } },
    { ...baseKey, model: { ...baseKey.model, weights: "d".repeat(64) } },
    { ...baseKey, model: { ...baseKey.model, weights: null } },
    { ...baseKey, prompts: [[1, 2, 3], [4, 6]] },
    { ...baseKey, prompts: [[4, 5], [1, 2, 3]] },
    { ...baseKey, decode: { ...baseKey.decode, maxNewTokens: 9 } },
    { ...baseKey, decode: { ...baseKey.decode, eos: undefined } },
    { ...baseKey, decode: { ...baseKey.decode, pad: 1 } },
    { ...baseKey, decode: { ...baseKey.decode, batchSize: 16 } },
    { ...baseKey, decode: { ...baseKey.decode, topK: 5 } },
    { ...baseKey, engine: { ...baseKey.engine, epoch: 6 } },
    { ...baseKey, engine: { ...baseKey.engine, alignc: "0.2.0" } },
    { ...baseKey, backend: "tensorflow" },
  ];
  const keys = new Set(variants.map(generationKey));
  assert.equal(keys.size, variants.length, "each change gives its own key");
  assert.ok(!keys.has(k));
});

test("generation cache: round trip; torn, truncated or edited entries are reported, removed and generated again", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const warnings: string[] = [];
    const cache = new GenerationCache(dir, (l) => warnings.push(l));
    const key = generationKey(baseKey);
    const answers = [[7, 8, 2], [9]];
    let calls = 0;
    const gen = () => {
      calls++;
      return answers.map((a) => [...a]);
    };
    assert.deepEqual(await cache.getOrGenerate(key, 2, gen), { outputs: answers, cached: false });
    assert.deepEqual(await cache.getOrGenerate(key, 2, gen), { outputs: answers, cached: true });
    assert.equal(calls, 1);
    const file = join(cache.dir, `${key}.json`);
    const good = readFileSync(file);
    assert.equal(cache.get(key, 3), null, "a different prompt count never reads as this entry");
    assert.equal(warnings.length, 1);
    const damages: [string, Buffer][] = [
      ["truncated", good.subarray(0, good.length - 5)],
      ["header only", good.subarray(0, good.indexOf(10) + 1)],
      ["empty", Buffer.alloc(0)],
      ["a token edited", Buffer.from(good.toString("utf8").replace("[7,8,2]", "[7,8,3]"))],
      ["garbage", Buffer.from("not json at all\n{")],
    ];
    for (const [what, bytes] of damages) {
      warnings.length = 0;
      writeFileSync(file, bytes);
      const r = await cache.getOrGenerate(key, 2, gen);
      assert.deepEqual(r, { outputs: answers, cached: false }, `${what}: generated again`);
      assert.equal(warnings.length, 1, `${what}: one warning`);
      assert.match(warnings[0]!, /generation cache: entry [0-9a-f]{12} .*; removed, generating again/);
      assert.deepEqual(readFileSync(file), good, `${what}: the entry is written again, whole`);
    }
  } finally {
    cleanup();
  }
});

test("generation cache: a FIFO at an entry's path is a miss, not a read that waits for a writer forever", { skip: spawnSync("mkfifo", ["--version"]).status !== 0 && "mkfifo is not installed" }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = new GenerationCache(dir);
    const key = generationKey(baseKey);
    await cache.getOrGenerate(key, 1, () => [[7]]);
    const entries = readdirSync(join(dir, ".generations")).filter((f) => f === `${key}.json`);
    assert.equal(entries.length, 1);
    const path = join(dir, ".generations", entries[0]!);
    rmSync(path);
    assert.equal(spawnSync("mkfifo", [path]).status, 0);
    assert.deepEqual(await cache.getOrGenerate(key, 1, () => [[8]]), { outputs: [[8]], cached: false });
    assert.deepEqual(await cache.getOrGenerate(key, 1, () => [[9]]), { outputs: [[8]], cached: true }, "the FIFO replaced by the new entry");
  } finally {
    cleanup();
  }
});

test("generation cache: a temp file left by a kill -9 mid-write is no entry, and is swept once its writer is gone", () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = new GenerationCache(dir);
    const key = generationKey(baseKey);
    cache.put(key, [[1], [2]]);
    const other = generationKey({ ...baseKey, backend: "cpu" });
    const full = readFileSync(join(cache.dir, `${key}.json`));
    // what writeFileAtomicSync leaves when killed before its rename: a temp sibling, half written
    const dead = join(cache.dir, `.${other}.json.tmp-999999999-0123abcd`);
    const live = join(cache.dir, `.${other}.json.tmp-${process.pid}-0123abcd`);
    writeFileSync(dead, full.subarray(0, 20));
    writeFileSync(live, full.subarray(0, 20));
    assert.equal(cache.get(other, 2), null, "the key the writer was writing is absent");
    assert.equal(cache.sweep(), 1, "the dead writer's temp file is swept, the live one's kept");
    assert.deepEqual(readdirSync(cache.dir).sort(), [`.${other}.json.tmp-${process.pid}-0123abcd`, `${key}.json`].sort());
    assert.deepEqual(cache.get(key, 2), [[1], [2]]);
  } finally {
    cleanup();
  }
});

// ---- through the real handlers ----

/** A quiet progress that keeps the info lines (where the cache's warnings go). */
function listening(): Progress & { lines: string[] } {
  const quiet = createProgress({ quiet: true });
  const lines: string[] = [];
  return { ...quiet, lines, info: (l: string) => void lines.push(l) };
}

/** Wall-clock fields and the cached marks differ between runs; nothing else may. */
const figures = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => !/time|per_s|cached|^ms$/.test(k)));

/** Per node: its metric rows, samples and summary (rows of reused nodes come first in a run's log: grouped by node here). */
function record(runDir: string, m: Manifest) {
  const run = RunDir.open(runDir);
  const byStage = <T extends { stage?: unknown; eval?: unknown }>(rows: T[], key: "stage" | "eval") => {
    const out: Record<string, unknown[]> = {};
    for (const r of rows) (out[String(r[key])] ??= []).push(figures(r as Record<string, unknown>));
    return out;
  };
  return {
    metrics: byStage(run.readMetrics() as { stage?: unknown }[], "stage"),
    samples: byStage(run.readSamples() as { eval?: unknown }[], "eval"),
    // stages and evals (data nodes are built in memory only when a node that runs needs them)
    summaries: Object.fromEntries(m.nodes.filter((n) => /^(stage|eval)\./.test(n.kind)).map((n) => [n.id, figures(n.summary ?? {})])),
  };
}

const gens = (m: Manifest, id: string) => m.nodes.find((n) => n.id === id)!.generations ?? { cached: 0, generated: 0 };

test("micro recipe: answers shared by both judges and across runs; a reused answer is what generating gives, bit for bit", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const write = (name: string, text: string) => {
      const p = join(dir, `${name}.align`);
      writeFileSync(p, text);
      return p;
    };
    const base = write("micro", microRecipe());
    const changed = write("micro_kl", microRecipe({ klCoef: 0.2 }));
    const shared = join(dir, "cache");
    const run = async (recipe: string, cacheRoot: string, runs: string, progress = listening()) => {
      const o = outcome(await runRecipe(recipe, { runsDir: join(dir, runs), cacheRoot, progress, backend: "wasm", workers: 1 }));
      assert.equal(o.exitCode, 0, `${runs}: ${progress.lines.join("\n")}`);
      return { o, progress };
    };

    // cold: the RM judge generates policy's and SFT's answers; the rule judge reads both back
    const cold = (await run(base, shared, "runs-cold")).o;
    assert.deepEqual(gens(cold.manifest, "judge"), { cached: 0, generated: 2 });
    assert.deepEqual(gens(cold.manifest, "rule"), { cached: 2, generated: 0 });
    assert.deepEqual(gens(cold.manifest, "policy"), { cached: 0, generated: 1 }, "PPO's probe of SFT before training");
    assert.ok(cold.manifest.cache.generations!.cached >= 2);

    // kl_coef changed: policy and both judges rerun; SFT's answers come back from the cache
    const rerun = (await run(changed, shared, "runs-rerun")).o;
    assert.deepEqual(gens(rerun.manifest, "policy"), { cached: 1, generated: 0 }, "the probe of SFT, read back");
    assert.deepEqual(gens(rerun.manifest, "judge"), { cached: 1, generated: 1 }, "SFT's answers read back, the new policy's generated");
    assert.deepEqual(gens(rerun.manifest, "rule"), { cached: 2, generated: 0 });

    // the same recipe on an empty cache: every answer generated, and every figure the same
    const fresh = (await run(changed, join(dir, "cache-empty"), "runs-fresh")).o;
    assert.deepEqual(gens(fresh.manifest, "judge"), { cached: 0, generated: 2 });
    assert.deepEqual(record(rerun.runDir, rerun.manifest), record(fresh.runDir, fresh.manifest), "reused answers change no metric row, sample or summary");

    // each stored answer set names the node of the model that answered (what `alignc cache prune` keeps it for)
    const modelHashes = new Set([cold, rerun].flatMap((o) => o.manifest.nodes.filter((n) => n.id === "sft" || n.id === "policy").map((n) => n.hash)));
    for (const f of readdirSync(join(shared, ".generations"))) assert.ok(modelHashes.has(generationModel(join(shared, ".generations", f))!), f);

    // every stored answer corrupted, then the changed nodes forced: each is reported, none trusted, nothing changes
    const gdir = join(shared, ".generations");
    for (const f of readdirSync(gdir)) {
      const bytes = readFileSync(join(gdir, f));
      writeFileSync(join(gdir, f), bytes.subarray(0, bytes.length - 7));
    }
    const corrupt = listening();
    const again = outcome(await runRecipe(changed, { runsDir: join(dir, "runs-corrupt"), cacheRoot: shared, progress: corrupt, backend: "wasm", workers: 1, force: ["policy", "judge", "rule"] }));
    assert.equal(again.exitCode, 0);
    assert.ok(corrupt.lines.some((l) => /generation cache: entry [0-9a-f]{12} holds \d+ bytes of answers, not the \d+ recorded/.test(l)), corrupt.lines.join("\n"));
    assert.deepEqual(gens(again.manifest, "judge"), { cached: 0, generated: 2 });
    assert.deepEqual(record(again.runDir, again.manifest), record(fresh.runDir, fresh.manifest), "after corruption: the same figures");

    // a changed decode setting (the RM judge's max_new_tokens) misses both answer sets
    const shorter = write("micro_short", microRecipe({ klCoef: 0.2 }).replace("judge = rm  prompts = heldout(prefs)  n = 8  max_new_tokens = 8", "judge = rm  prompts = heldout(prefs)  n = 8  max_new_tokens = 6"));
    const short = (await run(shorter, shared, "runs-short")).o;
    assert.equal(short.manifest.nodes.find((n) => n.id === "judge")!.status, "computed");
    assert.deepEqual(gens(short.manifest, "judge"), { cached: 0, generated: 2 });
  } finally {
    cleanup();
  }
});
