// The `samples(stage)` source: how it is written and checked, the plan node it lowers to (depending on
// the stage's hash, not on the labeling session's properties), and the draw: once, the same sets from
// the same plan, cached, with the set ids and the model hash that the labels record.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkRecipeFile, checkRecipeText } from "../../src/check/index.js";
import { compile } from "../../src/compile.js";
import { dataPlanFromPlan } from "../../src/data/build.js";
import { keyOf } from "../../src/data/plan-input.js";
import { planRecipe } from "../../src/plan/index.js";
import type { DiagnosticError } from "../../src/lang/diagnostic.js";
import { labelTarget, loadLabelConfig } from "../../src/label/candidates.js";
import { drawSamples } from "../../src/label/samples.js";
import { LabelSession } from "../../src/label/session.js";
import { compileForRun } from "../../src/run/compile-run.js";
import { drawnSetId, type CandidateRow } from "../../src/run/nodes/samples.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { labelBody, loopFixture, makeFixture } from "./fixture.js";

const BLOCKS = `tokenizer t = byte_level {}
model m = gpt { tokenizer = t }
source d = jsonl("cands.jsonl") as demonstrations {}
stage sft = sft { init = m  data = d  steps = 1 }
stage rm = reward_model { init = sft  data = p  steps = 1 }
source p = jsonl("cands.jsonl") as rankings {}
`;

test("samples(stage) as candidates { … }: the stage is its one argument, checked as a reference; settings go in the block", async () => {
  const fx = makeFixture();
  try {
    const file = join(fx.dir, "x.align");
    const at = async (decl: string) => (await checkRecipeText(BLOCKS + decl, file)).diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(await at(`source c = samples(sft) as candidates { prompts = d  labels = p }\n`), []);
    const noRole = (await at(`source c = samples(sft) { prompts = d }\n`))[0]!;
    assert.deepEqual([noRole.code, noRole.span!.line, noRole.span!.col], ["AL2005", 7, 12]);
    assert.match(noRole.hint!, /as candidates \{ prompts = /);
    const named = (await at(`source c = samples(sft, prompts = d, k = 4) as candidates {}\n`))[0]!;
    assert.equal(named.code, "AL1010");
    assert.match(named.hint!, /takes only the stage; its settings go in the block/);
    assert.equal((await at(`source c = samples(nope) as candidates { prompts = d }\n`))[0]!.code, "AL2009");
    const rm = (await at(`source c = samples(rm) as candidates { prompts = d }\n`))[0]!;
    assert.equal(rm.code, "AL2011", "a reward model has no LM head to sample");
    assert.deepEqual([rm.span!.line, rm.span!.col], [7, 20]);
    assert.equal((await at(`source c = samples("sft") as candidates { prompts = d }\n`))[0]!.code, "AL2006");
    assert.equal((await at(`source c = samples() as candidates { prompts = d }\n`))[0]!.code, "AL2018");
    assert.equal((await at(`source c = samples(sft) as candidates {}\n`))[0]!.code, "AL2007", "prompts is required");
    assert.equal((await at(`source c = samples(sft) as candidates { prompts = d  k = 1 }\n`))[0]!.code, "AL2008");
    assert.equal((await at(`source c = samples(sft) as rankings { prompts = d }\n`))[0]!.code, "AL2007", "ranked samples say who ranks them (test/label/onpolicy.test.ts)");
    assert.equal((await at(`source c = samples(sft) as pairs { prompts = d }\n`))[0]!.code, "AL2005");
    const asCall = (await at(`source q = jsonl("cands.jsonl") as rankings { prompt = samples(sft) }\n`)).find((d) => d.code === "AL2018")!;
    assert.match(asCall.message, /a kind of source, not a function/);
    // no stage trains on it (candidates), and a labels source whose k refuses its K is said before any draw
    const read = await at(`source c = samples(sft) as candidates { prompts = d }\nstage x = dpo { init = sft  data = c }\n`);
    assert.ok(read.some((d) => d.code === "AL2011"), JSON.stringify(read));
    writeFileSync(file, BLOCKS.replace("as rankings {}", "as rankings { k = 2..3 }") + `source c = samples(sft) as candidates { prompts = d  labels = p }\n`);
    const { recipe } = await checkRecipeFile(file);
    assert.throws(() => labelTarget(recipe!, "c"), (e: { diagnostics: { message: string; hint?: string }[] }) => /draws k = 4 .* reads rankings of 2\.\.3/.test(e.diagnostics[0]!.message));
  } finally {
    fx.cleanup();
  }
});

test("a samples source is a plan node over the stage and its prompts: the same hash with or without the labels; a new guideline keeps it", async () => {
  const fx = loopFixture();
  try {
    // before any label: the full plan cannot read labels.jsonl and says how it comes to exist
    const before = await compile(fx.recipe, { measure: false, machine: false });
    const missing = before.diagnostics.find((d) => d.code === "AL4010")!;
    assert.match(missing.hint!, /`alignc label \S*label-loop\.align --source cands` writes them here/);
    const only = await compileForRun(fx.recipe, { only: "cands", measure: false });
    assert.ok(only.plan, JSON.stringify(only.diagnostics));
    assert.deepEqual(only.plan.nodes.map((n) => n.id).sort(), ["cands", "chars", "demos", "demos/format", "demos/tokenize", "questions", "questions.prompts/format", "questions.prompts/tokenize", "sft", "tiny"]);
    const cands = only.plan.nodes.find((n) => n.id === "cands")!;
    assert.deepEqual([cands.kind, cands.op, cands.inputs], ["data", "samples", ["questions.prompts/tokenize", "sft"]]);
    assert.deepEqual(Object.keys(cands.params).sort(), ["k", "max_new_tokens", "n", "prompts", "seed", "stage", "temperature", "top_k"]);

    writeFileSync(fx.labels, "");
    const full = await compile(fx.recipe, { measure: false, machine: false });
    assert.ok(full.plan, JSON.stringify(full.diagnostics));
    const hashOf = (p: NonNullable<typeof full.plan>, id: string) => p.nodes.find((n) => n.id === id)!.hash;
    assert.equal(hashOf(full.plan, "cands"), cands.hash, "the cut plan draws what the full plan would");
    assert.equal(hashOf(full.plan, "sft"), hashOf(only.plan, "sft"));

    const src = readFileSync(fx.recipe, "utf8");
    const variant = async (from: string, to: string) => {
      writeFileSync(fx.recipe, src.replace(from, to));
      const r = await compile(fx.recipe, { measure: false, machine: false });
      writeFileSync(fx.recipe, src);
      return { cands: hashOf(r.plan!, "cands"), rm: hashOf(r.plan!, "rm") };
    };
    assert.equal((await variant("briefly.", "briefly, and kindly.")).cands, cands.hash, "guidelines are the session's, not the draw's");
    assert.equal((await variant("overlap = 0\n", "overlap = 0.5\n")).cands, cands.hash);
    assert.notEqual((await variant("k = 4\n", "k = 5\n")).cands, cands.hash);
    assert.notEqual((await variant("steps = 6\n", "steps = 7\n")).cands, cands.hash, "another SFT, other samples");
  } finally {
    fx.cleanup();
  }
});

test("the draw: K different responses per prompt from the stage, the same sets from the same plan, cached; labels record the node's set ids and model hash", async (t) => {
  const fx = loopFixture();
  try {
    const progress = createProgress({ quiet: true });
    const a = await drawSamples(fx.recipe, "cands", { runsDir: join(fx.dir, "runs"), cacheRoot: join(fx.dir, "cache-a"), progress });
    assert.ok(a.ok, a.ok ? "" : `${a.message} ${JSON.stringify(a.diagnostics)}`);
    assert.deepEqual(a.computed, ["sft", "cands"], "SFT trained for the draw, then the draw");
    const again = await drawSamples(fx.recipe, "cands", { runsDir: join(fx.dir, "runs"), cacheRoot: join(fx.dir, "cache-a"), progress });
    assert.ok(again.ok);
    assert.deepEqual(again.computed, [], "drawn once: the second time both come from the cache");
    assert.equal(again.file, a.file);
    const b = await drawSamples(fx.recipe, "cands", { runsDir: join(fx.dir, "runs"), cacheRoot: join(fx.dir, "cache-b"), progress });
    assert.ok(b.ok);
    const text = readFileSync(a.file, "utf8");
    assert.equal(readFileSync(b.file, "utf8"), text, "a fresh cache draws the same sets (seeded by the node's seed key)");

    const rows = text.trim().split("\n").map((l) => JSON.parse(l) as CandidateRow);
    assert.ok(rows.length >= 1 && rows.length <= 4, String(rows.length));
    for (const r of rows) {
      assert.equal(r.responses.length, 4);
      assert.equal(new Set(r.responses).size, 4, "K different responses");
      assert.ok(r.responses.every((x) => x.trim() !== ""));
      assert.equal(r.model, a.stageHash, "the model is the sampled stage's node hash");
      assert.equal(r.id, drawnSetId(a.nodeHash, r.prompt, r.responses));
    }
    t.diagnostic(`${rows.length} sets; first: ${JSON.stringify(rows[0]!.responses)}`);

    const { recipe } = await checkRecipeFile(fx.recipe);
    const cfg = await loadLabelConfig(recipe!, "cands", { file: a.file });
    assert.deepEqual(cfg.sets.map((s) => s.id), rows.map((r) => r.id));
    assert.equal(cfg.guidelines, "Prefer the response that answers the question correctly and briefly.");
    assert.equal(cfg.labelsFile, fx.labels);
    const session = new LabelSession(cfg);
    try {
      const next = session.next("ann");
      assert.equal((await session.label(labelBody("ann", next.set!.id, 4))).saved, true);
    } finally {
      await session.close();
    }
    const line = JSON.parse(readFileSync(fx.labels, "utf8"));
    assert.deepEqual([line.set, line.model, line.answer], [next0(rows, line.set).id, a.stageHash, next0(rows, line.set).answer]);

    // the candidates file changed under the entry the draw resolved (same size, one character of a
    // set's id): AL5003 with how to draw it anew, not sets the draw never recorded served for labeling
    assert.ok(a.record, "the draw hands back the file's record");
    const changed = text.replace(/"id":"(.)/, (m, c: string) => m.slice(0, -1) + (c === "0" ? "1" : "0"));
    assert.equal(Buffer.byteLength(changed), Buffer.byteLength(text));
    assert.notEqual(changed, text);
    writeFileSync(a.file, changed);
    await assert.rejects(loadLabelConfig(recipe!, "cands", { file: a.file, record: a.record }), (e: unknown) => {
      const d = (e as DiagnosticError).diagnostics[0]!;
      assert.equal(d.code, "AL5003");
      assert.match(d.message, /the entry is damaged \(changed outside alignc\), and alignc stops rather than serve for labeling other samples/);
      assert.match(d.hint!, /with `alignc run RECIPE --force cands`/);
      return true;
    });
  } finally {
    fx.cleanup();
  }
});

const next0 = (rows: CandidateRow[], id: string): CandidateRow => rows.find((r) => r.id === id)!;

test("a draw stopped during data preparation says what is true: nothing computed, nothing to resume (not 'again to resume')", async () => {
  const fx = loopFixture();
  try {
    const r = await drawSamples(fx.recipe, "cands", { runsDir: join(fx.dir, "runs"), cacheRoot: join(fx.dir, "cache"), progress: createProgress({ quiet: true }), interrupt: { requested: true } });
    assert.ok(!r.ok);
    assert.equal(r.exitCode, 130);
    assert.match(r.message ?? "", /^drawing `cands`: interrupted during data preparation: nothing computed, nothing to resume; run `alignc label` again to start/);
  } finally {
    fx.cleanup();
  }
});

test("a draw's seed key, which seeds its sampling stream, is the same under another alignc version or engine epoch; its node hash, the cache key, is not", async () => {
  const fx = loopFixture();
  try {
    const { recipe } = await checkRecipeFile(fx.recipe);
    const plans = [{ alignc: "0.1.0", epoch: 13 }, { alignc: "9.9.9", epoch: 99 }].map((engine) => planRecipe(recipe!, { engine }).plan!);
    const draw = plans.map((p) => p.nodes.find((n) => n.id === "cands")!);
    assert.notEqual(draw[0]!.hash, draw[1]!.hash, "the cache key holds the engine");
    const keys = plans.map((p) => keyOf(dataPlanFromPlan(p, recipe!), "cands"));
    assert.equal(keys[0], keys[1], "the seed key does not (it seeded the draw with the node hash until engine epoch 14)");
  } finally {
    fx.cleanup();
  }
});
