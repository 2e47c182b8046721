// What the plan can know is checked by the plan (issue 15): PPO groups, warmup, run length and empty
// data are located diagnostics before any compute; enormous values are refused by the kinds table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CheckedBlock } from "../../src/check/ir.js";
import { checkRecipeText } from "../../src/check/index.js";
import { compile } from "../../src/compile.js";
import { planRecipe } from "../../src/plan/compile.js";
import { findBlock, QUICK_FILES, quickRecipe, span, tempFiles, type QuickOptions } from "./fixture.js";

const root = tempFiles(QUICK_FILES);
const ENGINE = { alignc: "t", epoch: 1 };
const set = (name: string, props: Record<string, unknown>): QuickOptions["patch"] => (blocks) => {
  const b = findBlock(blocks, name);
  b.props = { ...b.props, ...(props as CheckedBlock["props"]) };
  for (const k of Object.keys(props)) b.propSpans[k] ??= span();
};
const codes = (patch: QuickOptions["patch"], opts = {}) => planRecipe(quickRecipe({ root, patch }), { engine: ENGINE, ...opts }).diagnostics.map((d) => `${d.severity} ${d.code}`);

test("PPO batch_size that is not a multiple of samples_per_prompt is a plan error (it failed after SFT and RM trained)", () => {
  assert.ok(codes(set("policy", { batch_size: 6, samples_per_prompt: 4 })).includes("error AL4018"));
  assert.ok(!codes(set("policy", { batch_size: 8, samples_per_prompt: 4 })).some((c) => c.endsWith("AL4018")));
});

test("warmup as long as the run is a plan warning", () => {
  assert.ok(codes(set("sft", { warmup: 300 })).includes("warning AL4019"));
  assert.ok(!codes(set("sft", { warmup: 299 })).some((c) => c.endsWith("AL4019")));
});

test("a run estimated past a day warns, past 30 days is refused unless a time budget allows it", () => {
  const slow = { backend: "wasm", flopsPerSecond: 1e6 };
  assert.ok(codes(undefined, slow).includes("warning AL4016") || codes(undefined, slow).includes("error AL4017"));
  assert.ok(codes(set("pre", { steps: 5_000_000 }), slow).includes("error AL4017"));
  const fast = { backend: "wasm", flopsPerSecond: 1e15 };
  assert.ok(!codes(undefined, fast).some((c) => /AL401[67]/.test(c)));
});

test("--no-budget (noBudget) lifts the 30-day ceiling of a recipe without a budget, keeping the long-run warning", () => {
  const slow = { backend: "wasm", flopsPerSecond: 1e6 };
  const ds = codes(set("pre", { steps: 5_000_000 }), { ...slow, noBudget: true });
  assert.ok(!ds.includes("error AL4017"), ds.join(", "));
  assert.ok(ds.includes("warning AL4016"), ds.join(", "));
});

const HEAD = "recipe r { seed = 1 }\ntokenizer chars = byte_level {}\nmodel tiny = gpt { tokenizer = chars }\n";
async function checkCodes(body: string): Promise<string[]> {
  return (await checkRecipeText(HEAD + body, "r.align")).diagnostics.map((d) => `${d.code} ${d.message}${d.hint ? ` (${d.hint})` : ""}`);
}

test("enormous values are refused with the reason from the kinds table", async () => {
  const stage = (props: string) => `source c = text("c.txt") as text {}\nstage pre = pretrain { init = tiny  data = c  ${props} }\n`;
  for (const [props, pattern] of [
    ["steps = 1e15", /AL2008 `steps` must be <= 10000000.*days to years/],
    ["steps = 10 accumulate = 1e12", /AL2008 `accumulate` must be <= 65536/],
    ["steps = 10 lr = 1e308", /AL2008 `lr` must be <= 10/],
    ["steps = 10 weight_decay = 1e6", /AL2008 `weight_decay` must be <= 10.*lr × weight_decay/],
    ["steps = 9007199254740993", /AL2008 `9007199254740993` is past 9007199254740991/],
  ] as const) {
    const ds = await checkCodes(stage(props));
    assert.ok(ds.some((d) => pattern.test(d)), `${props}: ${ds.join("; ")}`);
  }
  // PPO's factors that overflow the loss: a tiny temperature or a huge coefficient passed check and ended
  // in AL5001 blaming lr (hunt38)
  const ppo = (props: string) => `source p = jsonl("p.jsonl") as demonstrations {}\nsource r = jsonl("r.jsonl") as rankings {}\nstage sft = sft { init = tiny  data = p  steps = 1 }\nstage rm = reward_model { init = sft  data = r  steps = 1 }\nstage policy = ppo { init = sft  reward = rm  prompts = p  steps = 1  ${props} }\n`;
  for (const [props, pattern] of [
    ["temperature = 1e-300", /AL2008 `temperature` must be >= 0.01/],
    ["kl_coef = 1e30", /AL2008 `kl_coef` must be <= 1000/],
    ["ptx_coef = 1e300", /AL2008 `ptx_coef` must be <= 10000/],
    ["vf_coef = 1e300", /AL2008 `vf_coef` must be <= 10000/],
  ] as const) {
    const ds = await checkCodes(ppo(props));
    assert.ok(ds.some((d) => pattern.test(d)), `${props}: ${ds.join("; ")}`);
  }
  // DPO's β and a model's init std overflow the same way (review38 M4)
  const dpo = await checkCodes(`source r = jsonl("r.jsonl") as rankings {}\nstage d = dpo { init = tiny  data = r  steps = 1  beta = 1e300 }\n`);
  assert.ok(dpo.some((d) => /AL2008 `beta` must be <= 1000/.test(d)), dpo.join("; "));
  const init = (await checkRecipeText(HEAD.replace("model tiny = gpt { tokenizer = chars }", "model tiny = gpt { tokenizer = chars  init_std = 1e300 }"), "r.align")).diagnostics.map((d) => `${d.code} ${d.message}`);
  assert.ok(init.some((d) => /AL2008 `init_std` must be <= 10/.test(d)), init.join("; "));
  // a seed stops at the engine's 32 bits however it is written (an exponent literal is exempt from the
  // digits check: `seed = 1e300` passed, and 1e300 + 1 is the same seed)
  for (const seed of ["1e300", "-1e300", "9.1e15"]) {
    const ds = (await checkRecipeText(HEAD.replace("seed = 1", `seed = ${seed}`), "r.align")).diagnostics.map((d) => `${d.code} ${d.message} (${d.hint ?? ""})`);
    assert.ok(ds.some((d) => /AL2008 `seed` must be <= 4294967295.*32-bit seed/.test(d) || (seed.startsWith("-") && /AL2008 `seed` must be >= 0/.test(d))), `${seed}: ${ds.join("; ")}`);
  }
  assert.deepEqual((await checkRecipeText(HEAD.replace("seed = 1", "seed = 4e9"), "r.align")).diagnostics.map((d) => d.code), []);
  // a property with its own maximum keeps its own reason: samples' k = 27 is no 2^53 matter (review)
  const k = await checkCodes(`source p = jsonl("p.jsonl") as demonstrations {}\nstage sft = sft { init = tiny  data = p  steps = 1 }\nsource c = samples(sft) as candidates { prompts = p  k = 27  labels = r }\nsource r = jsonl("r.jsonl") as rankings {}\n`);
  const kd = k.find((d) => /`k` must be <= 26/.test(d));
  assert.ok(kd, k.join("; "));
  assert.doesNotMatch(kd, /2\^53/);
  // every max_new_tokens has the context's bound: win_rate's passed check and failed only in plan (close36)
  const wr = await checkCodes(`source p = jsonl("p.jsonl") as demonstrations {}\nstage sft = sft { init = tiny  data = p  steps = 1 }\neval w = win_rate { a = sft  b = sft  judge = "rule"  prompts = p  max_new_tokens = 1e9 }\n`);
  assert.ok(wr.some((d) => /AL2008 `max_new_tokens` must be <= 65536.*attention memory/.test(d)), wr.join("; "));
  const mix = await checkCodes(`source c = jsonl("d.jsonl") as demonstrations {}\nmixture m = mix { total = 1e12  c: weight 1 }\n`);
  assert.ok(mix.some((d) => /`total` must be <= 10000000/.test(d)), mix.join("; "));
});

test("an empty text corpus is a plan error (the run used to create its folder, then fail)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-empty-"));
  writeFileSync(join(dir, "c.txt"), "\n\n");
  writeFileSync(join(dir, "r.align"), `${HEAD}source c = text("c.txt") as text {}\nstage pre = pretrain { init = tiny  data = c  steps = 2 }\n`);
  const r = await compile(join(dir, "r.align"), { cache: false, machine: false });
  const d = r.diagnostics.find((x) => x.code === "AL4020");
  assert.ok(d, r.diagnostics.map((x) => x.code).join(", "));
  assert.equal(d.severity, "error");
  assert.equal(d.span?.line, 5);
});

test("rankings where every group is fully tied are a plan error (they failed after SFT had trained)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-tied-"));
  writeFileSync(join(dir, "c.txt"), "some text\nmore text\n");
  writeFileSync(join(dir, "tied.jsonl"), '{"prompt":"a?","responses":["x","y"],"ranking":"A = B"}\n{"prompt":"b?","responses":["x","y","z"],"ranking":"A = B = C"}\n');
  writeFileSync(join(dir, "r.align"), `${HEAD}source c = text("c.txt") as text {}\nstage pre = pretrain { init = tiny  data = c  steps = 2 }\nsource prefs = jsonl("tied.jsonl") as rankings { k = 2..3 }\nstage rm = reward_model { init = pre  data = prefs  steps = 2 }\n`);
  const r = await compile(join(dir, "r.align"), { cache: false, machine: false });
  const d = r.diagnostics.find((x) => x.code === "AL4020");
  assert.ok(d, r.diagnostics.map((x) => `${x.code} ${x.message}`).join("; "));
  assert.match(d.message, /fully tied/);
  assert.equal(d.span?.line, 7);
});

// Dolly's published slice leaves `category` null on every row: `categories = ["open_qa"]` kept none, and
// check, plan (which sized the source by its rows) and data --stats passed without a word; the run
// then failed after planning with "no training examples" (audit 32)
test("a categories filter that keeps no row is a plan error (AL4020), and the rows it left out are counted with their categories", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-categories-"));
  const rows = [
    { instruction: "a?", response: "x", category: null },
    { instruction: "b?", response: "y", category: null },
    { instruction: "c?", response: "z", category: "brainstorming" },
    { instruction: "d?", response: "w" },
  ];
  writeFileSync(join(dir, "d.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const recipe = (cats: string) => `${HEAD}source d = jsonl("d.jsonl") as demonstrations { categories = ${cats} }\nstage sft = sft { init = tiny  data = d  steps = 2 }\n`;
  writeFileSync(join(dir, "r.align"), recipe(`["open_qa"]`));
  const r = await compile(join(dir, "r.align"), { cache: false, machine: false });
  const d = r.diagnostics.find((x) => x.code === "AL4020");
  assert.ok(d, r.diagnostics.map((x) => `${x.code} ${x.message}`).join("; "));
  assert.equal(d.severity, "error");
  assert.match(d.message, /--stats/);
  const { buildExamples } = await import("../../src/data/build.js");
  const { checkRecipeFile } = await import("../../src/check/index.js");
  const built = await buildExamples((await checkRecipeFile(join(dir, "r.align"))).recipe!, "d");
  assert.deepEqual(built.notes?.skipped?.map((x) => [x.count, x.reasons]), [[4, ['category not in categories = ["open_qa"]: null 2, brainstorming 1, no category field 1']]]);
  // a filter that keeps some rows: the plan counts exactly those
  writeFileSync(join(dir, "k.align"), recipe(`["brainstorming"]`));
  const k = await compile(join(dir, "k.align"), { cache: false, machine: false });
  assert.ok(k.plan, k.diagnostics.map((x) => `${x.code} ${x.message}`).join("; "));
  assert.equal(k.plan.nodes.find((n) => n.id === "d")?.estimates.size?.examples, 1);
  // on a rankings source the build ignored it while the count applied it (a false AL4020): refused at check
  const codes = (await checkRecipeText(`${HEAD}source p = jsonl("p.jsonl") as rankings { categories = ["x"] }\n`, "r.align")).diagnostics.map((x) => `${x.code} ${x.message}`);
  assert.ok(codes.some((c) => /^AL2004 `categories` keeps the demonstrations of some categories/.test(c)), codes.join("; "));
});

test("a JSON object where text is expected is an error, not the training text [object Object]", async () => {
  const { compileHandlebars } = await import("../../src/data/flan/template.js");
  const part = compileHandlebars("Q: {{q}}", 0, { file: "r.align", span: span() });
  assert.throws(() => part.render({ q: { x: 1 } }), /field `q` holds \{"x":1\}, an object, not text/);
  assert.equal(part.render({ q: "fine" }), "Q: fine");
});
