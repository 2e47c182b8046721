// Inline-snippet helpers for the checker's tests: a throwaway folder with the data files the snippets
// name, `diagnose(src)` → diagnostics, `expectError(src, code, line, col)` and `expectClean(src)`.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkRecipeText, type CheckResult } from "../../src/check/index.js";
import type { Diagnostic } from "../../src/lang/diagnostic.js";
export { repoRoot } from "../repo-root.js";

/** A folder with data/{rows,demos,prefs}.jsonl, data/corpus.txt, tpl/ (a template folder) and chat.hbs. */
export const fixtureDir: string = (() => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-check-"));
  mkdirSync(join(dir, "data"));
  mkdirSync(join(dir, "tpl"));
  for (const f of ["data/rows.jsonl", "data/demos.jsonl", "data/prefs.jsonl", "data/corpus.txt", "tpl/a.hbs", "chat.hbs"]) writeFileSync(join(dir, f), "");
  process.on("exit", () => rmSync(dir, { recursive: true, force: true })); // leave no temp folders behind
  return dir;
})();

/** Write a recipe into the fixture folder (for `extends` tests); returns its path. */
export function writeRecipe(name: string, text: string): string {
  const p = join(fixtureDir, name);
  writeFileSync(p, text);
  return p;
}

export async function check(src: string, name = "snippet.align"): Promise<CheckResult> {
  return checkRecipeText(src, join(fixtureDir, name));
}

export async function diagnose(src: string, name?: string): Promise<Diagnostic[]> {
  return (await check(src, name)).diagnostics;
}

function show(ds: Diagnostic[]): string {
  return ds.map((d) => `  ${d.file.split("/").pop()}:${d.span?.line}:${d.span?.col} ${d.code} ${d.message}${d.hint ? ` (${d.hint})` : ""}`).join("\n") || "  (none)";
}

/** An error `code` at `line:col` (1-based) must be among the diagnostics; returns it for further asserts. */
export async function expectError(src: string, code: string, line: number, col: number, name?: string): Promise<Diagnostic> {
  const ds = await diagnose(src, name);
  const hit = ds.find((d) => d.code === code && d.span?.line === line && d.span?.col === col);
  assert.ok(hit, `expected ${code} at ${line}:${col}, got:\n${show(ds)}`);
  assert.equal(hit.severity, "error");
  return hit;
}

export async function expectClean(src: string, name?: string): Promise<CheckResult> {
  const r = await check(src, name);
  assert.deepEqual(r.diagnostics, [], `expected no diagnostics, got:\n${show(r.diagnostics)}`);
  assert.ok(r.recipe, "a clean recipe lowers to a CheckedRecipe");
  return r;
}

/** Two lines every snippet can build on: a tokenizer `bytes` and a model `m`. */
export const P = "tokenizer bytes = byte_level {}\nmodel m = gpt { tokenizer = bytes }\n";

/** A complete, clean recipe using every block keyword (lines 1-16). */
export const FULL = `recipe t { seed = 1 }
tokenizer bytes = byte_level {}
model m = gpt { tokenizer = bytes  layers = 2  d_model = 64  heads = 4  context = 32 }
source demos = jsonl("data/demos.jsonl") as demonstrations { prompt = "{{q}}"  response = "{{a}}"  holdout = 0.1 }
source prefs = jsonl("data/prefs.jsonl") as rankings { k = 4..9  holdout = 0.2 }
task qa = flan { data = jsonl("data/rows.jsonl")  templates = dir("tpl")  holdout_templates = 1  shots = 0..2 }
mixture mixd = mix { qa: proportional cap 100  demos: weight 1.0 }
format chat = chat_template("chat.hbs")
stage pre = pretrain { init = m  data = text("data/corpus.txt")  steps = 10 }
stage sft = sft { init = pre  data = mixd  format = chat  steps = 10  loss_on = response }
stage rm = reward_model { init = sft  data = prefs  steps = 5 }
stage policy = ppo { init = sft  reward = rm  prompts = prefs.prompts  ptx_data = mixd  steps = 5  kl_coef = sweep [0.05, 0.1] }
eval acc = accuracy { model = sft  task = qa }
eval wr = win_rate { a = policy  b = sft  judge = rm  prompts = heldout(prefs) }
expect { acc.accuracy >= 0.1  wr.win_rate > 0.4 }
budget { time <= 10m  memory <= 4GiB  tokens <= 2M }
`;

