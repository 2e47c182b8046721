// New labels are a data change like any other: the rankings source's hash changes with its file, so
// the plan diff re-runs the reward model and what follows it, and reuses everything before.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../src/compile.js";
import { diffPlans } from "../../src/plan/diff.js";
import { checkRecipeFile } from "../../src/check/index.js";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();

/** The quickstart, its paths made absolute, its rankings read from labels.jsonl written by `alignc label`. */
function labelRecipe(dir: string): string {
  const src = readFileSync(join(root, "recipes", "quickstart.align"), "utf8")
    .replaceAll('"data/', `"${root}/recipes/data/`)
    .replaceAll('"../templates/', `"${root}/templates/`)
    .replace(
      /source prefs = jsonl\("[^"]+"\) as rankings/,
      `source cands = jsonl("${root}/recipes/data/rankings.jsonl") as candidates { labels = prefs  overlap = 0.1 }\nsource prefs = jsonl("labels.jsonl") as rankings`,
    );
  assert.ok(src.includes("as candidates"));
  const file = join(dir, "labeled.align");
  writeFileSync(file, src);
  return file;
}

const label = (n: number) =>
  JSON.stringify({ prompt: `Add ${n} and 1.`, responses: [String(n + 1), `Sure! Here is ${n + 1}`, "7", "qxz"], ranking: "A > B > C > D", ratings: [7, 5, 2, 1], flags: [[], [], [], []], labeler: "ann", time: "2026-01-01T00:00:00Z", seconds: 9, set: `set${n}`, model: null, submission: `submission-${n}` }) + "\n";

test("new labels re-run the reward model and everything after it, nothing before", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-label-plan-"));
  try {
    const file = labelRecipe(dir);
    // before any label the recipe checks (alignc label creates the file); the plan cannot read it yet
    const checked = await checkRecipeFile(file);
    assert.deepEqual(checked.diagnostics.filter((d) => d.severity === "error"), []);
    writeFileSync(join(dir, "labels.jsonl"), Array.from({ length: 20 }, (_, i) => label(i)).join(""));
    const opts = { measure: false, machine: false } as const;
    const a = await compile(file, opts);
    assert.ok(a.plan, JSON.stringify(a.diagnostics));
    assert.ok(!a.plan.nodes.some((n) => n.id === "cands"), "a candidates source is no plan node");
    appendFileSync(join(dir, "labels.jsonl"), label(20));
    const b = await compile(file, opts);
    const d = diffPlans(a.plan, b.plan!);
    assert.deepEqual(d.rerun, ["judge", "lm_ptx", "policy", "rm", "rm_acc", "rule_judge", "tax_ptx"]);
    assert.deepEqual(d.reused, ["lm_pre", "lm_sft", "pre", "sft", "tax_pre", "tax_sft", "zero_shot_after"]);
    const prefs = d.entries.find((e) => e.id === "prefs")!;
    assert.equal(prefs.action, "~");
    assert.ok(prefs.changes!.some((c) => c.path.startsWith("files[")), JSON.stringify(prefs.changes));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
