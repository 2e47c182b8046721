// A file the plan hashed that changes before the run reads it: a node computed from it would be cached
// under the hash of content it was not computed from. Checked where the data is read (prepare(), or
// when a node builds its data as it runs): AL5004 naming the file, the node not cached; a file edited
// after it was read harms nothing and stops nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Plan, PlanNode } from "../../src/plan/types.js";
import type { HandlerTable } from "../../src/run/handler.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runPlan } from "../../src/run/run-plan.js";
import { StageCache } from "../../src/run/storage/cache.js";
import { DiagnosticError } from "../../src/lang/diagnostic.js";
import { tempDir } from "./helpers.js";
import { recordRead } from "../../src/lang/read-digests.js";

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

/** d reads rows.txt; while a runs, rows.txt is edited (when asked); the nodes in `later` build their
 * data when they run (as a stage reading a draw made in the same run does), not in prepare(). */
function handlers(dir: string, edit: { during: string | null }, later: string[] = []): HandlerTable {
  return {
    "data.read": { storage: "memory", async run() {
      return { status: "done", summary: {}, value: readFileSync(join(dir, "rows.txt"), "utf8") };
    } },
    stage: {
      storage: "cache",
      async prepare(ctx) {
        return later.includes(ctx.node.id) ? "later" : undefined;
      },
      async run(ctx) {
        if (ctx.node.id === "a" && edit.during !== null) writeFileSync(join(dir, "rows.txt"), edit.during);
        writeFileSync(join(ctx.outDir, "out.json"), JSON.stringify({ node: ctx.node.id }));
        return { status: "done", summary: {} };
      },
    },
  };
}

function setup(dir: string, edit: { during: string | null }, later: string[] = []) {
  writeFileSync(join(dir, "rows.txt"), "one\n");
  const p = plan("one\n");
  const opts = () => ({ plan: p, recipe: { name: "fake", file: join(dir, "fake.align"), seed: 1, expects: [] }, handlers: handlers(dir, edit, later), backend: "fake", runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }) });
  return { p, opts, cache: new StageCache(join(dir, "cache")) };
}

const al5004 = (dir: string) => (e: unknown) => {
  assert.ok(e instanceof DiagnosticError, String(e));
  const d = e.diagnostics[0]!;
  assert.equal(d.code, "AL5004");
  assert.equal(d.file, join(dir, "rows.txt"));
  assert.match(d.message, /read by `d`, changed while the run used it \(sha256 [0-9a-f]{12}… in the plan, [0-9a-f]{12}… now\)/);
  return true;
};

test("a data file changed after the plan hashed it and before the run read it: AL5004 at the file, nothing run, nothing written", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { p, opts, cache } = setup(dir, { during: null });
    writeFileSync(join(dir, "rows.txt"), "two\n"); // after the plan, before the run
    await assert.rejects(runPlan(opts()), al5004(dir));
    assert.equal(existsSync(join(dir, "runs")) ? readdirSync(join(dir, "runs")).filter((f) => !f.startsWith(".") && f !== "README.md").length : 0, 0, "no run folder");
    assert.equal(cache.get(p.nodes[1]!.hash), null);
  } finally {
    cleanup();
  }
});

test("a data file the data layer read as other bytes than the plan hashed, though it is back to them on disk: AL5004, nothing cached (a file rewritten during the read; hunt37c)", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { p, opts, cache } = setup(dir, { during: null });
    // the data layer's reader records what it read (src/lang/read-digests.ts): here, what a generator
    // rewriting rows.txt in place left mid-read; the file on disk is the planned one again
    recordRead(join(dir, "rows.txt"), sha("one\ntw"));
    await assert.rejects(runPlan(opts()), (e: unknown) => e instanceof DiagnosticError && e.diagnostics[0]!.code === "AL5004" && /read as sha256 [0-9a-f]{12}… while this run prepared its data/.test(e.diagnostics[0]!.message));
    assert.equal(cache.get(p.nodes[1]!.hash), null);
    recordRead(join(dir, "rows.txt"), sha("one\n")); // read whole again
    assert.equal((await runPlan(opts())).exitCode, 0);
  } finally {
    cleanup();
  }
});

test("a data file edited while the run uses it: what was read before the edit is cached; a node that reads it after (data built when it runs) is AL5004 and not cached", async () => {
  const { dir, cleanup } = tempDir();
  try {
    // read in prepare(), then edited while a trains: a and b were computed from the planned content
    const edit = { during: "two\n" as string | null };
    const first = setup(dir, edit);
    const ok = await runPlan(first.opts());
    assert.equal(ok.exitCode, 0, ok.error?.message);
    assert.ok(first.cache.get(first.p.nodes[1]!.hash) && first.cache.get(first.p.nodes[2]!.hash));
  } finally {
    cleanup();
  }
  const { dir: dir2, cleanup: cleanup2 } = tempDir();
  try {
    // b builds its data when it runs, after the edit: it would read other content than the plan hashed
    const edit = { during: "two\n" as string | null };
    const { p, opts, cache } = setup(dir2, edit, ["b"]);
    const r = await runPlan(opts());
    assert.equal(r.exitCode, 1);
    assert.ok(al5004(dir2)(r.error));
    assert.ok(cache.get(p.nodes[1]!.hash), "a, computed from what prepare() read, is cached");
    assert.equal(cache.get(p.nodes[2]!.hash), null, "b is not");
    assert.equal(r.manifest.nodes.find((n) => n.id === "b")!.status, "failed");
    // the file as planned again: b computes and is cached
    writeFileSync(join(dir2, "rows.txt"), "one\n");
    edit.during = null;
    const again = await runPlan(opts());
    assert.equal(again.exitCode, 0, again.error?.message);
    assert.ok(cache.get(p.nodes[2]!.hash));
  } finally {
    cleanup2();
  }
});

test("a template added to a dir(…) folder after the plan listed it: AL5004 at the folder, naming the entry; removing it again runs, and entries never read (a README, a backup, a subfolder) stop nothing", async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, "tpl"));
    writeFileSync(join(dir, "tpl", "a.hbs"), "{{x}}");
    writeFileSync(join(dir, "rows.txt"), "one\n");
    const p = plan("one\n");
    // d reads rows.txt and the folder tpl, as a task's `templates = dir("tpl")` lowers
    p.nodes[0] = { ...p.nodes[0]!, params: { templates: { $dir: "tpl" } }, files: [{ path: "rows.txt", sha256: sha("one\n") }, { path: "tpl/a.hbs", sha256: sha("{{x}}") }] };
    const opts = () => ({ plan: p, recipe: { name: "fake", file: join(dir, "fake.align"), seed: 1, expects: [] }, handlers: handlers(dir, { during: null }), backend: "fake", runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }) });
    writeFileSync(join(dir, "tpl", "b.hbs"), "{{y}}"); // after the plan, before the run
    await assert.rejects(runPlan(opts()), (e: unknown) => {
      assert.ok(e instanceof DiagnosticError, String(e));
      const d = e.diagnostics[0]!;
      assert.equal(d.code, "AL5004");
      assert.equal(d.file, join(dir, "tpl"));
      assert.match(d.message, /^this folder, read by `d`, changed while the run used it \(an entry the plan did not list: tpl\/b\.hbs\)/);
      return true;
    });
    unlinkSync(join(dir, "tpl", "b.hbs"));
    // entries the data layer never reads (it reads the folder's own .hbs files) stop nothing
    writeFileSync(join(dir, "tpl", "README.md"), "notes");
    writeFileSync(join(dir, "tpl", "a.hbs~"), "an editor's backup");
    mkdirSync(join(dir, "tpl", "old"));
    writeFileSync(join(dir, "tpl", "old", "c.hbs"), "{{z}}");
    const ok = await runPlan(opts());
    assert.equal(ok.exitCode, 0, ok.error?.message);
  } finally {
    cleanup();
  }
});
