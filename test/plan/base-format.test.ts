// The chat format an eval or a draw prompts a base model in (src/plan/base-format.ts): the stages
// trained from it decide, never a block's name; a cut recipe (`alignc label`) is given the full
// recipe's decision; an lm_loss on text carries none; the recipe names one where the stages disagree.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../src/compile.js";
import { compileForRun } from "../../src/run/compile-run.js";
import type { Plan } from "../../src/plan/types.js";
import { repoRoot } from "../repo-root.js";

const dir = mkdtempSync(join(tmpdir(), "alignc-base-format-"));
const data = join(repoRoot(), "recipes", "data");
const tpl = join(repoRoot(), "templates", "chat");

/** pre, then SFT stages from it in the formats given (name → format block), and readers of pre. */
function recipe(sfts: Record<string, "plain" | "chatml">, extra = ""): string {
  return `tokenizer bytes = byte_level {}
model m = gpt { tokenizer = bytes  layers = 1  d_model = 16  heads = 2  context = 64 }
source demos = jsonl("${data}/demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}"  holdout = 0.1 }
format plain = chat_template("${tpl}/plain.hbs")
format chatml = chat_template("${tpl}/chatml.hbs")
stage pre = pretrain { init = m  data = text("${data}/corpus.txt")  steps = 2 }
${Object.entries(sfts)
  .map(([name, f]) => `stage ${name} = sft { init = pre  data = demos  format = ${f}  steps = 2  max_length = 64 }`)
  .join("\n")}
eval lp = lm_loss { model = pre  data = heldout(demos)  n = 8 }
eval tax = lm_loss { model = pre  data = heldout(pre)  n = 8 }
${extra}`;
}

let count = 0;
async function plan(text: string): Promise<{ plan: Plan | null; codes: string[]; messages: string[] }> {
  const p = join(dir, `r${count++}.align`);
  writeFileSync(p, text);
  const r = await compile(p, { cache: false });
  return { plan: r.plan, codes: r.diagnostics.map((d) => `${d.code} ${d.severity}`), messages: r.diagnostics.map((d) => d.message) };
}
const node = (p: Plan | null, id: string) => p!.nodes.find((n) => n.id === id)!;
const template = (p: Plan | null, id: string) => ((node(p, id).params.base_format as { template?: { $file: string } } | undefined)?.template?.$file ?? null);

test("a base model is read in the format of the stages trained from it, whatever the stages are called", async () => {
  const a = await plan(recipe({ sft_a: "chatml" }));
  const z = await plan(recipe({ zz_a: "chatml" }));
  assert.deepEqual(a.codes, []);
  assert.match(template(a.plan, "lp")!, /chatml\.hbs$/);
  assert.equal(node(a.plan, "lp").hash, node(z.plan, "lp").hash, "a rename changes no measurement");
});

test("stages from one base model in two formats: the reader must name one (AL4026), and then reads it whatever the names", async () => {
  const both = await plan(recipe({ sft_a: "plain", sft_b: "chatml" }));
  assert.ok(both.codes.includes("AL4026 error"), both.codes.join(", "));
  assert.match(both.messages.find((m) => /AL4026|never trained in a chat format/.test(m))!, /lp prompts `pre`.*2 formats \(`chatml`, `plain`\)/);
  const named = (sfts: Record<string, "plain" | "chatml">) => plan(recipe(sfts).replace("eval lp = lm_loss { model = pre", "eval lp = lm_loss { base_format = plain  model = pre"));
  const one = await named({ sft_a: "plain", sft_b: "chatml" });
  const renamed = await named({ zz_a: "plain", sft_b: "chatml" });
  assert.deepEqual(one.codes, []);
  assert.match(template(one.plan, "lp")!, /plain\.hbs$/);
  assert.equal(node(one.plan, "lp").hash, node(renamed.plan, "lp").hash);
  // written or decided, the same node: a recipe that writes the format it would get plans the same hash
  const single = await plan(recipe({ sft_a: "plain" }));
  const written = await plan(recipe({ sft_a: "plain" }).replace("eval lp = lm_loss { model = pre", "eval lp = lm_loss { base_format = plain  model = pre"));
  assert.equal(node(single.plan, "lp").hash, node(written.plan, "lp").hash);
});

test("an lm_loss on text formats nothing: no base_format, and a new chat template does not re-run it", async () => {
  const p = await plan(recipe({ sft_a: "plain" }));
  assert.equal(node(p.plan, "tax").params.base_format, undefined);
  assert.deepEqual(node(p.plan, "tax").files, []);
});

test("base_format where every model read trained in its own format is a warning, and not part of the node", async () => {
  const extra = `eval ls = lm_loss { model = sft_a  data = heldout(demos)  n = 8  base_format = chatml }`;
  const p = await plan(recipe({ sft_a: "plain" }, extra));
  assert.deepEqual(p.codes, ["AL4026 warning"]);
  assert.equal(node(p.plan, "ls").params.base_format, undefined);
  const without = await plan(recipe({ sft_a: "plain" }, extra.replace("  base_format = chatml", "")));
  assert.equal(node(p.plan, "ls").hash, node(without.plan, "ls").hash);
});

test("alignc label's cut recipe draws samples(pre) in the full plan's format, under the full plan's hash", async () => {
  const text = recipe({ sft_a: "chatml" }, `source ranked = jsonl("${join(dir, "labels.jsonl")}") as rankings { k = 2..4 }
source cands = samples(pre) as candidates { prompts = demos  n = 4  k = 2  max_new_tokens = 8  labels = ranked }`);
  const p = join(dir, "cut.align");
  writeFileSync(p, text);
  const cut = await compileForRun(p, { measure: false, only: "cands" });
  assert.ok(cut.plan, JSON.stringify(cut.diagnostics));
  writeFileSync(join(dir, "labels.jsonl"), ""); // the full plan reads the labels file: present (empty) for it
  const full = await compileForRun(p, { measure: false });
  const drawn = (x: Plan | null) => x!.nodes.find((n) => n.id === "cands")!;
  assert.ok(full.plan, JSON.stringify(full.diagnostics));
  assert.match(template(full.plan, "cands")!, /chatml\.hbs$/);
  assert.equal(drawn(cut.plan).hash, drawn(full.plan).hash);
});

test("a formatted stage trained from another model never decides a base model's format: renaming it changes nothing (the first formatted stage by id did)", async () => {
  const other = (name: string) => `model m2 = gpt { tokenizer = bytes  layers = 1  d_model = 16  heads = 2  context = 64 }
stage ${name} = sft { init = m2  data = demos  format = plain  steps = 2  max_length = 64 }`;
  const a = await plan(recipe({ sft_a: "chatml" }, other("aa_other")));
  const z = await plan(recipe({ sft_a: "chatml" }, other("zz_other")));
  assert.deepEqual(a.codes, []);
  assert.match(template(a.plan, "lp")!, /chatml\.hbs$/);
  assert.equal(node(a.plan, "lp").hash, node(z.plan, "lp").hash);
});

test("a reward model that scores pairs reads them as it trained, raw here, whatever formats the recipe's other stages use", async () => {
  const extra = `source prefs = jsonl("${data}/rankings.jsonl") as rankings { k = 4..9  holdout = 0.2 }
stage rm = reward_model { init = pre  data = prefs  steps = 2 }
eval ra = rm_accuracy { model = rm  data = heldout(prefs) }`;
  const p = await plan(recipe({ sft_a: "plain", sft_b: "chatml" }, extra).replace("eval lp = lm_loss { model = pre", "eval lp = lm_loss { base_format = plain  model = pre"));
  assert.deepEqual(p.codes, []);
  assert.equal(node(p.plan, "ra").params.base_format, undefined);
});

test("a stage that declares no format trains in its init's, as its evals read it", async () => {
  const p = await plan(recipe({ sft_a: "chatml" }, `stage more = sft { init = sft_a  data = demos  steps = 2  max_length = 64 }`));
  assert.deepEqual(p.codes, []);
  assert.deepEqual(node(p.plan, "more").params.format, node(p.plan, "sft_a").params.format);
});

test("alignc label refuses a draw whose base format depends on a sweep: one cut cannot stand for every variant", async () => {
  const text = recipe({ sft_a: "chatml" }, `source ranked = jsonl("${join(dir, "labels.jsonl")}") as rankings { k = 2..4 }
source cands = samples(pre) as candidates { prompts = demos  n = 4  k = 2  max_new_tokens = 8  labels = ranked }`).replace("format = chatml  steps = 2", "format = sweep [chatml, plain]  steps = 2");
  const p = join(dir, "cut-swept.align");
  writeFileSync(p, text);
  const cut = await compileForRun(p, { measure: false, only: "cands" });
  assert.equal(cut.plan, null);
  const d = cut.diagnostics.find((x) => x.code === "AL4026");
  assert.ok(d && d.severity === "error" && d.span, JSON.stringify(cut.diagnostics));
  assert.match(d.message, /depends on a sweep/);
});
