// `alignc check` meets a `prompts` that names a source without `as ROLE` whose rows have one text field
// (read as text: no prompts) with the code and span `alignc plan` reports (AL3060 at the source), from
// the source's first row; a role-less source whose rows are demonstrations is not touched.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkRecipeFile } from "../../src/check/index.js";
import { textPromptErrors } from "../../src/data/text-prompts.js";
import { compile } from "../../src/compile.js";
import type { Diagnostic } from "../../src/lang/diagnostic.js";

const HEAD = `recipe r { seed = 1 }
tokenizer bytes = byte_level {}
model m = gpt { tokenizer = bytes  layers = 1  d_model = 16  heads = 2  context = 64 }
source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
source qs = jsonl("qs.jsonl") { field = "q" }
stage sft = sft { init = m  data = demos  steps = 2 }
`;
const DEMOS = '{"instruction":"Add 2 and 3.","response":"5"}\n{"instruction":"Add 1 and 4.","response":"5"}\n';
const PREFS = '{"prompt":"Add 1 and 1.","responses":["2","3"],"ranking":"A > B"}\n{"prompt":"Add 5 and 2.","responses":["8","7"],"ranking":"B > A"}\n';

async function errorsOf(recipe: string, qs: string): Promise<{ check: Diagnostic[]; plan: Diagnostic[] }> {
  const dir = mkdtempSync(join(tmpdir(), "alignc-text-prompts-"));
  try {
    writeFileSync(join(dir, "r.align"), recipe);
    writeFileSync(join(dir, "demos.jsonl"), DEMOS);
    writeFileSync(join(dir, "prefs.jsonl"), PREFS);
    writeFileSync(join(dir, "qs.jsonl"), qs);
    const checked = await checkRecipeFile(join(dir, "r.align"));
    assert.deepEqual(checked.diagnostics, [], "the checker alone accepts it: it knows no fields");
    const check = await textPromptErrors(checked.recipe!);
    const plan = (await compile(join(dir, "r.align"))).diagnostics.filter((d) => d.severity === "error");
    return { check, plan };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ONE_FIELD = '{"q":"Add 2 and 5."}\n{"q":"Add 3 and 1."}\n';
const USES = {
  "a rule-ranked draw's prompts": 'source drawn = samples(sft) as rankings { prompts = train(qs)  n = 2  k = 2  labeler = "rule" }\nstage rm = reward_model { init = sft  data = drawn  steps = 2 }\n',
  "PPO's prompts": 'source prefs = jsonl("prefs.jsonl") as rankings {}\nstage rm = reward_model { init = sft  data = prefs  steps = 2 }\nstage policy = ppo { init = sft  reward = rm  prompts = qs  steps = 2 }\n',
};

for (const [use, lines] of Object.entries(USES)) {
  test(`a role-less one-field source as ${use} is AL3060 at check, at the span plan gives`, async () => {
    const { check, plan } = await errorsOf(HEAD + lines, ONE_FIELD);
    assert.deepEqual(check.map((d) => [d.code, d.span?.line, d.span?.col, d.message]), [["AL3060", 5, 1, "`qs` is text; it has no prompts"]]);
    const atPlan = plan.find((d) => d.code === "AL3060");
    assert.ok(atPlan, JSON.stringify(plan));
    assert.deepEqual([atPlan.file, atPlan.span, atPlan.message], [check[0]!.file, check[0]!.span, check[0]!.message]);
  });
}

test("a role-less source whose rows are demonstrations gives prompts: nothing to say", async () => {
  const { check, plan } = await errorsOf(HEAD + USES["PPO's prompts"], '{"prompt":"Add 2 and 5.","response":"7"}\n');
  assert.deepEqual(check, []);
  assert.deepEqual(plan, []);
});
