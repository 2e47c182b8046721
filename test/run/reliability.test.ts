// Run bookkeeping after a crash (issue 15): a killed run is not shown as running forever (nor when a
// later process was given its pid), a dead owner's lock is not waited on, and the Ctrl-C hint repeats every flag that chose the plan.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { listRuns } from "../../src/run/presentation/list.js";
import { processAlive, processStart } from "../../src/common/fs-probe.js";
import { acquireLock, LockTimeoutError } from "../../src/run/storage/lock.js";
import { resumeCommand } from "../../src/cli/commands/run.js";

function manifest(dir: string, id: string, pid: number | undefined, pidStart?: string): void {
  mkdirSync(join(dir, id), { recursive: true });
  const m = {
    alignc: "t", runId: id, recipe: { name: "r", file: "r.align" }, planHash: "x", variant: null, created: `2026-01-01T00:00:0${id.length % 10}Z`, finished: null,
    status: "running", ...(pid !== undefined ? { pid } : {}), ...(pidStart !== undefined ? { pidStart } : {}), exitCode: null, backend: "wasm", seed: 1, tiny: true, options: { force: [], until: null },
    host: { hostname: hostname(), platform: "linux", arch: "x64", cpus: 1, cpuModel: "", memoryBytes: 1, node: "v20" }, cache: { root: "", hits: 0, misses: 0 }, nodes: [], expectations: [], error: null,
  };
  writeFileSync(join(dir, id, "manifest.json"), JSON.stringify(m));
}

test("alignc runs tells a killed run (dead pid) from a running one", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-runs-"));
  const gone = spawnSync(process.execPath, ["-e", ""]).pid!; // exited and reaped: its pid is free
  manifest(dir, "a-killed", gone);
  manifest(dir, "b-live", process.pid);
  manifest(dir, "c-old", undefined);
  const byId = new Map(listRuns(dir).map((r) => [r.id, r.status]));
  assert.equal(byId.get("a-killed"), "dead");
  assert.equal(byId.get("b-live"), "running");
  assert.equal(byId.get("c-old"), "running", "no pid recorded: undecidable, shown as recorded");
});

test("a killed run whose pid a later process was given is dead, not running: the manifest records the process's start time", { skip: processStart(process.pid) === null ? "no /proc/PID/stat here: pids are compared alone" : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-runs-"));
  const mine = processStart(process.pid)!;
  manifest(dir, "a-reused", process.pid, String(Number(mine) + 1)); // this pid, another process's start: the run's process is gone
  manifest(dir, "b-live", process.pid, mine);
  const byId = new Map(listRuns(dir).map((r) => [r.id, r.status]));
  assert.equal(byId.get("a-reused"), "dead");
  assert.equal(byId.get("b-live"), "running");
  assert.equal(processAlive(process.pid, mine), true);
  assert.equal(processAlive(process.pid, String(Number(mine) + 1)), false);
});

test("a lock whose owner's pid was given to a later process is stale: taken at once, not waited on", { skip: processStart(process.pid) === null ? "no /proc/PID/stat here" : false }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-lock-"));
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  try {
    const start = processStart(child.pid!);
    assert.ok(start);
    const path = join(dir, "x.lock");
    // what a killed owner left, whose pid a live process (the child) now has: its start time differs
    writeFileSync(path, JSON.stringify({ pid: child.pid, host: hostname(), nonce: "00", since: new Date().toISOString(), purpose: "computing x", start: String(Number(start) - 1) }) + "\n");
    const lock = await acquireLock(path, { waitMs: 0 });
    lock.release();
    // the child itself, recorded with its own start time, is a live owner: waited on (here: at once a timeout)
    writeFileSync(path, JSON.stringify({ pid: child.pid, host: hostname(), nonce: "01", since: new Date().toISOString(), purpose: "computing x", start }) + "\n");
    await assert.rejects(acquireLock(path, { waitMs: 0 }), LockTimeoutError);
  } finally {
    child.kill();
  }
});

test("the Ctrl-C resume hint keeps --tiny, --variant, --backend, --until and --recipe, never --force", () => {
  assert.equal(resumeCommand("recipes/quickstart.align", { tiny: true, backend: "cpu", until: "sft", variant: "kl_coef=0.05" }), "alignc run --tiny --variant kl_coef=0.05 --backend cpu --until sft recipes/quickstart.align");
  assert.equal(resumeCommand("my plans/p.json", { recipe: "r.align" }), "alignc run --recipe r.align 'my plans/p.json'");
  assert.equal(resumeCommand("sweep.align", { tiny: true, allVariants: true }), "alignc run --tiny --all-variants sweep.align", "an interrupted sweep resumes as a sweep");
});

// a killed process its parent has not reaped (a zombie) held its locks: `alignc run` waited on it and
// `alignc label` refused to start (huntD39 M1)
test("a zombie (exited, not yet reaped by its parent) is no live owner", { skip: processStart(process.pid) === null ? "no /proc/PID/stat here" : false }, async () => {
  // the shell starts a short child, then becomes `sleep 5`, which never reaps it
  const parent = spawn("sh", ["-c", "sleep 0.1 & echo $!; exec sleep 5"], { stdio: ["ignore", "pipe", "ignore"] });
  try {
    const pid = Number(await new Promise<string>((res) => parent.stdout!.once("data", (d) => res(String(d).trim()))));
    const start = processStart(pid);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]![0], "Z", "the fixture's child is a zombie");
    assert.equal(processAlive(pid, start), false);
    assert.equal(processAlive(pid), false);
  } finally {
    parent.kill();
  }
});
