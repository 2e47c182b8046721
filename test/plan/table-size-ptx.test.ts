// The plan table's size column for a PPO stage is its prompts' size, the data its estimate counts. With
// `ptx_data` read inline (`ptx_data = text("corpus.txt")`), the corpus's node sorts first among the
// stage's inputs and the column showed the corpus's examples and tokens instead.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { si } from "../../src/plan/render.js";
import type { Plan } from "../../src/plan/types.js";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-table-ptx-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("a PPO stage with ptx_data = text(…): the size column shows its prompts, not the corpus", () => {
  const src = readFileSync(join(root, "recipes", "quickstart.align"), "utf8").replaceAll('"data/', `"${root}/recipes/data/`).replaceAll('"../templates/', `"${root}/templates/`);
  assert.match(src, /ptx_data = sft_data/);
  writeFileSync(join(tmp, "q.align"), src.replace("ptx_data = sft_data", 'ptx_data = text("corpus.txt")'));
  // 400 lines: a corpus of another size than the 914 prompts
  writeFileSync(join(tmp, "corpus.txt"), Array.from({ length: 400 }, (_, i) => `the quick brown fox jumps over the lazy dog, line ${i}`).join("\n") + "\n");
  const alignc = (...args: string[]) => spawnSync(process.execPath, [join(root, "bin", "alignc.js"), ...args], { cwd: tmp, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1", XDG_CACHE_HOME: join(tmp, ".cache") } });
  const json = alignc("plan", "--json", "q.align");
  assert.equal(json.status, 0, json.stderr);
  const plan = JSON.parse(json.stdout) as Plan;
  const policy = plan.nodes.find((n) => n.id === "policy")!;
  const ref = (v: unknown) => (v as { $ref: string }).$ref;
  const prompts = plan.nodes.find((n) => n.id === ref(policy.params.prompts))!.estimates.size!;
  const ptx = plan.nodes.find((n) => n.id === ref(policy.params.ptx_data))!.estimates.size!;
  assert.notEqual(prompts.examples, ptx.examples, "the fixture tells the two apart");
  assert.ok(policy.inputs.indexOf(ref(policy.params.ptx_data)) < policy.inputs.indexOf(ref(policy.params.prompts)), "the corpus comes first among the inputs");
  const text = alignc("plan", "q.align");
  assert.equal(text.status, 0, text.stderr);
  const row = text.stdout.split("\n").find((l) => l.startsWith("policy "))!;
  assert.ok(row.includes(` ${si(prompts.examples)} ex / ${prompts.estimated ? "≈" : ""}${si(prompts.tokens)} tok `), row);
  assert.ok(!row.includes(` ${si(ptx.examples)} ex `), row);
});
