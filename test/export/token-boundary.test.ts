// Every target cuts a row at the prompt's token count: TRL's SFT masks prompt_ids, its DPO takes
// chosen_ids = prompt_chosen_ids[len(prompt_ids):], OpenRLHF's SFT and DPO mask prompt_ids_len tokens.
// That is right only where the prompt's tokens are a prefix of prompt + completion's. The chat format's
// prompt ends "Assistant: ", which GPT-2's BPE encodes as a lone " " where "Assistant: negative" has
// " negative" (audit35 H1: 59 % of the quickstart's SFT rows trained on EOS alone on TRL). Checked here
// with GPT-2's own BPE on the rows each target reads, and prompt + completion held to alignc's text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkRecipeFile } from "../../src/check/index.js";
import { gpt2 } from "../../src/data/tokenizers.js";
import { compileExport } from "../../src/export/compile.js";
import { exportRecipe } from "../../src/export/index.js";
import { groupPairs, type Row } from "../../src/export/rows.js";
import { GPT2_REWARD_PAD } from "../../src/export/model-positions.js";
import type { ExportInput, ExportResult, Target } from "../../src/export/types.js";
import { fixtureInput } from "./fixture.js";

let ROOT = fileURLToPath(new URL(".", import.meta.url));
while (!existsSync(join(ROOT, "package.json"))) ROOT = join(ROOT, "..");

type Split = [prompt: string, completion: string];
const content = (m: unknown) => (m as { content: string }).content;

/** The (prompt, completion) splits of one row, in each target's row shape; none for `text` rows. */
function splitsOf(row: Row): Split[] {
  if (typeof row.completion === "string") return [[row.prompt as string, row.completion]]; // SFT: TRL, OpenRLHF
  const prompt = typeof row.input === "string" ? row.input : typeof row.prompt === "string" ? row.prompt : Array.isArray(row.messages) ? content(row.messages[0]) : null;
  if (prompt === null) return [];
  if (typeof row.chosen === "string") return [[prompt, row.chosen], [prompt, row.rejected as string]]; // comparisons, every target
  if (Array.isArray(row.messages) && row.messages.length === 2) return [[prompt, content(row.messages[1])]]; // SFT: Axolotl
  return [];
}

const rowsOf = (r: ExportResult, path: string): Row[] => (r.files.find((f) => f.path === path)?.content ?? "").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Row);
const dataFiles = (r: ExportResult) => r.files.filter((f) => /^data\/[^/]+\/(train|test)\.jsonl$/.test(f.path)).map((f) => f.path);

/** Every split of every data file whose prompt's GPT-2 ids are not a prefix of prompt + completion's; and the texts checked. */
async function boundaryFailures(r: ExportResult): Promise<{ bad: string[]; texts: string[] }> {
  const tok = await gpt2();
  const bad: string[] = [];
  const texts: string[] = [];
  for (const path of dataFiles(r))
    for (const row of rowsOf(r, path))
      for (const [prompt, completion] of splitsOf(row)) {
        const p = tok.encode(prompt);
        const whole = tok.encode(prompt + completion);
        if (!p.every((id, i) => whole[i] === id)) bad.push(`${path}: ${JSON.stringify(prompt.slice(-20))} | ${JSON.stringify(completion.slice(0, 20))}`);
        texts.push(prompt + completion);
      }
  return { bad, texts };
}

/** The texts alignc trains on in the fixture: each SFT example, and prompt + completion of each ranked pair. */
function alignTexts(input: ExportInput): string[] {
  const out: string[] = [];
  for (const s of input.stages) {
    if (s.data.kind === "sft") for (const split of [s.data.train, s.data.test]) out.push(...split.map((ex) => ex.text));
    if (s.data.kind === "comparisons")
      for (const split of [s.data.train, s.data.test])
        for (const rg of split) for (const [w, l] of groupPairs(rg.group, "all")) out.push(rg.prompt + rg.completions[w]!, rg.prompt + rg.completions[l]!);
  }
  return out.sort();
}

for (const to of ["trl", "openrlhf", "axolotl"] as const satisfies readonly Target[])
  test(`${to}: every exported prompt tokenizes (GPT-2 BPE) as a prefix of prompt + completion, which is alignc's text unchanged`, async () => {
    const input = fixtureInput({ without: to === "axolotl" ? ["policy"] : [] });
    const r = compileExport(input, { to, nodes: 1, gpusPerNode: 8, dropPtx: true });
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error"), []);
    const { bad, texts } = await boundaryFailures(r);
    assert.deepEqual(bad, []);
    assert.deepEqual(texts.sort(), alignTexts(input), "prompt + completion is byte-identical to the text alignc trains on");
    const sft = rowsOf(r, "data/sft/train.jsonl")[0]!;
    assert.deepEqual(splitsOf(sft), [["User: say 0\nAssistant:", " 0\n"]], "the space before the answer starts the completion");
    if (to !== "axolotl") for (const row of rowsOf(r, "data/policy/train.jsonl")) assert.doesNotMatch(row.prompt as string, /\s$/, "a PPO prompt ends at `Assistant:`");
  });

test("the quickstart's TRL export: every SFT and comparison row splits at a GPT-2 token boundary; PPO prompts end without whitespace", async () => {
  const checked = await checkRecipeFile(join(ROOT, "recipes", "exports", "quickstart-hf.align"));
  assert.ok(checked.recipe, JSON.stringify(checked.diagnostics));
  const r = await exportRecipe(checked.recipe, { to: "trl", nodes: 1, gpusPerNode: 8, dropPtx: true });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error"), []);
  const { bad, texts } = await boundaryFailures(r);
  assert.ok(texts.length > 15_000, `${texts.length} splits: every SFT and reward-model row`);
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} of ${texts.length} rows`);
  // the pad token TRL's reward trainer is given (audit35 H3) occurs in no row: padding is all it can be
  assert.deepEqual(texts.filter((t) => t.includes(GPT2_REWARD_PAD)), []);
  const prompts = rowsOf(r, "data/policy/train.jsonl").map((row) => row.prompt as string);
  assert.ok(prompts.length > 100);
  assert.deepEqual(prompts.filter((p) => /\s$/.test(p)), []);
});
