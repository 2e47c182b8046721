// Run bookkeeping after a crash (issue 15): a killed run is not shown as running forever, and the
// Ctrl-C hint repeats every flag that chose the plan.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { listRuns } from "../../src/run/presentation/list.js";
import { resumeCommand } from "../../src/cli/commands/run.js";

function manifest(dir: string, id: string, pid: number | undefined): void {
  mkdirSync(join(dir, id), { recursive: true });
  const m = {
    alignc: "t", runId: id, recipe: { name: "r", file: "r.align" }, planHash: "x", variant: null, created: `2026-01-01T00:00:0${id.length % 10}Z`, finished: null,
    status: "running", ...(pid !== undefined ? { pid } : {}), exitCode: null, backend: "wasm", seed: 1, tiny: true, options: { force: [], until: null },
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

test("the Ctrl-C resume hint keeps --tiny, --variant, --backend, --until and --recipe, never --force", () => {
  assert.equal(resumeCommand("recipes/quickstart.align", { tiny: true, backend: "cpu", until: "sft", variant: "kl_coef=0.05" }), "alignc run --tiny --variant kl_coef=0.05 --backend cpu --until sft recipes/quickstart.align");
  assert.equal(resumeCommand("my plans/p.json", { recipe: "r.align" }), "alignc run --recipe r.align 'my plans/p.json'");
});
