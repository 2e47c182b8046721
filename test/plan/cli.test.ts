// The plan commands as processes: `alignc plan --json` is valid against `alignc schema plan`,
// `alignc diff` exits 0 equal, 1 different, 2 on error, on recipes, plan.json files and run dirs.
import { test } from "node:test";
import { tempDir } from "./fixture.js";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { descendants } from "../../src/common/graph.js";
import type { Plan } from "../../src/plan/types.js";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const built = existsSync(join(root, "dist/src/cli/commands/plan.js"));
const cacheDir = tempDir("alignc-cache-"); // no writes to the user's ~/.cache from tests
const alignc = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, "bin/alignc.js"), ...args], { encoding: "utf8", cwd: root, maxBuffer: 1 << 26, env: { ...process.env, ALIGNC_CACHE_DIR: cacheDir } });

test("alignc plan --json is valid against alignc schema plan; the table lists every node", { skip: !built && "needs npm run build" }, () => {
  const schema = alignc("schema", "plan");
  assert.equal(schema.status, 0, schema.stderr);
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(schema.stdout) as object);
  const json = alignc("plan", "--json", "recipes/quickstart.align");
  assert.equal(json.status, 0, json.stderr);
  const plan = JSON.parse(json.stdout) as { nodes: { id: string; hash: string }[] };
  assert.ok(validate(plan), JSON.stringify(validate.errors));
  const table = alignc("plan", "recipes/quickstart.align");
  assert.equal(table.status, 0, table.stderr);
  for (const n of plan.nodes) assert.match(table.stdout, new RegExp(`^${n.id.replace(/[.[\]]/g, "\\$&")}\\s.*${n.hash.slice(0, 8)}$`, "m"));
  assert.equal(alignc("schema", "nope").status, 2);
  for (const inherited of ["constructor", "toString"]) assert.equal(alignc("schema", inherited).status, 2, inherited);
});

test("alignc diff: exit 0 equal, 1 different, 2 on error; recipes, plan.json and run directories", { skip: !built && "needs npm run build" }, () => {
  const dir = tempDir("alignc-diff-");
  const plan = alignc("plan", "--json", "recipes/quickstart.align");
  mkdirSync(join(dir, "run1"));
  writeFileSync(join(dir, "run1", "plan.json"), plan.stdout);
  writeFileSync(join(dir, "a.json"), plan.stdout);

  const same = alignc("diff", "recipes/quickstart.align", join(dir, "run1"));
  assert.equal(same.status, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /plans are equal/);

  const kl = alignc("diff", "--json", join(dir, "a.json"), "recipes/quickstart-kl.align", "--variant-b", "kl_coef=0.02");
  assert.equal(kl.status, 1, kl.stderr);
  const d = JSON.parse(kl.stdout) as { entries: { id: string; action: string; changes?: { path: string; old: unknown; new: unknown }[] }[]; rerun: string[] };
  assert.deepEqual(d.entries.find((e) => e.id === "policy")!.changes, [{ path: "kl_coef", old: 0.05, new: 0.02 }]);
  const nodes = (JSON.parse(plan.stdout) as Plan).nodes;
  assert.deepEqual(d.rerun, ["policy", ...descendants(nodes, "policy")].sort()); // the stage and what reads it
  assert.ok(d.rerun.includes("judge"));
  const text = alignc("diff", "recipes/quickstart.align", "recipes/quickstart-kl.align", "--variant-b", "kl_coef=0.02");
  assert.equal(text.status, 1);
  assert.match(text.stdout, /~ policy\s+stage ppo\n\s+kl_coef: 0\.05 → 0\.02/);

  assert.equal(alignc("diff", "recipes/quickstart.align", join(dir, "missing.json")).status, 2);
  writeFileSync(join(dir, "bad.json"), '{"version": 1}');
  const bad = alignc("diff", join(dir, "bad.json"), "recipes/quickstart.align");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /not a plan/);
  assert.equal(alignc("diff", "recipes/quickstart.align").status, 2);
  mkdirSync(join(dir, "notes"));
  const folder = alignc("diff", join(dir, "notes"), "recipes/quickstart.align");
  assert.equal(folder.status, 2);
  assert.match(folder.stderr, /notes is a folder without a plan\.json, not a run folder/);
  // --json: a recipe's diagnostics as JSON on stderr, as check and plan write them (they were text)
  writeFileSync(join(dir, "broken.align"), "recipe q { seed = 1 }\ntokenizer t = byte_level {\n");
  const broken = alignc("diff", "--json", join(dir, "broken.align"), "recipes/quickstart.align");
  assert.equal(broken.status, 2);
  assert.equal(broken.stdout, "");
  assert.deepEqual((JSON.parse(broken.stderr) as { code: string; span: { line: number } }[]).map((d) => [d.code, d.span.line]), [["AL1010", 3]]);
  // --help says so: it said the shared "1 recipe or data errors" while diff exits 2 there (huntZ40 L3)
  assert.match(alignc("diff", "--help").stdout, /Exit codes: 0 equal · 1 different · 2 usage, or an input that does not load \(a recipe with errors/);
  assert.match(alignc("check", "--help").stdout, /Exit codes: 0 ok · 1 recipe or data errors/);
});

test("alignc diff of two run directories adds their final metrics side by side (schema-valid JSON)", { skip: !built && "needs npm run build" }, () => {
  const dir = tempDir("alignc-diff-runs-");
  const plan = alignc("plan", "--json", "recipes/quickstart.align").stdout;
  const run = (name: string, accuracy: number) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, "plan.json"), plan);
    const manifest = { runId: name, status: "ok", recipe: { name: "quickstart" }, nodes: [{ label: "rm_acc", summary: { accuracy, p_value: accuracy / 2, score: 1 + (accuracy === 0.5 ? 0 : 1e-15) } }], expectations: [] };
    writeFileSync(join(dir, name, "manifest.json"), JSON.stringify(manifest));
  };
  run("run-a", 0.5);
  run("run-b", 0.75);
  const out = alignc("diff", "--json", join(dir, "run-a"), join(dir, "run-b"));
  assert.equal(out.status, 0, out.stderr); // same plan: equal, whatever the metrics
  const d = JSON.parse(out.stdout) as { metrics: { rows: unknown[] } };
  // no Δ of p-values; a difference at a double's noise is none (figures38 #5)
  assert.deepEqual(d.metrics.rows, [
    { node: "rm_acc", metric: "accuracy", a: 0.5, b: 0.75, delta: 0.25 },
    { node: "rm_acc", metric: "p_value", a: 0.25, b: 0.375, delta: null },
    { node: "rm_acc", metric: "score", a: 1, b: 1 + 1e-15, delta: 0 },
  ]);
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(alignc("schema", "diff").stdout) as object);
  assert.ok(validate(d), JSON.stringify(validate.errors));
  const text = alignc("diff", join(dir, "run-a"), join(dir, "run-b"));
  assert.match(text.stdout, /metrics\n(.*\n)*?rm_acc\.accuracy\s+0\.5\s+0\.75\s+\+0\.25/);
  // what each run was, and what a Δ of two runs is not (figures38 #5); no Δ for a p-value
  assert.match(text.stdout, /A: seed \?, ok; B: seed \?, ok\.\nOne run each: a Δ is one pair of runs' difference, not a tested one/);
  // a run that did not finish says so: its missing figures are not figures of a finished run (huntD39 M4)
  const m = JSON.parse(readFileSync(join(dir, "run-b", "manifest.json"), "utf8"));
  writeFileSync(join(dir, "run-b", "manifest.json"), JSON.stringify({ ...m, status: "interrupted" }));
  assert.match(alignc("diff", join(dir, "run-a"), join(dir, "run-b")).stdout, /B: seed \?, interrupted ⚠ not finished: what it did not compute shows as —/);
  // a run folder without its manifest: plans compared, said
  rmSync(join(dir, "run-b", "manifest.json"));
  const planOnly = alignc("diff", join(dir, "run-a"), join(dir, "run-b"));
  assert.match(planOnly.stderr, /run-b holds no manifest\.json \(a run killed before it wrote one, or not a run\): plans compared, no metrics/);
});

test("AL4025: a samples draw whose max_new_tokens fills the sampled model's context is a located plan error", { skip: !built && "needs npm run build" }, () => {
  const dir = tempDir("alignc-al4025-");
  writeFileSync(join(dir, "demos.jsonl"), '{"instruction":"Add 2 and 3.","response":"5"}\n{"instruction":"Add 1 and 4.","response":"5"}\n');
  writeFileSync(join(dir, "prefs.jsonl"), '{"prompt":"Add 3 and 3.","responses":["6","7"],"ranking":"A > B","answer":"6"}\n');
  const recipe = (maxNew: number) => `recipe r { seed = 1 }
tokenizer bytes = byte_level {}
model m = gpt { tokenizer = bytes  layers = 1  d_model = 16  heads = 2  context = 32 }
source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
source prefs = jsonl("prefs.jsonl") as rankings {}
stage sft = sft { init = m  data = demos  steps = 2 }
source drawn = samples(sft) as rankings { prompts = prefs  n = 1  k = 2  labeler = "rule"  max_new_tokens = ${maxNew} }
stage rm = reward_model { init = sft  data = drawn  steps = 2  max_length = 32 }
`;
  writeFileSync(join(dir, "r.align"), recipe(32));
  const bad = alignc("plan", join(dir, "r.align"));
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stderr, /r\.align:7:\d+: error AL4025: .*: drawn\/draw: max_new_tokens 32 ≥ context 32 of stage = sft; lower max_new_tokens below 32$/m);
  writeFileSync(join(dir, "r.align"), recipe(24));
  const ok = alignc("plan", join(dir, "r.align"));
  assert.equal(ok.status, 0, ok.stderr);
});
