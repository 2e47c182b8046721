// How `alignc run` ends on the signals a user or a terminal sends, through the real handlers on the
// micro recipe (checkpoint every step):
//   SIGHUP (a closed terminal or ssh session): killed the run at once, as kill -9 does: the progress
//     since the last checkpoint was lost, `alignc runs` showed it dead and its node's lock stayed.
//     Now it stops as on SIGTERM: checkpoint, recorded as interrupted, lock released, and the
//     process ends by SIGHUP (the shell's 129; the manifest records 129).
//   a closed terminal (the pty's master closed: the kernel's SIGHUP, then EIO on every write to it):
//     the graceful stop above then crashed on the first write (EIO rethrown) and Node's exit aborted
//     while resetting the dead terminal (SIGABRT); now it ends by SIGHUP with the run recorded.
//   a second Ctrl-C: exited at once and left the run "running" (shown dead) with its lock. Now it
//     still exits at once, but records the run as interrupted and releases the lock first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createProgress } from "../../src/run/presentation/progress.js";
import { listRuns } from "../../src/run/presentation/list.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { StageCache } from "../../src/run/storage/cache.js";
import { RunDir, type Manifest } from "../../src/run/storage/rundir.js";
import { signalAt } from "../cli/signal-at.js";
import { exited, spawnFixture, tempDir, waitForLine } from "./helpers.js";
import { repoRoot, writeMicro } from "./micro.js";

const locks = (cache: string) => (existsSync(join(cache, ".locks")) ? readdirSync(join(cache, ".locks")) : []);

function onlyRun(runsDir: string): Manifest {
  const runs = listRuns(runsDir);
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.status, "interrupted", "`alignc runs` shows what happened (not dead, not running)");
  return RunDir.open(runs[0]!.path).readManifest();
}

/** The interrupted node resumes from its newest checkpoint, and the run then ends ok. */
async function resumes(recipe: string, runsDir: string, cacheRoot: string, step: number): Promise<void> {
  const r = await runRecipe(recipe, { runsDir, cacheRoot, progress: createProgress({ quiet: true }), workers: 1 });
  assert.ok(r.ok && r.outcome.exitCode === 0, r.ok ? r.outcome.error?.message : r.message ?? "");
  const pre = r.outcome.manifest.nodes.find((n) => n.id === "pre")!;
  assert.equal(pre.status, "resumed");
  assert.equal(pre.resumedFromStep, step);
}

test("SIGHUP during a stage: checkpoint, recorded interrupted (129), lock released, ends by SIGHUP; the next run resumes", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const recipe = writeMicro(dir, { checkpointEvery: 1 });
    const cacheRoot = join(dir, "cache");
    mkdirSync(join(cacheRoot, ".partial"), { recursive: true });
    // sent when pre's first checkpoint folder appears: inside pre, with steps still to go
    const r = await signalAt(["run", "--workers", "1", recipe], {
      cwd: dir,
      watchDir: join(cacheRoot, ".partial"),
      when: () => true,
      signals: ["SIGHUP"],
      env: { CI: "true", ALIGNC_CACHE: cacheRoot, XDG_CACHE_HOME: join(dir, "xdg") },
    });
    assert.ok(r.fired);
    // before: killed by the signal's default action at once, the manifest still "running"
    assert.equal(r.signal, "SIGHUP", `exit ${r.code}: ${r.stderr.slice(-1500)}`);
    assert.match(r.stderr, /SIGHUP: finishing the current step and saving a checkpoint/);
    assert.match(r.stderr, /interrupted: run `alignc run --workers 1 .*micro\.align` again to resume/);
    const m = onlyRun(join(dir, "runs"));
    assert.equal(m.exitCode, 129);
    const pre = m.nodes.find((n) => n.id === "pre")!;
    assert.equal(pre.status, "interrupted");
    assert.deepEqual(locks(cacheRoot), [], "the node's lock is released");
    const ck = new StageCache(cacheRoot).latestCheckpoint(pre.hash)!;
    assert.match(pre.reason!, new RegExp(`checkpoint at step ${ck.step}\\b`));
    await resumes(recipe, join(dir, "runs"), cacheRoot, ck.step);
  } finally {
    cleanup();
  }
});

/** Runs argv under a pseudo-terminal, closes the terminal once `marker` is printed, prints the exit status. */
const PTY = `
import os, pty, signal, sys
marker = sys.argv[1].encode()
then = int(sys.argv[2])  # a signal to send once the terminal is closed (0: none)
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[3], sys.argv[3:])
seen = b""
while marker not in seen:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
os.close(fd)
if then:
    import time; time.sleep(0.005); os.kill(pid, then)
_, status = os.waitpid(pid, 0)
print("signal" if os.WIFSIGNALED(status) else "exit", os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status), "marker" if marker in seen else "no-marker")
`;

for (const then of [0, 15]) test(`the terminal closes during a stage${then ? ", then a SIGTERM stops at once" : ""}: the run is recorded interrupted, ends by SIGHUP (not a crash on the dead terminal)`, async (t) => {
  if (spawnSync("python3", ["-c", "import pty"]).status !== 0) return t.skip("python3 (for its pty module) is not available");
  const { dir, cleanup } = tempDir();
  try {
    const recipe = writeMicro(dir, { checkpointEvery: 1 });
    const cacheRoot = join(dir, "cache");
    const res = spawnSync("python3", ["-c", PTY, "[pre] step 1/6", String(then), process.execPath, join(repoRoot(), "bin", "alignc.js"), "run", "--workers", "1", recipe], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, CI: "true", ALIGNC_CACHE: cacheRoot, XDG_CACHE_HOME: join(dir, "xdg") },
    });
    assert.equal(res.status, 0, res.stderr);
    const m = onlyRun(join(dir, "runs"));
    assert.equal(m.exitCode, 129);
    const pre = m.nodes.find((n) => n.id === "pre")!;
    assert.equal(pre.status, "interrupted");
    if (then && !pre.reason!.startsWith("stopped at once")) {
      // the SIGTERM came after the graceful stop had ended (a slow machine): killed by it, all recorded
      assert.match(res.stdout, /^signal (1|15) marker/);
    } else {
      // before the EIO fix: "signal 6" (Node's abort on exit) after an uncaught "write EIO"; before the
      // stop-now path ended by SIGHUP: "signal 11"/"signal 6" from process.exit on the dead terminal
      assert.equal(res.stdout.trim(), "signal 1 marker");
    }
    assert.deepEqual(locks(cacheRoot), []);
  } finally {
    cleanup();
  }
});

test("a second Ctrl-C stops at once, but records the run as interrupted and releases its lock first; the next run resumes", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const recipe = writeMicro(dir, { checkpointEvery: 1 });
    const runsDir = join(dir, "runs");
    const cacheRoot = join(dir, "cache");
    // the child waits after step 3 of pre until told to go on: both SIGINTs are delivered meanwhile,
    // so the first asks for a graceful stop and the second stops at once, on any machine
    const child = spawnFixture("interrupt-run", [recipe, runsDir, cacheRoot, "pre 3"], {}, "pipe");
    await waitForLine(child, "step pre 3");
    child.kill("SIGINT");
    await sleep(100);
    child.kill("SIGINT");
    await sleep(100);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stdin!.end("\n");
    const { code } = await exited(child);
    assert.equal(code, 130);
    assert.ok(!out.includes("step pre 4") && !out.includes("exit "), `stopped at once, not after a step and a checkpoint: ${out}`);
    // before: status "running" (shown as dead) and pre's lock left in .locks
    const m = onlyRun(runsDir);
    assert.equal(m.exitCode, 130);
    assert.ok(m.finished !== null);
    const pre = m.nodes.find((n) => n.id === "pre")!;
    assert.equal(pre.status, "interrupted");
    assert.deepEqual(locks(cacheRoot), []);
    const ck = new StageCache(cacheRoot).latestCheckpoint(pre.hash)!;
    assert.equal(pre.reason, `stopped at once; resumes from the checkpoint at step ${ck.step}`);
    await resumes(recipe, runsDir, cacheRoot, ck.step);
  } finally {
    cleanup();
  }
});

test("Ctrl-C while waiting for another run's lock: the hint says no checkpoint was saved, names the other run, and the run resumes nothing", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const recipe = writeMicro(dir);
    const cacheRoot = join(dir, "cache");
    const env = { CI: "true", ALIGNC_CACHE: cacheRoot, XDG_CACHE_HOME: join(dir, "xdg") };
    const { compile } = await import("../../src/compile.js");
    const c = await compile(recipe, {});
    const pre = c.plan!.nodes.find((n) => n.id === "pre")!;
    // "another run" computing pre: this test process holds its lock
    const held = await new StageCache(cacheRoot).lock(pre.hash, { purpose: "alignc run: pre" });
    try {
      const child = spawn(process.execPath, [join(repoRoot(), "bin", "alignc.js"), "run", "--workers", "1", recipe], { cwd: dir, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes(`waiting for pid ${process.pid}`) && !child.killed) child.kill("SIGINT");
      });
      const { code } = await exited(child);
      assert.equal(code, 130, stderr.slice(-1500));
      // before: "interrupted: run `…` again to resume from the checkpoint" (this run has none)
      assert.doesNotMatch(stderr, /resume from the checkpoint/);
      assert.match(stderr, new RegExp(`interrupted while waiting for pid ${process.pid}, which is computing pre: nothing of it computed here, no checkpoint saved; run \`alignc run --workers 1 .*micro\\.align\` again`));
      assert.equal(new StageCache(cacheRoot).latestCheckpoint(pre.hash), null);
      const m = onlyRun(join(dir, "runs"));
      assert.equal(m.nodes.find((n) => n.id === "pre")!.checkpointStep, undefined);
    } finally {
      held.release();
    }
  } finally {
    cleanup();
  }
});

test("Ctrl-C during data preparation stops it at the next stop point, says so (nothing to save), exits 130 and records the run as interrupted there", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const recipe = writeMicro(dir);
    const runsDir = join(dir, "runs");
    const cacheRoot = join(dir, "cache");
    // the child pauses at its 40th stop point (inside the first source's rows): the SIGINT lands there
    const child = spawnFixture("prepare-interrupt", [recipe, runsDir, cacheRoot, "40"], { XDG_CACHE_HOME: join(dir, "xdg") }, "pipe");
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    // before: "preparing" never came (prepare() read no stop flag) and the data was built whole
    await waitForLine(child, "preparing", 60_000);
    child.kill("SIGINT");
    await sleep(100);
    child.stdin!.end("\n");
    const { code } = await exited(child);
    assert.equal(code, 130, out);
    assert.match(out, /said: Ctrl-C: stopping data preparation \(nothing computed yet, nothing to save\)/);
    assert.doesNotMatch(out, /saving a checkpoint/);
    // promptly: the first stop point after the signal stops it (the signal is read there)
    assert.match(out, /stop points after the signal: 1\n/);
    assert.match(out, /hint: interrupted during data preparation: nothing computed, nothing to resume; run `alignc run R` again to start/);
    const m = onlyRun(runsDir);
    assert.equal(m.exitCode, 130);
    assert.equal(m.interrupted, "data preparation");
    for (const n of m.nodes.filter((x) => x.kind.startsWith("stage.") || x.kind.startsWith("eval."))) {
      assert.equal(n.status, "interrupted", n.id);
      assert.match(n.reason!, /^not started: stopped during data preparation/);
    }
    // nothing half-written: no cache entry, no checkpoint, no lock, no temp folder
    const cached = existsSync(cacheRoot) ? readdirSync(cacheRoot).filter((f) => !f.startsWith(".")) : [];
    assert.deepEqual(cached, []);
    assert.deepEqual(locks(cacheRoot), []);
    for (const sub of [".partial", ".tmp"]) assert.deepEqual(existsSync(join(cacheRoot, sub)) ? readdirSync(join(cacheRoot, sub)) : [], [], sub);
    // and the same command then runs from the start
    const again = await runRecipe(recipe, { runsDir, cacheRoot, progress: createProgress({ quiet: true }), workers: 1 });
    assert.ok(again.ok && again.outcome.exitCode === 0);
  } finally {
    cleanup();
  }
});

// huntG40 M2: the executor never gave the event loop a turn between nodes, and evals never await, so a
// Ctrl-C during the evals was read only when the run ended: every remaining eval ran, the run was
// recorded ok with exit 0, and then the process exited 130
test("Ctrl-C between two evals stops the run before the next one: exit 130, recorded interrupted, the evals after it not run", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const recipe = writeMicro(dir);
    const runsDir = join(dir, "runs");
    const cacheRoot = join(dir, "cache");
    const child = spawnFixture("interrupt-run", [recipe, runsDir, cacheRoot, "info:judge: "], {}, "pipe");
    await waitForLine(child, "info judge: ", 120_000);
    child.kill("SIGINT");
    await sleep(100);
    child.stdin!.end("\n");
    const { code } = await exited(child);
    assert.equal(code, 130);
    const m = onlyRun(runsDir);
    assert.deepEqual([m.status, m.exitCode], ["interrupted", 130]);
    const status = (id: string) => m.nodes.find((n) => n.id === id)!.status;
    assert.equal(status("judge"), "computed", "the eval that was running finished");
    for (const later of ["rm_acc", "rule", "zs"]) assert.notEqual(status(later), "computed", `${later} did not run`);
    assert.deepEqual(locks(cacheRoot), []);
  } finally {
    cleanup();
  }
});
