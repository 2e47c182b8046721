// An example that keeps no response token at its stage's max_length (truncate = "right" and a prompt
// that fills the window) would train on nothing: AL3030 where the user can fix it, the stage's
// `truncate` (else its `max_length`), naming the example and its row. `check` and `plan` say so from
// their (sampled) counts; the run, for an example past the sample, from the tokenizer's NoResponseLeft.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { checkRecipeFile } from "../../src/check/index.js";
import { examplesOf } from "../../src/data/build.js";
import { DataError } from "../../src/data/diag.js";
import { locateNoResponseLeft } from "../../src/data/no-response-left.js";
import { dataPlanOf, nodeOf } from "../../src/data/plan-input.js";
import { byteLevel } from "../../src/data/tokenizers.js";
import { sftSequences } from "../../src/run/nodes/tokens.js";
import { repoRoot } from "../repo-root.js";

const alignc = join(repoRoot(), "bin", "alignc.js");
const cli = (cwd: string, args: string[]) => {
  const r = spawnSync(process.execPath, [alignc, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ALIGNC_CACHE_DIR: join(cwd, ".cache") } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
};

/** 20 demonstrations with 41-token prompts (byte-level) and 9-token responses; `longFrom`: rows from
 * this index on get a 400-character prompt (the others fit any window used here). */
function recipe(o: { maxLength: number; truncate?: string; longFrom?: number }): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "alignc-noresp-"));
  const rows = Array.from({ length: 20 }, (_, i) => JSON.stringify({ prompt: i >= (o.longFrom ?? 0) ? `Question number ${i}: what comes next here?${o.longFrom !== undefined ? " ".repeat(400) + "?" : ""}` : `Q${i}?`, response: `Answer ${i}.` }));
  writeFileSync(join(dir, "r.jsonl"), rows.join("\n") + "\n");
  writeFileSync(
    join(dir, "r.align"),
    `recipe r { seed = 1 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  context = 512 }
source demos = jsonl("r.jsonl") as demonstrations { prompt = "{{prompt}}"  response = "{{response}}" }
stage sft = sft {
  init = tiny
  data = demos
  steps = 1
  max_length = ${o.maxLength}${o.truncate ? `\n  truncate = "${o.truncate}"` : ""}
}
`,
  );
  return { dir, file: join(dir, "r.align") };
}

test("check, plan and data --stats: a prompt that fills the window under truncate = \"right\" is AL3030 at the stage's truncate, naming the example and its row", () => {
  const { dir } = recipe({ maxLength: 20, truncate: "right" });
  for (const cmd of ["check", "plan"]) {
    const r = cli(dir, [cmd, "r.align"]);
    assert.equal(r.code, 1, `${cmd}: ${r.err}`);
    assert.match(r.err, /r\.align:10:14: error AL3030: stage `sft`: example demos:0 \(r\.jsonl:1\) keeps no response token at max_length 20 \(truncate = "right"\): its prompt is 41 tokens, its response 9; it would train on nothing; 20 of 20 training examples do/, cmd);
    assert.match(r.err, /hint: raise max_length \(and the model context\), shorten the prompts, or keep the response whole with truncate = "prompt_first"/, cmd);
  }
  const stats = cli(dir, ["data", "r.align", "--stats"]);
  assert.match(stats.out + stats.err, /20 keep none \(the run refuses them: AL3030\)/);
});

test("the same recipe under the default prompt_first keeps every response: no AL3030", () => {
  const { dir } = recipe({ maxLength: 20 });
  const r = cli(dir, ["check", "r.align"]);
  assert.doesNotMatch(r.err, /AL3030/);
  assert.equal(r.code, 0, r.err);
});

test("the run (for an example past check's and plan's sample): the tokenizer's NoResponseLeft is relocated at the stage's truncate, with the example's row", async () => {
  // rows 0..16 fit; 17.. have prompts longer than the window
  const { file } = recipe({ maxLength: 64, truncate: "right", longFrom: 17 });
  const checked = await checkRecipeFile(file);
  assert.ok(checked.recipe, JSON.stringify(checked.diagnostics));
  const dp = dataPlanOf(checked.recipe);
  const built = await examplesOf(dp, "sft", { prop: "data" });
  assert.equal(built.kind, "sft");
  if (built.kind !== "sft") return;
  // the run tokenizes to max_length inputs and one target token (run/nodes/tokens.ts lmData)
  const run = () => locateNoResponseLeft(dp, nodeOf(dp, "sft"), 64, () => sftSequences([...built.train, ...built.heldout], byteLevel(), 65, "response", "right"));
  assert.throws(run, (e: DataError) => {
    assert.ok(e instanceof DataError);
    const d = e.diagnostics[0]!;
    assert.equal(d.code, "AL3030");
    assert.equal(d.file, file);
    assert.deepEqual([d.span?.line, d.span?.col], [10, 14]); // truncate = "right"
    assert.match(d.message, /^stage `sft`: example demos:\d+ \(r\.jsonl:(18|19|20)\) keeps no response token at max_length 64 \(truncate = "right"\)/);
    return true;
  });
  // the examples that fit tokenize as before: nothing relocated, nothing thrown
  const fit = [...built.train, ...built.heldout].filter((x) => x.prompt.length < 40);
  assert.equal(locateNoResponseLeft(dp, nodeOf(dp, "sft"), 64, () => sftSequences(fit, byteLevel(), 65, "response", "right")).length, fit.length);
});
