// `alignc cache prune` removes exactly the cache's own entries and checkpoints that no run folder's plan
// names; a rerun of every run it kept is still served whole from the cache, and nothing alignc did not
// write (a user's file or folder, a link, a folder set aside by --force) is touched.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../src/common/repo-root.js";
import { StageCache } from "../../src/run/storage/cache.js";
import { GenerationCache } from "../../src/run/storage/generation-cache.js";
import { markActive } from "../../src/run/storage/cache-users.js";
import { pruneCache, PruneRootError } from "../../src/run/storage/prune.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { outcome, tempDir } from "./helpers.js";
import { writeMicro } from "./micro.js";

const quiet = createProgress({ quiet: true });
const H = (c: string) => c.repeat(64);
const CLI = join(repoRoot(), "bin", "alignc.js");

test("prune removes the entries and checkpoints no run names, keeps every run's nodes (a rerun is all cached) and leaves what is not alignc's", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = writeMicro(dir);
    const runs = join(dir, "runs");
    const cacheRoot = join(runs, ".cache");
    const first = outcome(await runRecipe(file, { until: "pre", runsDir: runs, cacheRoot, progress: quiet, workers: 1 }));
    assert.equal(first.exitCode, 0);
    const cache = new StageCache(cacheRoot);
    const kept = readdirSync(cacheRoot).filter((n) => /^[0-9a-f]{64}$/.test(n));
    assert.ok(kept.length >= 1);
    // entries of a plan whose run folder is gone, and checkpoints of a node no run names
    await cache.put(H("a"), { kind: "stage", label: "old_sft", seconds: 1 }, (d) => writeFileSync(join(d, "weights.bin"), Buffer.alloc(4096)));
    await cache.put(H("b"), { kind: "eval", label: "old_judge", seconds: 1 }, (d) => writeFileSync(join(d, "metrics.json"), "{}"));
    await cache.saveCheckpoint(H("c"), 10, (d) => writeFileSync(join(d, "weights.bin"), "x"));
    // what is not alignc's: a folder without entry.json, one whose entry.json names another hash, a file,
    // a link to a user's folder, a folder --force set aside, a user's folder in .partial
    mkdirSync(join(cacheRoot, H("d")));
    writeFileSync(join(cacheRoot, H("d"), "thesis.tex"), "mine");
    mkdirSync(join(cacheRoot, H("e")));
    writeFileSync(join(cacheRoot, H("e"), "entry.json"), JSON.stringify({ hash: H("f") }));
    writeFileSync(join(cacheRoot, "notes.txt"), "mine");
    mkdirSync(join(dir, "elsewhere"));
    writeFileSync(join(dir, "elsewhere", "data.csv"), "1,2");
    symlinkSync(join(dir, "elsewhere"), join(cacheRoot, H("9")));
    mkdirSync(join(cacheRoot, `${H("a")}.foreign-2026-12-06`));
    mkdirSync(join(cacheRoot, ".partial", "mine"));
    // greedy answers: of a kept node's model, of a model no run names, and one that names no model (older)
    const gens = new GenerationCache(cacheRoot);
    gens.put(H("1"), [[1, 2]], kept[0]);
    gens.put(H("2"), [[3]], H("a"));
    gens.put(H("3"), [[4]]);

    const dry = await pruneCache(cacheRoot, [runs], { dryRun: true });
    assert.deepEqual(dry.removed.map((p) => p.label).sort(), ["old_judge", "old_sft"]);
    assert.deepEqual(dry.checkpoints.map((p) => p.hash), [H("c")]);
    assert.ok(existsSync(join(cacheRoot, H("a"))) && cache.checkpoints(H("c")).length === 1, "a dry run removes nothing");
    assert.deepEqual(dry.generations.removed.map((g) => [g.key, g.model]), [[H("2"), H("a")]]);
    assert.ok(gens.get(H("2"), 1), "a dry run removes no answers");

    const r = await pruneCache(cacheRoot, [runs]);
    assert.equal(r.runs, 1);
    assert.deepEqual(r.removed.map((p) => p.hash).sort(), [H("a"), H("b")]);
    assert.ok(r.removed.find((p) => p.hash === H("a"))!.bytes >= 4096);
    assert.deepEqual(r.checkpoints.map((p) => p.hash), [H("c")]);
    assert.equal(r.kept.entries, kept.length);
    assert.deepEqual(r.strangers.sort(), [".partial/mine", H("9"), `${H("a")}.foreign-2026-12-06`, H("d"), H("e"), "notes.txt"].sort());
    assert.ok(!existsSync(join(cacheRoot, H("a"))) && !existsSync(join(cacheRoot, H("b"))) && cache.checkpoints(H("c")).length === 0);
    assert.equal(readFileSync(join(cacheRoot, H("d"), "thesis.tex"), "utf8"), "mine");
    assert.ok(existsSync(join(cacheRoot, H("e"), "entry.json")) && existsSync(join(cacheRoot, "notes.txt")));
    assert.equal(readFileSync(join(cacheRoot, H("9"), "data.csv"), "utf8"), "1,2", "the link and what it leads to are left");
    assert.ok(existsSync(join(cacheRoot, `${H("a")}.foreign-2026-12-06`)) && existsSync(join(cacheRoot, ".partial", "mine")));
    for (const h of kept) assert.ok(cache.verify(h), `${h.slice(0, 8)} kept whole`);
    // answers go with their model's node (they were never pruned: close36); older ones naming none are left
    assert.deepEqual(r.generations.removed.map((g) => g.key), [H("2")]);
    assert.deepEqual([r.generations.kept.files, r.generations.unnamed.files], [1, 1]);
    assert.deepEqual([gens.get(H("1"), 1), gens.get(H("2"), 1), gens.get(H("3"), 1)], [[[1, 2]], null, [[4]]]);

    const again = outcome(await runRecipe(file, { until: "pre", runsDir: runs, cacheRoot, progress: quiet, workers: 1 }));
    assert.equal(again.manifest.cache.misses, 0, "every node of the kept run is served from the cache");
  } finally {
    cleanup();
  }
});

test("an entry whose lock a live process holds is left; a run folder whose plan cannot be read stops the prune before anything goes", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const runs = join(dir, "runs");
    const cacheRoot = join(runs, ".cache");
    const cache = new StageCache(cacheRoot);
    await cache.put(H("a"), { kind: "stage", label: "busy", seconds: 1 }, (d) => writeFileSync(join(d, "w"), "x"));
    await cache.put(H("b"), { kind: "stage", label: "idle", seconds: 1 }, (d) => writeFileSync(join(d, "w"), "x"));
    const lock = await cache.lock(H("a"));
    try {
      // a dry run says what the prune would do: the locked entry is busy, not "would remove" (close36)
      const dry = await pruneCache(cacheRoot, [runs], { dryRun: true });
      assert.deepEqual([dry.busy, dry.removed.map((p) => p.label)], [[H("a")], ["idle"]]);
      assert.ok(!existsSync(join(cacheRoot, ".locks", `${H("b")}.lock`)), "a dry run takes no lock");
      const r = await pruneCache(cacheRoot, [runs]);
      assert.deepEqual(r.busy, [H("a")]);
      assert.deepEqual(r.removed.map((p) => p.label), ["idle"]);
      assert.ok(cache.get(H("a")));
    } finally {
      lock.release();
    }
    // something that is no lock of alignc's at an entry's lock path (a folder): left by both, the prune goes on (it stopped, exit 1; review37)
    const otherRuns = join(dir, "other-runs");
    mkdirSync(otherRuns);
    const other = new StageCache(join(otherRuns, ".cache"));
    await other.put(H("d"), { kind: "stage", label: "odd_lock", seconds: 1 }, (d) => writeFileSync(join(d, "w"), "x"));
    await other.put(H("e"), { kind: "stage", label: "plain", seconds: 1 }, (d) => writeFileSync(join(d, "w"), "x"));
    mkdirSync(join(otherRuns, ".cache", ".locks", `${H("d")}.lock`), { recursive: true });
    assert.deepEqual((await pruneCache(join(otherRuns, ".cache"), [otherRuns], { dryRun: true })).busy, [H("d")]);
    const odd = await pruneCache(join(otherRuns, ".cache"), [otherRuns]);
    assert.deepEqual([odd.busy, odd.removed.map((p) => p.label)], [[H("d")], ["plain"]]);
    assert.ok(other.get(H("d")));
    // a run in progress that has not made its run folder yet (it decides its hits first) keeps its nodes
    await cache.put(H("c"), { kind: "stage", label: "starting", seconds: 1 }, (d) => writeFileSync(join(d, "w"), "x"));
    const unmark = markActive(cacheRoot, [H("c")]);
    assert.deepEqual((await pruneCache(cacheRoot, [runs])).removed.map((p) => p.label), ["busy"], "the lock released, busy goes; starting is marked");
    unmark();
    mkdirSync(join(runs, "r-1"));
    writeFileSync(join(runs, "r-1", "plan.json"), "{ torn");
    await assert.rejects(pruneCache(cacheRoot, [runs]), (e: unknown) => e instanceof PruneRootError && /r-1: its plan\.json cannot be read/.test(e.message));
    assert.ok(cache.get(H("c")), "nothing removed");
    rmSync(join(runs, "r-1"), { recursive: true });
    mkdirSync(join(runs, "notes"));
    writeFileSync(join(runs, "notes", "todo.md"), "a folder that is no run names nothing and stops nothing");
    assert.deepEqual((await pruneCache(cacheRoot, [runs])).removed.map((p) => p.label), ["starting"]);
  } finally {
    cleanup();
  }
});

test("the CLI: a shared ALIGNC_CACHE needs its runs folders named (exit 2); an unknown action is usage; --dry-run says so", () => {
  const { dir, cleanup } = tempDir();
  try {
    const env = { ...process.env, ALIGNC_CACHE: join(dir, "shared") };
    const cli = (args: string[], e: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, env: e, encoding: "utf8" });
    const shared = cli(["cache", "prune"], env);
    assert.equal(shared.status, 2);
    assert.match(shared.stderr, /ALIGNC_CACHE.*name every runs folder/);
    assert.equal(cli(["cache", "tidy"]).status, 2);
    mkdirSync(join(dir, "runs"));
    mkdirSync(join(dir, "shared"));
    const typo = cli(["cache", "prune", "runs", "../projA/rnus"], env);
    assert.equal(typo.status, 2, "a runs folder named that is not there: its runs' entries would go");
    assert.match(typo.stderr, /rnus: no such file/);
    const named = cli(["cache", "prune", "runs", "--dry-run"], env);
    assert.equal(named.status, 0, named.stderr);
    assert.match(named.stdout, /would remove 0 entries .*\nnothing removed \(--dry-run\)\n$/s);
    // a file or a link loop where the cache should be: said as run says it, exit 1 (a raw ENOTDIR; a loop was "nothing to prune": huntD39 L4)
    writeFileSync(join(dir, "afile"), "x");
    const file = cli(["cache", "prune", "runs"], { ...process.env, ALIGNC_CACHE: join(dir, "afile") });
    assert.equal(file.status, 1, file.stderr);
    assert.match(file.stderr, /afile is a file, not a folder/);
    symlinkSync(join(dir, "loop2"), join(dir, "loop1"));
    symlinkSync(join(dir, "loop1"), join(dir, "loop2"));
    const loop = cli(["cache", "prune", "runs"], { ...process.env, ALIGNC_CACHE: join(dir, "loop1") });
    assert.equal(loop.status, 1, loop.stdout);
    assert.match(loop.stderr, /loop1 cannot be read \(ELOOP/);
  } finally {
    cleanup();
  }
});

test("runs folders elsewhere that share the cache keep their entries: each run records its runs folder in the cache", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeMicro(dir);
    const shared = join(dir, "shared-cache");
    const mine = join(dir, "runs");
    const theirs = join(dir, "elsewhere", "runs");
    const other = join(dir, "other.align");
    writeFileSync(other, `recipe other extends "micro.align" { pre.lr = 2e-3 }\n`);
    outcome(await runRecipe(join(dir, "micro.align"), { until: "pre", runsDir: mine, cacheRoot: shared, progress: quiet, workers: 1 }));
    const theirRun = outcome(await runRecipe(other, { until: "pre", runsDir: theirs, cacheRoot: shared, progress: quiet, workers: 1 }));
    const theirPre = theirRun.manifest.nodes.find((n) => n.id === "pre")!.hash;
    const kept = await pruneCache(shared, [mine]);
    assert.deepEqual(kept.folders, [theirs, mine].sort());
    assert.deepEqual(kept.removed, []);
    assert.ok(new StageCache(shared).get(theirPre), "the other folder's run keeps its entry");
    // a recorded runs folder that is not there (deleted, renamed, unmounted) stops the prune until it is
    // said to be gone for good; then its record goes, and what only its runs named
    rmSync(join(dir, "elsewhere"), { recursive: true });
    await assert.rejects(pruneCache(shared, [mine]), (e: unknown) => e instanceof PruneRootError && /runs folder that used this cache is not there.*--forget-gone/.test(e.message));
    assert.ok(new StageCache(shared).get(theirPre), "nothing removed");
    assert.equal((await pruneCache(shared, [mine], { forgetGone: true, dryRun: true })).removed.length, 1, "a dry run forgets nothing");
    const after = await pruneCache(shared, [mine], { forgetGone: true });
    assert.deepEqual(after.gone, [theirs]);
    assert.ok(after.removed.some((p) => p.hash === theirPre));
    assert.deepEqual((await pruneCache(shared, [mine])).gone, [], "its record was dropped");
  } finally {
    cleanup();
  }
});

test("a run folder linked into runs/ keeps its entries (as alignc runs lists it); a .partial that is a link, or a folder holding other than checkpoints, is not alignc's", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = writeMicro(dir);
    const archive = join(dir, "archive");
    const cacheRoot = join(dir, "cache");
    const run = outcome(await runRecipe(file, { until: "pre", runsDir: archive, cacheRoot, progress: quiet, workers: 1 }));
    const pre = run.manifest.nodes.find((n) => n.id === "pre")!.hash;
    const runs = join(dir, "runs");
    mkdirSync(runs);
    symlinkSync(run.runDir, join(runs, "best"));
    rmSync(join(cacheRoot, ".runs"), { recursive: true }); // as a cache filled before runs recorded their folders
    const kept = await pruneCache(cacheRoot, [runs]);
    assert.equal(kept.runs, 1);
    assert.deepEqual(kept.removed, []);
    assert.ok(new StageCache(cacheRoot).get(pre));
    // a hash-named folder in .partial with a user's file: left; .partial itself a link to a user's folder: left
    mkdirSync(join(cacheRoot, ".partial", H("7")), { recursive: true });
    writeFileSync(join(cacheRoot, ".partial", H("7"), "results.csv"), "mine");
    assert.deepEqual((await pruneCache(cacheRoot, [runs])).strangers, [`.partial/${H("7")}`]);
    rmSync(join(cacheRoot, ".partial"), { recursive: true });
    mkdirSync(join(dir, "user", H("8")), { recursive: true });
    writeFileSync(join(dir, "user", H("8"), "results.csv"), "mine");
    symlinkSync(join(dir, "user"), join(cacheRoot, ".partial"));
    const linked = await pruneCache(cacheRoot, [runs]);
    assert.deepEqual([linked.strangers, linked.checkpoints], [[".partial"], []]);
    assert.equal(readFileSync(join(dir, "user", H("8"), "results.csv"), "utf8"), "mine");
  } finally {
    cleanup();
  }
});
