// Every AL2xxx code on an inline snippet, AL2029–AL2042 (extends, overrides, sweeps, training length,
// held-out splits, expect scopes, samples, line patterns): the code and the line:col of the offending token.
import assert from "node:assert/strict";
import { P, FULL, diagnose, expectError, writeRecipe, check, expectClean } from "./helpers.js";
import { at, codeTest, swap } from "./code-test.js";

codeTest("AL2029", "extends a missing base", async () => {
  await expectError(`recipe v extends "nope.align" { seed = 2 }\n`, "AL2029", 1, 18);
});

codeTest("AL2030", "extends cycle", async () => {
  writeRecipe("cyc-a.align", `recipe a extends "cyc-b.align" { seed = 1 }\n`);
  writeRecipe("cyc-b.align", `recipe b extends "cyc-a.align" { seed = 2 }\n`);
  const r = await check(`recipe a extends "cyc-b.align" { seed = 1 }\n`, "cyc-a.align");
  const d = r.diagnostics.find((x) => x.code === "AL2030");
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.ok(d.file.endsWith("cyc-b.align"));
  assert.deepEqual([d.span?.line, d.span?.col], [1, 18]);
  assert.match(d.message, /cyc-a\.align → cyc-b\.align → cyc-a\.align/);
  await expectError(`recipe s extends "self.align" {}\n`, "AL2030", 1, 18, "self.align");
  // a chain past 64 recipes (3,000 deep overflowed the stack: exit 70)
  writeRecipe("deep0.align", FULL);
  for (let i = 1; i <= 70; i++) writeRecipe(`deep${i}.align`, `recipe d${i} extends "deep${i - 1}.align" { seed = ${i} }\n`);
  const deep = await check(`recipe d70 extends "deep69.align" { seed = 70 }\n`, "deep70.align");
  const dd = deep.diagnostics.find((x) => x.code === "AL2030");
  assert.ok(dd, JSON.stringify(deep.diagnostics.slice(0, 2)));
  assert.match(dd.message, /chain deeper than 64 recipes/);
  writeRecipe("deep70.align", `recipe d70 extends "deep62.align" { seed = 70 }\n`);
  assert.deepEqual((await check(`recipe d70 extends "deep62.align" { seed = 70 }\n`, "deep70.align")).diagnostics.filter((x) => x.severity === "error"), [], "64 deep: fine");
});

codeTest("AL2031", "override of an unknown block", async () => {
  writeRecipe("base31.align", FULL);
  const d = await expectError(`recipe v extends "base31.align" { polcy.kl_coef = 0.05 }\n`, "AL2031", 1, 35);
  assert.equal(d.hint, "did you mean `policy`?");
});

codeTest("AL2032", "malformed override path", async () => {
  writeRecipe("base32.align", FULL);
  await expectError(`recipe v extends "base32.align" { policy.kl_coef.x.y = 1 }\n`, "AL2032", 1, 52);
  await expectError(`recipe v extends "base32.align" { mixd.qa = 1 }\n`, "AL2032", 1, 40);
  await expectError(`recipe v extends "base32.align" { policy.lr.x = 1 }\n`, "AL2032", 1, 45);
});

codeTest("AL2033", "empty or misplaced sweeps", async () => {
  let src = swap("kl_coef = sweep [0.05, 0.1]", "kl_coef = sweep []");
  await expectError(src, "AL2033", ...at(src, "sweep []"));
  src = swap(`prompt = "{{q}}"`, `prompt = "{{q}}"  categories = [sweep ["a"]]`);
  await expectError(src, "AL2033", ...at(src, `sweep ["a"]`));
  // a grid past 4,096 variants (each a plan: a million ran plan out of memory), located at the sweep that passes it
  const many = (n: number) => `sweep [${Array.from({ length: n }, (_, i) => (i + 1) * 1e-3).join(", ")}]`;
  src = swap("kl_coef = sweep [0.05, 0.1]", `kl_coef = ${many(100)}`).replace("format = chat  steps = 10", `format = chat  steps = sweep [${Array.from({ length: 50 }, (_, i) => i + 1).join(", ")}]`);
  const d = await expectError(src, "AL2033", ...at(src, "sweep [1, 2"));
  assert.match(d.message, /the sweeps make 100 × 50 = 5,000 variants, past the 4,096 .*`sft\.steps` takes it past/);
  // the header keeps no spans in the IR: a seed sweep that passes the limit is located all the same
  src = swap("recipe t { seed = 1 }", `recipe t { seed = sweep [${Array.from({ length: 2049 }, (_, i) => i + 1).join(", ")}] }`);
  const h = await expectError(src, "AL2033", ...at(src, "sweep [1, 2"));
  assert.match(h.message, /2 × 2,049 = 4,098 variants.*`recipe\.seed` takes it past/);
  src = swap("kl_coef = sweep [0.05, 0.1]", `kl_coef = ${many(4097)}`);
  assert.match((await expectError(src, "AL2033", ...at(src, "sweep [0.001"))).message, /^the sweep makes 4,097 variants/);
  src = swap("kl_coef = sweep [0.05, 0.1]", `kl_coef = ${many(4096)}`);
  assert.equal((await check(src)).diagnostics.filter((x) => x.code === "AL2033").length, 0, "4,096: fine");
  // a value listed twice, as written or after lowering (0.1 = 1e-1): two variants of one name and one plan
  src = swap("kl_coef = sweep [0.05, 0.1]", "kl_coef = sweep [0.1, 0.05, 1e-1]");
  assert.match((await expectError(src, "AL2033", ...at(src, "sweep [0.1"))).message, /`policy\.kl_coef` lists a value twice: 0\.1 \(values 1 and 3\)/);
});

codeTest("AL2034", "training stage without steps or epochs", async () => {
  const src = swap("format = chat  steps = 10", "format = chat");
  await expectError(src, "AL2034", ...at(src, "sft = sft"));
});

codeTest("AL2041", "training stage with both steps and epochs", async () => {
  const src = swap("format = chat  steps = 10", "format = chat  steps = 10  epochs = 2");
  await expectError(src, "AL2041", ...at(src, "epochs = 2"));
});

codeTest("AL2035", "heldout of a block that holds nothing out", async () => {
  const src = swap("k = 4..9  holdout = 0.2", "k = 4..9");
  const d = await expectError(src, "AL2035", ...at(src, "prefs)"));
  assert.match(d.hint ?? "", /holdout = 0\.1/);
});

codeTest("AL2036", "heldout_tasks: not a component (did-you-mean among components), twice, or every component", async () => {
  // `demo` is near the component `demos`; the task `extra` exists but is not in the mixture
  let src = swap("demos: weight 1.0 }", "demos: weight 1.0  heldout_tasks = [extra] }\nsource demo = jsonl(\"data/demos.jsonl\") as demonstrations {}\ntask extra = flan { data = jsonl(\"data/rows.jsonl\")  templates = dir(\"tpl\") }");
  const d = await expectError(src, "AL2036", ...at(src, "extra]"));
  assert.match(d.message, /`extra` is not a component of mixture `mixd` \(components: qa, demos\)/);
  assert.equal(d.hint, "add `extra: proportional` to the mixture");
  src = swap("demos: weight 1.0 }", "demos: weight 1.0  heldout_tasks = [demo] }\nsource demo = jsonl(\"data/demos.jsonl\") as demonstrations {}");
  assert.equal((await expectError(src, "AL2036", ...at(src, "demo]"))).hint, "did you mean `demos`?");
  src = swap("demos: weight 1.0 }", "demos: weight 1.0  heldout_tasks = [qa, qa] }");
  assert.match((await expectError(src, "AL2036", ...at(src, "qa]"))).message, /listed twice/);
  src = swap("demos: weight 1.0 }", "demos: weight 1.0  heldout_tasks = [demos, qa] }");
  assert.match((await expectError(src, "AL2036", ...at(src, "[demos"))).message, /nothing is left to train on/);
  // a dangling name is AL2009 only, a wrong-kind block AL2011 only: no cascade into AL2036
  src = swap("demos: weight 1.0 }", "demos: weight 1.0  heldout_tasks = [qaa, prefs] }");
  const ds = await diagnose(src);
  assert.deepEqual(ds.map((x) => x.code).sort(), ["AL2009", "AL2011"]);
  // a sweep of lists is checked list by list
  src = swap("demos: weight 1.0 }", "demos: weight 1.0  heldout_tasks = sweep [[qa], [nope]] }");
  await expectError(src, "AL2009", ...at(src, "nope"));
  await expectClean(swap("demos: weight 1.0 }", "demos: weight 1.0  heldout_tasks = [qa] }"));
});

codeTest("AL2037", "accuracy split = heldout_tasks on a block holding no task out", async () => {
  let src = swap("eval acc = accuracy { model = sft  task = qa }", "eval acc = accuracy { model = sft  task = mixd  split = heldout_tasks }");
  const d = await expectError(src, "AL2037", ...at(src, "heldout_tasks }"));
  assert.match(d.hint ?? "", /add `heldout_tasks = \[task\]` to `mixd`/);
  src = swap("eval acc = accuracy { model = sft  task = qa }", "eval acc = accuracy { model = sft  task = qa  split = heldout_tasks }");
  assert.match((await expectError(src, "AL2037", ...at(src, "heldout_tasks }"))).message, /`qa` is a task/);
  const ok = swap("eval acc = accuracy { model = sft  task = qa }", "eval acc = accuracy { model = sft  task = mixd  split = heldout_tasks }").replace("demos: weight 1.0 }", "demos: weight 1.0  heldout_tasks = [qa] }");
  const r = await expectClean(ok);
  const mixd = r.recipe!.blocks.find((b) => b.name === "mixd")!;
  assert.deepEqual(mixd.props["heldout_tasks"], [{ $ref: "qa" }]);
});

codeTest("AL2038", "expect scope other than full_size, terms in a budget line", async () => {
  const src = swap("expect { acc.accuracy >= 0.1  wr.win_rate > 0.4 }", "expect ful_size { acc.accuracy >= acc.baseline + 0.1 }");
  const d = await expectError(src, "AL2038", ...at(src, "ful_size"));
  assert.equal(d.hint, "did you mean `full_size`?");
  const b = swap("budget { time <= 10m  memory <= 4GiB  tokens <= 2M }", "budget { time <= 10m + 2m }");
  await expectError(b, "AL2038", ...at(b, "2m }"));
  // the full_size scope and arithmetic on metrics are clean; an unknown metric in a term is located
  const ok = await expectClean(swap("expect { acc.accuracy >= 0.1  wr.win_rate > 0.4 }", "expect full_size { acc.accuracy >= acc.baseline + 0.2  wr.win_rate - 0.1 > 0.4 }\nexpect { wr.p_value < 0.01 }"));
  const [a, w, p] = ok.recipe!.expects;
  assert.deepEqual([a!.rightTerms, a!.fullSizeOnly], [[{ op: "+", value: 0.2 }], true]);
  assert.deepEqual(a!.right, { $ref: "acc", member: "baseline" });
  assert.deepEqual(w!.leftTerms, [{ op: "-", value: 0.1 }]);
  assert.equal(p!.fullSizeOnly, undefined);
  const bad = swap("expect { acc.accuracy >= 0.1  wr.win_rate > 0.4 }", "expect { acc.accuracy >= acc.baselin + 0.2 }");
  assert.equal((await expectError(bad, "AL2020", ...at(bad, "baselin"))).hint, "did you mean `baseline`?");
});

codeTest("AL2040", "rule-ranked samples whose prompts have no reference answers (a text source, a pretraining corpus)", async () => {
  const draw = (prompts: string) => swap("budget {", `source txt = text("data/corpus.txt") as text {}\nsource on = samples(sft) as rankings { prompts = ${prompts}  labeler = "rule" }\nbudget {`);
  for (const [prompts, what] of [["txt", /`txt` is a text source/], ["heldout(pre)", /`pre` is a pretraining corpus/]] as const) {
    const src = draw(prompts);
    assert.match((await expectError(src, "AL2040", ...at(src, prompts, "samples("))).message, what);
  }
  await expectClean(draw("train(prefs)").replace('source txt = text("data/corpus.txt") as text {}\n', ""));
});

codeTest("AL2042", "a text source's pattern: not a regular expression, naming no group, or backtracking exponentially", async () => {
  const src = (re: string) => `${P}source lines = text("data/corpus.txt") as records { pattern = "${re}" }\n`;
  assert.match((await expectError(src("(?<w>a"), "AL2042", ...at(src("(?<w>a"), '"(?<w>a"'))).message, /not a regular expression/);
  assert.match((await expectError(src("^(a) (b)$"), "AL2042", ...at(src("^(a) (b)$"), '"^(a)'))).message, /names no group/);
  await expectClean(src("^(?<w>a)"));
  // exponential backtracking is refused (a hang on one line, nothing said); quadratic is not (lines are short)
  const nested = String.raw`^(?<w>(\\w+\\s?)*)$`;
  const d = await expectError(src(nested), "AL2042", ...at(src(nested), '"^(?<w>'));
  assert.match(d.message, /can backtrack exponentially: a line such as ".+"/);
  await expectClean(src(String.raw`^(?<w>\\w+(?: \\w+)*)$`)); // the hint's rewrite
  await expectClean(src("^(?<a>.*) (?<b>.*)$"));
});

codeTest("AL2043", "a candidates draw's labels go to a rankings source with another system text than its prompts (a warning)", async () => {
  const draw = (demosSystem: string, labelsSystem: string) =>
    swap("budget {", `source cands = samples(sft) as candidates { prompts = demos  labels = labeled }\nsource labeled = jsonl("data/labels.jsonl") as rankings { k = 2..4${labelsSystem} }\nbudget {`).replace(`response = "{{a}}"  holdout = 0.1 }`, `response = "{{a}}"  holdout = 0.1${demosSystem} }`);
  const warned = async (src: string, what: RegExp) => {
    const d = (await diagnose(src)).find((x) => x.code === "AL2043");
    assert.ok(d, `no AL2043 in ${src}`);
    assert.equal(d.severity, "warning");
    assert.deepEqual([d.span?.line, d.span?.col], at(src, "labeled }", "source cands"));
    assert.match(d.message, what);
  };
  await warned(draw('  system = "Be brief."', ""), /asked with the system text "Be brief\."; the labels go to `labeled`, which gives none/);
  await warned(draw("", '  system = "Be brief."'), /asked with no system text; the labels go to `labeled`, which gives "Be brief\."/);
  for (const [a, b] of [["", ""], ['  system = "Be brief."', '  system = "Be brief."']] as const) assert.equal((await diagnose(draw(a, b))).filter((x) => x.code === "AL2043").length, 0);
});
