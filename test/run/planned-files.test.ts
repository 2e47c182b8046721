// A file the plan hashed that changes while the run uses it: the node computed from it is not cached
// (its entry would be stored under the hash of content it was not computed from), the run stops with
// AL5004 naming the file, and a run after the file is back computes and caches the node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Plan, PlanNode } from "../../src/plan/types.js";
import type { HandlerTable } from "../../src/run/handler.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runPlan } from "../../src/run/run-plan.js";
import { StageCache } from "../../src/run/storage/cache.js";
import { DiagnosticError } from "../../src/lang/diagnostic.js";
import { tempDir } from "./helpers.js";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

function plan(content: string): Plan {
  const node = (id: string, kind: PlanNode["kind"], op: string, inputs: string[], files: PlanNode["files"]): PlanNode => ({ id, kind, op, params: {}, inputs, files, hash: `h${id}${sha(content).slice(0, 8)}`, estimates: {}, block: id });
  return {
    version: 1,
    recipe: { name: "fake", file: "fake.align", seed: 1 },
    engine: { alignc: "0.1.0", epoch: 1 },
    nodes: [node("d", "data", "read", [], [{ path: "rows.txt", sha256: sha(content) }]), node("a", "stage", "sft", ["d"], []), node("b", "stage", "sft", ["a"], [])],
  };
}

/** d reads rows.txt; a "trains" on what d read, and meanwhile (when asked) rows.txt is edited. */
function handlers(dir: string, edit: { during: string | null }): HandlerTable {
  return {
    "data.read": { storage: "memory", async run() {
      return { status: "done", summary: {}, value: readFileSync(join(dir, "rows.txt"), "utf8") };
    } },
    stage: { storage: "cache", async run(ctx) {
      if (ctx.node.id === "a" && edit.during !== null) writeFileSync(join(dir, "rows.txt"), edit.during);
      writeFileSync(join(ctx.outDir, "out.json"), JSON.stringify({ node: ctx.node.id }));
      return { status: "done", summary: {} };
    } },
  };
}

test("a data file edited while the run uses it: AL5004 at the file, nothing cached from it; the next run computes it", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "rows.txt"), "one\n");
    const p = plan("one\n");
    const edit = { during: "two\n" as string | null };
    const opts = () => ({ plan: p, recipe: { name: "fake", file: join(dir, "fake.align"), seed: 1, expects: [] }, handlers: handlers(dir, edit), backend: "fake", runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }) });
    const r = await runPlan(opts());
    assert.equal(r.exitCode, 1);
    assert.ok(r.error instanceof DiagnosticError, String(r.error));
    const d = (r.error as DiagnosticError).diagnostics[0]!;
    assert.equal(d.code, "AL5004");
    assert.equal(d.file, join(dir, "rows.txt"));
    assert.match(d.message, /read by `d`, changed while the run used it \(sha256 [0-9a-f]{12}… in the plan, [0-9a-f]{12}… now\)/);
    const cache = new StageCache(join(dir, "cache"));
    assert.equal(cache.get(p.nodes[1]!.hash), null, "a's entry is not stored");
    assert.equal(r.manifest.nodes.find((n) => n.id === "a")!.status, "failed");
    assert.equal(r.manifest.nodes.find((n) => n.id === "b")!.status, "pending");
    // the file as planned again, and left alone: computed and cached
    writeFileSync(join(dir, "rows.txt"), "one\n");
    edit.during = null;
    const again = await runPlan(opts());
    assert.equal(again.exitCode, 0, again.error?.message);
    assert.ok(cache.get(p.nodes[1]!.hash) && cache.get(p.nodes[2]!.hash));
  } finally {
    cleanup();
  }
});
