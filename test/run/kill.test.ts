// kill -9 loop on the micro recipe (issue 15, point 7): `alignc run` is killed with SIGKILL at seeded
// moments, run again each time, and finally run to the end. After every kill the cache holds no
// corrupt entry and `alignc runs` shows the killed run as dead; the finished run reports exactly what
// an uninterrupted run reports (every node's summary, every metric row but wall-clock fields) and its
// cache entries hold the same bytes. Every stage checkpoints every step here, so a kill inside a
// stage resumes it from a checkpoint written by a process that was then killed.
//
// Seeded: when each kill comes (after how many checkpoint/entry writes, then how many ms) is drawn
// from a fixed fast-check seed (FC_SEED=n for others by hand). Where the ms land still depends on
// the machine's speed; the assertions hold wherever they land.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { StageCache } from "../../src/run/storage/cache.js";
import { listRuns } from "../../src/run/presentation/list.js";
import { RunDir, type Manifest } from "../../src/run/storage/rundir.js";
import { exited, tempDir } from "./helpers.js";
import { repoRoot, writeMicro } from "./micro.js";

const seed = Number(process.env["FC_SEED"] ?? 20261202);
/** When to SIGKILL each run: once it has written `writes` new checkpoints or cache entries, then
 * `ms` later. Counted in writes rather than milliseconds from the start, so the kills land inside the
 * pipeline (mid-stage, mid-checkpoint, mid-entry) on a fast machine and on a loaded one alike. */
const KILLS = fc.sample(fc.record({ writes: fc.integer({ min: 1, max: 5 }), ms: fc.integer({ min: 0, max: 150 }) }), { seed, numRuns: 4 });

/** Names of the complete cache entries and checkpoints under `root` (`<hash>` and `<hash>/ckpt-N`). */
function written(root: string): string[] {
  const ls = (d: string) => (existsSync(d) ? readdirSync(d) : []);
  const partial = join(root, ".partial");
  return [...ls(root).filter((n) => !n.startsWith(".")), ...ls(partial).flatMap((h) => ls(join(partial, h)).filter((n) => n.startsWith("ckpt-")).map((n) => `${h}/${n}`))];
}

/** Resolves once `n` names not in `before` have appeared in the cache, or the child exited. */
function afterWrites(child: ChildProcess, root: string, n: number): Promise<void> {
  const before = new Set(written(root));
  const seen = new Set<string>();
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      for (const w of written(root)) if (!before.has(w)) seen.add(w);
      if (seen.size >= n || child.exitCode !== null || child.signalCode !== null) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
}

function alignc(cwd: string, recipe: string): ChildProcess {
  return spawn(process.execPath, [join(repoRoot(), "bin", "alignc.js"), "run", "--workers", "1", recipe], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "true", ALIGNC_CACHE: join(cwd, "cache"), XDG_CACHE_HOME: join(cwd, "xdg") },
  });
}

async function runToEnd(cwd: string, recipe: string): Promise<Manifest> {
  const child = alignc(cwd, recipe);
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  const { code } = await exited(child);
  assert.equal(code, 0, err.slice(-2000));
  const last = listRuns(join(cwd, "runs")).sort((a, b) => (a.created < b.created ? -1 : 1)).at(-1)!;
  return RunDir.open(last.path).readManifest();
}

const timeless = (o: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(o).filter(([k]) => !/time|per_s|cached/.test(k))));

function rowsByStage(runDir: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of RunDir.open(runDir).readMetrics()) (out[r.stage] ??= []).push(timeless(r));
  return out;
}

/** The summaries of the stages and evals (in-memory data nodes are skipped when all their consumers are cached). */
function summaries(m: Manifest): Record<string, string> {
  return Object.fromEntries(m.nodes.filter((n) => /^(stage|eval)/.test(n.kind)).map((n) => [n.id, timeless(n.summary ?? {})]));
}

/** Every cache entry's files by sha256 (its metrics.jsonl without wall-clock fields). */
function entryContents(cacheRoot: string): Record<string, Record<string, string>> {
  const cache = new StageCache(cacheRoot);
  const out: Record<string, Record<string, string>> = {};
  for (const hash of readdirSync(cacheRoot).filter((n) => !n.startsWith("."))) {
    const e = cache.get(hash);
    assert.ok(e, `entry ${hash} readable`);
    out[hash] = Object.fromEntries(
      Object.entries(e.meta.files).map(([f, rec]) => [
        f,
        f === "metrics.jsonl" ? readFileSync(join(e.dir, f), "utf8").split("\n").filter(Boolean).map((l) => timeless(JSON.parse(l) as Record<string, unknown>)).join("\n") : rec.sha256,
      ]),
    );
  }
  return out;
}

test(`alignc run on the micro recipe killed with SIGKILL ${KILLS.length} times (seeded), then finished, equals an uninterrupted run`, { timeout: 600_000 }, async (t) => {
  const { dir, cleanup } = tempDir("alignc-kill-");
  try {
    const recipe = writeMicro(dir, { checkpointEvery: 1, name: "micro_kill" });
    const straightDir = join(dir, "straight");
    const killedDir = join(dir, "killed");
    mkdirSync(straightDir);
    mkdirSync(killedDir);
    const straight = await runToEnd(straightDir, recipe);

    const cache = new StageCache(join(killedDir, "cache"));
    let kills = 0;
    for (const { writes, ms } of KILLS) {
      const child = alignc(killedDir, recipe);
      child.stdout!.resume();
      await afterWrites(child, join(killedDir, "cache"), writes);
      await new Promise((r) => setTimeout(r, ms));
      if (!child.kill("SIGKILL")) break; // it had already finished
      const { signal, code } = await exited(child);
      if (signal !== "SIGKILL") {
        assert.equal(code, 0, "a run that ended before its kill ended well");
        break;
      }
      kills++;
      // no entry at a final name is incomplete or differs from its recorded hashes
      for (const hash of readdirSync(join(killedDir, "cache")).filter((n) => !n.startsWith("."))) assert.ok(cache.verify(hash), `after kill ${kills}: entry ${hash} is corrupt`);
      // every checkpoint offered for resuming is complete
      const partial = join(killedDir, "cache", ".partial");
      for (const hash of existsSync(partial) ? readdirSync(partial) : [])
        for (const ck of cache.checkpoints(hash)) assert.ok(readdirSync(ck.dir).includes("state.safetensors"), `checkpoint ${ck.dir} holds its state`);
      const runs = listRuns(join(killedDir, "runs"));
      const killed = runs.filter((r) => r.status === "dead");
      assert.equal(killed.length, kills, `every killed run shows as dead: ${JSON.stringify(runs.map((r) => r.status))}`);
      t.diagnostic(`kill ${kills}, ${ms} ms after ${writes} writes: ${written(join(killedDir, "cache")).join(" ")}`);
    }
    assert.ok(kills >= 3, `at least three kills landed (${kills})`);

    const finished = await runToEnd(killedDir, recipe);
    assert.equal(finished.status, "ok");
    assert.equal(Object.keys(summaries(straight)).length, 9, "4 stages and 5 evals");
    assert.deepEqual(summaries(finished), summaries(straight), "every stage's and eval's summary");
    const runDirOf = (m: Manifest, root: string) => join(root, "runs", m.runId);
    assert.deepEqual(rowsByStage(runDirOf(finished, killedDir)), rowsByStage(runDirOf(straight, straightDir)), "metrics.jsonl rows, stage by stage");
    assert.deepEqual(entryContents(join(killedDir, "cache")), entryContents(join(straightDir, "cache")), "cache entries: same hashes, same bytes");
  } finally {
    cleanup();
  }
});
