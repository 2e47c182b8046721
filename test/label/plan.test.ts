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

// Before a draw is made its size is an upper bound: K responses of max_new_tokens each after each prompt.
// It counted the prompt unformatted, so it was no bound on what the reward model reads (the chat format's
// turns around the prompt, its closing text and EOS), and plan's context check (AL4005) read it (review35 L2)
test("an undrawn samples source's size bounds what the reward model will read: each prompt in the chat format, plus max_new_tokens", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-undrawn-"));
  try {
    const file = join(dir, "onpolicy.align");
    writeFileSync(file, readFileSync(join(root, "test", "label", "fixtures", "onpolicy.align"), "utf8").replaceAll('"../../../', `"${root}/`));
    const saved = process.env.ALIGNC_CACHE;
    process.env.ALIGNC_CACHE = join(dir, "cache"); // no draw in it
    try {
      const r = await compile(file, { cache: false, machine: false, leaks: false });
      assert.ok(r.plan, JSON.stringify(r.diagnostics));
      const size = r.plan.nodes.find((n) => n.id === "onpolicy/tokenize")!.estimates.size!;
      const { buildExamples } = await import("../../src/data/index.js");
      const { recipe } = await checkRecipeFile(file);
      const prompts = await buildExamples(recipe!, "onpolicy", { undrawn: "prompts" });
      assert.equal(prompts.kind, "comparisons");
      // byte-level: one token per byte; "User: " and "\nAssistant: " alone are 18 bytes around each prompt
      const longest = Math.max(...(prompts.kind === "comparisons" ? prompts.train : []).map((g) => Buffer.byteLength(g.prompt)));
      assert.ok(size.max_tokens >= longest + 18 + 12 + 1, `bound ${size.max_tokens} for a prompt of ${longest} bytes`);
    } finally {
      if (saved === undefined) delete process.env.ALIGNC_CACHE;
      else process.env.ALIGNC_CACHE = saved;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
