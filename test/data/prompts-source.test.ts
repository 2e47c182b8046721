// A prompts source (`as prompts`): TRL's prompt-only rows, standard and conversational, read as they are
// published (huggingface.co/docs/trl/dataset_formats: `{"prompt": "The sky is"}`, `{"prompt": [{"role":
// "user", "content": …}]}`), for PPO's prompts and a reward-model judge's. Prompts alone have no
// reference answer and no response: the rule (reward, judge, pick, labeler) and every reader of
// responses (SFT, lm_loss, a mixture) refuse them at check, located; what reads prompts runs on them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readDemonstrations } from "../../src/data/demos.js";
import type { Row } from "../../src/data/readers.js";
import { DataError } from "../../src/data/diag.js";
import { buildExamples } from "../../src/data/build.js";
import { exportRows, previewSft, statsText } from "../../src/data/view.js";
import { RAW_FORMAT } from "../../src/data/chat.js";
import { checkRecipeFile } from "../../src/check/index.js";
import { findLeaks } from "../../src/data/leaks.js";
import { variantDataChecks } from "../../src/data/check-variants.js";
import { tf } from "../../src/train/backend.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { outcome, tempDir } from "../run/helpers.js";
import { microRecipe, repoRoot } from "../run/micro.js";

const rowsOf = (data: Record<string, unknown>[]): Row[] => data.map((d, i) => ({ data: d, index: i, line: i + 1, start: 0, end: 0 }));
const prompts = (data: Record<string, unknown>[], extra: { prompt?: string; context?: string } = {}) => readDemonstrations({ name: "p", file: "p.jsonl", rows: rowsOf(data), promptOnly: true, ...extra });
const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof DataError) return e.diagnostics.map((d) => `${d.code} ${d.span?.line}: ${d.message}`).join("\n");
    throw e;
  }
  return "";
};

test("TRL's prompt-only rows, standard and conversational, and the other layouts' prompts, read as prompts alone", () => {
  const [std] = prompts([{ prompt: "The sky is" }]);
  assert.deepEqual([std!.prompt, std!.response, std!.system], ["The sky is", "", undefined]);
  const [conv] = prompts([{ prompt: [{ role: "system", content: "Be brief." }, { role: "user", content: "What color is the sky?" }] }]);
  assert.deepEqual([conv!.prompt, conv!.response, conv!.system], ["What color is the sky?", "", "Be brief."]);
  // earlier turns written into the prompt as a conversation's are (messages.ts turnsText)
  const [chat] = prompts([{ messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello!" }, { role: "user", content: "Add 2 and 3." }] }]);
  assert.equal(chat!.prompt, "Hi\n\nAssistant: Hello!\n\nUser: Add 2 and 3.");
  // a demonstrations file read as prompts: its responses are not read; Alpaca's input follows its instruction
  const [alpaca] = prompts([{ instruction: "Sum these.", input: "2, 3", output: "5" }]);
  assert.deepEqual([alpaca!.prompt, alpaca!.response], ["Sum these.\n\n2, 3", ""]);
  const [tpl] = prompts([{ q: "Add 1 and 1.", a: "2" }], { prompt: "Q: {{q}}" });
  assert.deepEqual([tpl!.prompt, tpl!.response], ["Q: Add 1 and 1.", ""]);
});

test("a prompt that asks nothing, or a conversation that does not end on the user's turn, is refused at its row", () => {
  assert.equal(message(() => prompts([{ prompt: "ok" }, { prompt: "  " }])), "AL3033 2: empty prompt (field `prompt`)");
  assert.match(message(() => prompts([{ prompt: [{ role: "user", content: "q" }, { role: "assistant", content: "a" }] }])), /^AL3004 1: .*`prompt` ends with an assistant turn: a prompt ends with the user turn the model answers/);
  assert.match(message(() => prompts([{ prompt: [{ role: "assistant", content: "a" }, { role: "user", content: "q" }] }])), /^AL3004 1: .*starts with an assistant turn/);
  // read as demonstrations, a prompt-only row says what to declare instead
  assert.match(message(() => readDemonstrations({ name: "d", file: "d.jsonl", rows: rowsOf([{ prompt: "The sky is" }]) })), /AL3003 1: .*TRL's prompt-only layout/);
});

const ASKS = ["Add 2 and 3.", "Add 4 and 1.", "How many hats? Tom has 3 hats.", "Spell cat in capitals.", "Add 6 and 2.", "Is this great? Positive or negative.", "Add 7 and 1.", "Add 5 and 4."];

/** The micro recipe with a prompts source `asks` for PPO and a reward-model judge; `edit` changes it. */
function recipeWithAsks(edit: (src: string) => string = (s) => s): string {
  const src = microRecipe({ name: "asks", policySteps: 2 })
    .replace("prompts = prefs.prompts", "prompts = train(asks)")
    .replace(/eval rule = win_rate [^\n]*\n/, "")
    .replace("judge = rm  prompts = heldout(prefs)  n = 8", "judge = rm  prompts = heldout(asks)  n = 8")
    .replace("format chat =", 'source asks = jsonl("asks.jsonl") as prompts { holdout = 0.25 }\nformat chat =');
  return edit(src);
}

function writeAsks(dir: string): void {
  const rows = ASKS.flatMap((q, i) => [JSON.stringify(i % 2 ? { prompt: q } : { prompt: [{ role: "user", content: q }] }), JSON.stringify({ prompt: `${q} Answer briefly.` })]);
  writeFileSync(join(dir, "asks.jsonl"), `${rows.join("\n")}\n`);
}

test("check: the rule reads no prompts source; readers of responses refuse one; a response template on one is said", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeAsks(dir);
    const diagnose = async (src: string) => {
      writeFileSync(join(dir, "r.align"), src);
      return (await checkRecipeFile(join(dir, "r.align"))).diagnostics.map((d) => `${d.code} ${d.span?.line}:${d.span?.col} ${d.message}`);
    };
    assert.deepEqual(await diagnose(recipeWithAsks()), []);
    const cases: [string, (s: string) => string, RegExp][] = [
      ["PPO's rule reward", (s) => s.replace("reward = rm", 'reward = "rule"'), /^AL2040 .*`reward = "rule"` scores each rollout against its prompt's reference answer; `asks` is a prompts source/],
      ["a rule judge", (s) => s.replace("judge = rm  prompts = heldout(asks)", 'judge = "rule"  prompts = heldout(asks)'), /^AL2040 .*`judge = "rule"` judges each pair/],
      ["a rule pick", (s) => s.replace("prompts = heldout(asks)  n = 8", 'prompts = heldout(asks)  n = 8  best_of = 2  select = "rule"'), /^AL2040 .*`select = "rule"` picks a's best sample/],
      ["a rule-labeled draw", (s) => `${s}source drawn = samples(sft) as rankings { prompts = train(asks)  labeler = "rule" }\n`, /^AL2040 .*`labeler = "rule"` ranks each sample/],
      ["SFT's data", (s) => s.replace("demos: weight 1.0", "asks: weight 1.0"), /^AL2011 .*mixture component must reference a task or demonstrations source; `asks` is a prompts source/],
      ["an lm_loss split", (s) => s.replace("data = heldout(demos)", "data = heldout(asks)"), /^AL2011 .*heldout\(…\) must reference .*; `asks` is a prompts source/],
      ["a response template", (s) => s.replace("as prompts { holdout = 0.25 }", 'as prompts { holdout = 0.25  response = "{{a}}" }'), /^AL2004 .*a prompts source \(`as prompts`\) reads each row's prompt alone/],
    ];
    for (const [what, edit, expected] of cases) {
      const found = await diagnose(recipeWithAsks(edit));
      assert.equal(found.length, 1, `${what}: ${found.join("\n")}`);
      assert.match(found[0]!, expected, what);
    }
    // a swept rule reader, or a swept `prompts` that names the source, is one variant's: it passed check
    // and plan and failed the variant's run
    const swept: [string, (s: string) => string, RegExp][] = [
      ["a swept reward", (s) => s.replace("reward = rm", 'reward = sweep [rm, "rule"]'), /^AL2040 \d+:13 `reward = "rule"` scores each rollout/],
      ["a swept prompts", (s) => s.replace("reward = rm", 'reward = "rule"').replace("prompts = train(asks)", "prompts = sweep [prefs.prompts, train(asks)]"), /^AL2040 \d+:35 `reward = "rule"` scores each rollout/],
      ["a swept judge", (s) => s.replace("judge = rm  prompts = heldout(asks)", 'judge = sweep [rm, "rule"]  prompts = heldout(asks)'), /^AL2040 .*`judge = "rule"` judges each pair/],
      ["a swept best_of", (s) => s.replace("prompts = heldout(asks)  n = 8", 'prompts = heldout(asks)  n = 8  best_of = sweep [1, 2]  select = "rule"'), /^AL2040 .*`select = "rule"` picks a's best sample/],
    ];
    for (const [what, edit, expected] of swept) {
      const found = await diagnose(recipeWithAsks(edit));
      assert.equal(found.length, 1, `${what}: ${found.join("\n")}`);
      assert.match(found[0]!, expected, what);
    }
    // an rm_accuracy split reads comparisons only (it passed check and failed in the run)
    const rmAcc = await diagnose(recipeWithAsks((s) => s.replace("data = heldout(prefs) }", "data = heldout(demos) }")));
    assert.match(rmAcc.join("\n"), /^AL2011 .*heldout\(…\) must reference a rankings or pairs source; `demos` is a demonstrations source/);
  } finally {
    cleanup();
  }
});

test("PPO rolls out from a prompts source and a reward model judges on its held-out prompts: no reference recorded, shown and exported as prompts, compared for leaks", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeAsks(dir);
    const file = join(dir, "asks.align");
    writeFileSync(file, recipeWithAsks());
    const checked = await checkRecipeFile(file);
    assert.deepEqual(checked.diagnostics, []);
    const built = await buildExamples(checked.recipe!, "asks", { format: "chat" });
    assert.equal(built.kind, "sft");
    assert.ok(built.kind === "sft" && built.promptsOnly);
    const rows = exportRows(built, "all") as Record<string, unknown>[];
    assert.equal(rows.length, 16);
    assert.ok(rows.every((r) => !("response" in r) && typeof r.text === "string" && (r.text as string).endsWith("\nAssistant: ")), JSON.stringify(rows[0]));
    // a prompt is shown as asked, its tokens without the EOS a response ends with, no FLAN line
    const chars = { name: "t", vocabSize: 1, encode: (t: string) => [...t].map(() => 0), decode: () => "", eos: 0, pad: 0 };
    const shown = previewSft(built.train, 1, chars, { color: false });
    assert.doesNotMatch(shown, /⟦|⟧/);
    assert.match(shown, new RegExp(`; ${[...built.train[0]!.text].length} tokens\\)`));
    assert.doesNotMatch(statsText(built, chars, RAW_FORMAT, 64), /few-shot/);
    // the held-out prompts are an evaluated pool, PPO's a training pool: the split keeps them apart (a
    // held-out ask that is also a FLAN addition prompt, "Add 4 and 1.", is found in SFT's data as it should be)
    const leaks = await findLeaks(checked.recipe!);
    assert.deepEqual([leaks.evalPools.find((p) => p.block === "judge")?.texts.length, leaks.trainPools.find((p) => p.block === "policy")?.texts.length], [4, 12]);
    assert.deepEqual(leaks.leaks.filter((l) => l.evalPool.block === "judge" && l.trainPool.name === "policy.prompts").map((l) => l.found), []);

    const paths = { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }), workers: 1 };
    const run = outcome(await runRecipe(file, paths));
    const tensors = tf.memory().numTensors;
    const by = Object.fromEntries(run.manifest.nodes.map((n) => [n.id, n]));
    assert.equal(by.policy!.status, "computed");
    assert.equal(by.judge!.summary!.n, 4, "the 4 held-out prompts of 16 (holdout 0.25)");
    const samples = readFileSync(join(run.runDir, "samples.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { eval?: string; reference?: string });
    const judged = samples.filter((s) => s.eval === "judge");
    assert.equal(judged.length, 4);
    assert.ok(judged.every((s) => s.reference === undefined), "a prompts source gives no reference to record");
    // trained and judged again: the same verdict (deterministic), no tensor left
    const again = outcome(await runRecipe(file, { ...paths, force: ["policy", "judge"] }));
    assert.deepEqual(again.manifest.nodes.find((n) => n.id === "judge")!.summary, by.judge!.summary);
    assert.equal(tf.memory().numTensors, tensors, "no tensor left");
  } finally {
    cleanup();
  }
});

test("check builds PPO's prompts where nothing else reads them: a bad row there is found by check, as by plan", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeAsks(dir);
    writeFileSync(join(dir, "bad.jsonl"), '{"prompt":"Add 1 and 2."}\n{"prompt":"  "}\n{"q":"Add 3 and 4."}\n');
    // nothing held out and no eval: the leak check, which builds every training pool, does not run
    const data = join(repoRoot(), "recipes", "data");
    const src = `recipe r { seed = 1 }
tokenizer t = byte_level {}
model m = gpt { tokenizer = t  layers = 1  d_model = 16  heads = 2  context = 256 }
source demos = jsonl("${data}/demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
source prefs = jsonl("${data}/rankings.jsonl") as rankings { k = 4..9 }
source bad = jsonl("bad.jsonl") as prompts {}
stage sft = sft { init = m  data = demos  steps = 2 }
stage rm = reward_model { init = sft  data = prefs  steps = 2 }
stage policy = ppo { init = sft  reward = rm  prompts = bad  steps = 2 }
`;
    writeFileSync(join(dir, "r.align"), src);
    const checked = await checkRecipeFile(join(dir, "r.align"));
    assert.deepEqual(checked.diagnostics, []);
    const found = (await variantDataChecks(checked.recipe!)).map((d) => `${d.code} ${d.file.endsWith("bad.jsonl")} ${d.span?.line}`);
    assert.deepEqual(found, ["AL3033 true 2", "AL3003 true 3"]);
  } finally {
    cleanup();
  }
});

test("check finds what PPO's rule reward will refuse: a ranking whose best response is empty has no reference answer", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, "prefs.jsonl"), '{"prompt":"Add 1 and 2.","responses":["","3"],"ranking":"A > B"}\n{"prompt":"Add 2 and 2.","responses":["4","5"],"ranking":"A > B"}\n');
    const src = `recipe r { seed = 1 }
tokenizer t = byte_level {}
model m = gpt { tokenizer = t  layers = 1  d_model = 16  heads = 2  context = 128 }
source prefs = jsonl("prefs.jsonl") as rankings { k = 2..4 }
source demos = jsonl("prefs.jsonl") as demonstrations { prompt = "{{prompt}}"  response = "{{ranking}}" }
stage sft = sft { init = m  data = demos  steps = 2 }
stage policy = ppo { init = sft  reward = "rule"  prompts = prefs.prompts  steps = 2 }
`;
    writeFileSync(join(dir, "r.align"), src);
    const checked = await checkRecipeFile(join(dir, "r.align"));
    assert.deepEqual(checked.diagnostics.filter((d) => d.severity === "error"), []);
    const found = (await variantDataChecks(checked.recipe!)).map((d) => `${d.code} ${d.span?.line}: ${d.message}`);
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(found[0]!, /^AL3060 7: stage `policy`: `reward = "rule"` compares each answer with its prompt's reference answer, and the prompt "Add 1 and 2\." of `prefs` \(line 1\) has none \(its best response is empty\)/);
  } finally {
    cleanup();
  }
});
