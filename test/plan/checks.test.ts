import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { CheckedBlock, CheckedRecipe, IRCondition } from "../../src/check/ir.js";
import { planRecipe, type CompilePlanOptions } from "../../src/plan/compile.js";
import type { Diagnostic } from "../../src/lang/diagnostic.js";
import { block, call, findBlock, ref, span, QUICK_FILES, quickRecipe, tempFiles, type QuickOptions } from "./fixture.js";

const root = tempFiles(QUICK_FILES);
const ENGINE = { alignc: "t", epoch: 1 };

function diagnostics(patch: QuickOptions["patch"], opts: CompilePlanOptions = {}, edit?: (r: CheckedRecipe) => void): Diagnostic[] {
  const recipe = quickRecipe({ root, patch });
  edit?.(recipe);
  return planRecipe(recipe, { engine: ENGINE, ...opts }).diagnostics;
}

/** Exactly these codes, each located at the given property's (or block's) span. */
function expectError(ds: Diagnostic[], code: string, at: { block: CheckedBlock; prop?: string } | { span: IRCondition["span"] }, severity = "error"): void {
  const hits = ds.filter((d) => d.code === code);
  assert.equal(hits.length, 1, `${code} once in ${JSON.stringify(ds.map((d) => `${d.code} ${d.message}`))}`);
  assert.equal(hits[0]!.severity, severity);
  const want = "span" in at ? at.span : at.prop ? at.block.propSpans[at.prop] : at.block.decl.span;
  assert.deepEqual(hits[0]!.span, want);
  assert.ok(hits[0]!.file.endsWith("quick.align"));
}

const set = (name: string, props: Record<string, unknown>): QuickOptions["patch"] => (blocks) => {
  const b = findBlock(blocks, name);
  b.props = { ...b.props, ...(props as CheckedBlock["props"]) };
  for (const k of Object.keys(props)) b.propSpans[k] ??= span();
};
let captured: CheckedBlock[] = [];
const capture = (...ps: QuickOptions["patch"][]): QuickOptions["patch"] => (blocks) => {
  ps.forEach((p) => p?.(blocks));
  captured = blocks;
};

/** A second lineage on GPT-2's tokenizer (pre2 → sft2, then `more`), its stages inserted before block `before`. */
function otherTokenizerLineage(blocks: CheckedBlock[], before: string, ...more: CheckedBlock[]): void {
  blocks.splice(1, 0, block({ keyword: "tokenizer", name: "gpt2tok", kind: "gpt2" }), block({ keyword: "model", name: "big", kind: "gpt", props: { tokenizer: ref("gpt2tok"), layers: 2, d_model: 128, heads: 4, context: 64 } }));
  const pre2 = block({ keyword: "stage", name: "pre2", kind: "pretrain", props: { init: ref("big"), data: call("text", join(root, "recipes/data/corpus.txt")), steps: 10 } });
  const sft2 = block({ keyword: "stage", name: "sft2", kind: "sft", props: { init: ref("pre2"), data: ref("sft_data"), format: ref("chat"), steps: 10 } });
  blocks.splice(blocks.findIndex((b) => b.name === before), 0, pre2, sft2, ...more);
}

test("the quickstart shape has no plan diagnostics", () => {
  assert.deepEqual(diagnostics(undefined), []);
});

test("AL4001: reward model and policy with different tokenizers", () => {
  const ds = diagnostics(
    capture((blocks) => {
      otherTokenizerLineage(blocks, "rm");
      set("rm", { init: ref("sft2") })!(blocks);
    }),
  );
  expectError(ds, "AL4001", { block: findBlock(captured, "policy"), prop: "reward" });
  // the win-rate judge reads another tokenizer than both models it compares
  const judge = ds.filter((d) => d.code === "AL4014");
  assert.deepEqual(judge.map((d) => /: (a|b) = /.exec(d.message)![1]), ["a", "b"]);
  for (const d of judge) assert.equal(d.span, findBlock(captured, "judge").propSpans.judge);
});

test("AL4002: reward model trained on another chat format than the policy samples in", () => {
  const ds = diagnostics(
    capture((blocks) => {
      blocks.splice(blocks.findIndex((b) => b.name === "pre"), 0, block({ keyword: "format", name: "chatml", kind: "chat_template", args: [join(root, "templates/chat/chatml.hbs")], props: { system: "" } }));
      set("rm", { format: ref("chatml") })!(blocks);
    }),
  );
  expectError(ds, "AL4002", { block: findBlock(captured, "policy"), prop: "reward" });
  assert.match(ds.find((d) => d.code === "AL4002")!.message, /chatml\.hbs/);
});

test("AL4003 / AL4004: ptx coefficient and ptx data go together", () => {
  const ds = diagnostics(capture(set("policy", { ptx_data: null, ptx_coef: 27.8 })));
  expectError(ds, "AL4003", { block: findBlock(captured, "policy"), prop: "ptx_coef" });
  const ds2 = diagnostics(capture(set("policy", { ptx_coef: 0 })));
  expectError(ds2, "AL4004", { block: findBlock(captured, "policy"), prop: "ptx_data" }, "warning");
});

test("AL4005 / AL4006: the longest example must fit the context unless max_length truncates", () => {
  const sizes = new Map([["sft_data/tokenize", { examples: 10, tokens: 900, max_tokens: 90 }]]);
  const ds = diagnostics(capture(), { sizes });
  // sft trains on it, and the policy's ptx term reads the same tokenized data
  assert.deepEqual(ds.map((d) => [d.code, d.span]), [
    ["AL4005", findBlock(captured, "sft").propSpans.data],
    ["AL4005", findBlock(captured, "policy").propSpans.ptx_data],
  ].sort((a, b) => (a[1] as { start: number }).start - (b[1] as { start: number }).start));
  assert.match(ds[0]!.message, /90 tokens.*context 64/);
  assert.deepEqual(diagnostics((bs) => (set("sft", { max_length: 64 })!(bs), set("policy", { max_length: 64 })!(bs)), { sizes }), []);
  const ds2 = diagnostics(capture(set("sft", { max_length: 128 })), { sizes });
  expectError(ds2, "AL4006", { block: findBlock(captured, "sft"), prop: "max_length" });
});

test("AL4007 / AL4008: memory against the machine and the wasm heap", () => {
  // 25M parameters, context 512, batch 16: about 4.5 GiB of activations + optimizer state
  const big = set("tiny", { layers: 8, d_model: 512, heads: 8, context: 512 });
  const ds = diagnostics(capture(big), { machine: { totalMemory: 64 * 1024 ** 3, backend: "wasm" } });
  assert.ok(ds.some((d) => d.code === "AL4008" && d.span === findBlock(captured, "pre").decl.span && /pre needs about 4\.\d GiB/.test(d.message)), JSON.stringify(ds));
  assert.ok(ds.every((d) => d.code === "AL4008"));
  const ds2 = diagnostics(big, { machine: { totalMemory: 2 * 1024 ** 3, backend: "tensorflow" } });
  assert.ok(ds2.some((d) => d.code === "AL4007"));
  assert.ok(!ds2.some((d) => d.code === "AL4008"));
  assert.deepEqual(diagnostics(big, { machine: { totalMemory: 64 * 1024 ** 3, backend: "tensorflow" } }), []);
  assert.deepEqual(diagnostics(undefined, { machine: { totalMemory: 1024 ** 3, backend: "wasm" } }), []);
});

test("AL4009 / AL4012: budgets against the estimates", () => {
  const cond = (left: string, op: IRCondition["op"], q: number, unit: "s" | "B"): IRCondition => ({ left: { $ref: left }, op, right: { $quantity: q, unit }, span: span(), text: `${left} ${op} ${q}${unit}` });
  const time = cond("time", "<=", 10, "s");
  const memory = cond("memory", "<=", 4 * 1024 ** 3, "B");
  const ds = diagnostics(undefined, { backend: "wasm", flopsPerSecond: 1e10 }, (r) => (r.budget = [time, memory]));
  expectError(ds, "AL4009", { span: time.span });
  assert.match(ds[0]!.message, /time <= 10s.*estimate is \d+m/);
  const ok = diagnostics(undefined, { backend: "wasm", flopsPerSecond: 1e10 }, (r) => (r.budget = [cond("time", "<=", 3600, "s"), memory]));
  assert.deepEqual(ok, []);
  const unknown = diagnostics(undefined, {}, (r) => (r.budget = [time]));
  expectError(unknown, "AL4012", { span: time.span }, "warning");
});

test("AL4010: a file that disappeared between check and plan", () => {
  const other = tempFiles(QUICK_FILES);
  rmSync(join(other, "recipes/data/demos.jsonl"));
  const recipe = quickRecipe({ root: other });
  const r = planRecipe(recipe, { engine: ENGINE });
  const d = r.diagnostics.find((x) => x.code === "AL4010")!;
  assert.match(d.message, /data\/demos\.jsonl/);
  assert.equal(d.span, findBlock(recipe.blocks, "demos").decl.span);
});

test("AL4015: PPO prompts plus max_new_tokens must fit the context", () => {
  const sizes = new Map([["prefs.prompts/tokenize", { examples: 10, tokens: 400, max_tokens: 50 }]]);
  const ds = diagnostics(capture(), { sizes });
  expectError(ds, "AL4015", { block: findBlock(captured, "policy"), prop: "max_new_tokens" }, "warning");
  assert.match(ds[0]!.message, /50 tokens \+ max_new_tokens 24 > max_length 64: a prompt over 40 tokens loses its first tokens/);
  assert.deepEqual(diagnostics(set("policy", { max_new_tokens: 14 }), { sizes }), []);
  // no room at all: every prompt would be cut to its last token (the rollout ran so, silently)
  const full = diagnostics(capture(set("policy", { max_new_tokens: 64 })), { sizes });
  expectError(full, "AL4025", { block: findBlock(captured, "policy"), prop: "max_new_tokens" });
  assert.match(full[0]!.message, /policy: max_new_tokens 64 ≥ max_length 64 \(its model's context: no max_length is written\): every prompt would be cut to its last token; lower max_new_tokens below 64$/);
  const written = diagnostics(capture(set("policy", { max_new_tokens: 32, max_length: 32 })), { sizes });
  expectError(written, "AL4025", { block: findBlock(captured, "policy"), prop: "max_new_tokens" });
  assert.match(written[0]!.message, /policy: max_new_tokens 32 ≥ max_length 32: every prompt/);
  assert.equal(full.filter((d) => d.code === "AL4015").length, 0, "said once, as the error");
});

test("AL4024: best_of > 1 needs a select; a select with best_of = 1 is a warning", () => {
  const ds = diagnostics(capture(set("judge", { best_of: 4 })));
  expectError(ds, "AL4024", { block: findBlock(captured, "judge"), prop: "best_of" });
  assert.match(ds[0]!.message, /best_of = 4 with nothing to pick/);
  const ignored = diagnostics(capture(set("judge", { select: "rule" })));
  expectError(ignored, "AL4024", { block: findBlock(captured, "judge"), prop: "select" }, "warning");
  const cold = diagnostics(capture(set("judge", { temperature: 0.7 })));
  expectError(cold, "AL4024", { block: findBlock(captured, "judge"), prop: "temperature" }, "warning");
  assert.deepEqual(diagnostics(set("judge", { best_of: 4, select: "rule", temperature: 0.7 })), []);
  assert.deepEqual(diagnostics(set("judge", { best_of: 4, select: ref("rm") })), []);
});

test("AL4025: a win rate's max_new_tokens must leave room for a prompt in each answering model's context", () => {
  const ds = diagnostics(capture(set("judge", { max_new_tokens: 64 })));
  const hits = ds.filter((d) => d.code === "AL4025");
  assert.equal(hits.length, 2, JSON.stringify(ds.map((d) => d.message)));
  assert.match(hits[0]!.message, /judge: max_new_tokens 64 ≥ context 64 of a = policy; lower max_new_tokens below 64$/);
  assert.match(hits[1]!.message, /judge: max_new_tokens 64 ≥ context 64 of b = sft; lower max_new_tokens below 64$/);
  assert.ok(hits.every((d) => d.severity === "error" && d.span === findBlock(captured, "judge").propSpans.max_new_tokens));
  assert.deepEqual(diagnostics(set("judge", { max_new_tokens: 63 })).filter((d) => d.code === "AL4025"), []);
});

test("AL4014: a reward model that picks a's best sample must read a's tokenizer", () => {
  const ds = diagnostics(
    capture((blocks) => {
      otherTokenizerLineage(blocks, "judge", block({ keyword: "stage", name: "rm2", kind: "reward_model", props: { init: ref("sft2"), data: ref("prefs"), format: ref("chat"), steps: 10 } }));
      set("judge", { best_of: 4, select: ref("rm2") })!(blocks);
    }),
  );
  const mismatch = ds.filter((d) => d.code === "AL4014");
  assert.equal(mismatch.length, 1, JSON.stringify(ds.map((d) => d.message)));
  assert.match(mismatch[0]!.message, /: a = policy .* vs select rm2/);
  assert.equal(mismatch[0]!.span, findBlock(captured, "judge").propSpans.select);
});

test("AL4021: leave-one-out advantages need several samples per prompt", () => {
  const ds = diagnostics(capture(set("policy", { advantages: "rloo", samples_per_prompt: 1 })));
  expectError(ds, "AL4021", { block: findBlock(captured, "policy"), prop: "advantages" });
  assert.deepEqual(diagnostics(set("policy", { advantages: "rloo", samples_per_prompt: 4 })).filter((d) => d.code !== "AL4028"), []);
});

test("AL4028: a written parameter another value leaves unread is warned at it, and stays out of the hash", () => {
  // the fixture writes vf_coef, gae_lambda and min_lr_ratio on every stage
  const ds = diagnostics(capture(set("policy", { advantages: "rloo", samples_per_prompt: 4, schedule: "constant" })));
  const hits = ds.filter((d) => d.code === "AL4028");
  assert.deepEqual(hits.map((d) => [d.severity, d.span === findBlock(captured, "policy").propSpans[/: (\w+) =/.exec(d.message)![1]!]]), [["warning", true], ["warning", true], ["warning", true]]);
  const said = hits.map((d) => d.message).join("\n");
  for (const re of [/policy: vf_coef = 0\.1 is ignored while advantages = "rloo"/, /policy: gae_lambda = 0\.95 is ignored/, /policy: min_lr_ratio = 0\.1 is ignored while schedule = "constant"/]) assert.match(said, re);
  assert.deepEqual(diagnostics(set("policy", {})).filter((d) => d.code === "AL4028"), [], "gae and a cosine schedule read them");
  // two values of an unread parameter plan the same node
  const hash = (vf: number) => planRecipe(quickRecipe({ root, patch: set("policy", { advantages: "rloo", samples_per_prompt: 4, vf_coef: vf }) }), { engine: ENGINE }).plan!.nodes.find((n) => n.id === "policy")!.hash;
  assert.equal(hash(0.1), hash(0.7));
});
