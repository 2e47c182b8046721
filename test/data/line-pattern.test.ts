// A text source's `pattern`: published line formats (SST-2's `<0|1> <sentence>`) read as they are,
// each line's named groups its fields; a line the pattern does not match is a located bad row.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRows } from "../../src/data/readers.js";
import { DataError } from "../../src/data/diag.js";
import { located } from "./located.js";
import { hasShared, shared } from "./shared-data.js";
import { alignc } from "./template-folder-fixture.js";

const dir = mkdtempSync(join(tmpdir(), "alignc-pattern-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const SST = "^(?<label>[01]) (?<sentence>.*)$";

test("pattern: each line's named groups are its fields, with its line; blank lines skipped; a group that matched nothing is absent; limit", async () => {
  const p = file("a.txt", "1 a gripping film .\n\n0 dull , dull , dull\r\n1 é ü 😀\n");
  const rs = await readRows(p, "text", { pattern: SST });
  assert.deepEqual(
    rs.rows.map((r) => [r.line, r.data]),
    [
      [1, { label: "1", sentence: "a gripping film ." }],
      [3, { label: "0", sentence: "dull , dull , dull" }],
      [4, { label: "1", sentence: "é ü 😀" }],
    ],
  );
  const opt = await readRows(p, "text", { pattern: "^(?<label>\\d)(?: (?<rest>x))?" });
  assert.deepEqual(opt.rows[0]!.data, { label: "1" });
  assert.equal((await readRows(p, "text", { pattern: SST, limit: 2 })).rows.length, 2);
  assert.deepEqual((await readRows(p, "text")).rows[0]!.data, { text: "1 a gripping film ." }, "no pattern: the line is `text`");
});

test("pattern: a line it does not match fails at file:line naming the pattern; on_error = skip leaves it out, counted", async () => {
  const p = file("b.txt", "1 fine\nlabel sentence\n0 bad\n2 three\n");
  try {
    await readRows(p, "text", { pattern: SST, source: "sst" });
    assert.fail("expected a DataError");
  } catch (err) {
    assert.ok(err instanceof DataError);
    const msgs = err.diagnostics.map(located);
    assert.equal(msgs.length, 2, msgs.join("\n"));
    assert.match(msgs[0]!, /b\.txt:2: the line does not match the source's pattern .*"label sentence"/);
    assert.match(msgs[1]!, /b\.txt:4: .*"2 three"/);
  }
  const skip = await readRows(p, "text", { pattern: SST, source: "sst", onError: "skip" });
  assert.deepEqual(skip.rows.map((r) => r.data.sentence), ["fine", "bad"]);
  assert.equal(skip.skipped?.count, 2);
  assert.match(skip.skipped!.reasons[0]!, /^line 2: /);
});

const recipe = (pattern: string, source = "stsa.binary.dev") => `recipe p { seed = 5 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  layers = 1  d_model = 32  heads = 2  context = 512 }
source rows = text("${source}") as records { pattern = ${JSON.stringify(pattern)} }
task sst2 = flan {
  data = rows
  templates = flan_templates("flan_templates.json", "sst2", "v1")
  fields = { answer = { from = "label"  map = ["negative", "positive"] } }
  holdout = 0
}
format chat = chat_template("plain.hbs")
stage sft = sft { init = tiny  data = sst2  format = chat  steps = 2  batch_size = 2  max_length = 512 }
`;

test("a bad pattern is AL2042 at the string; a pattern on a jsonl source is AL2004", () => {
  const d = mkdtempSync(join(tmpdir(), "alignc-pattern-check-"));
  writeFileSync(join(d, "stsa.binary.dev"), "1 fine\n");
  writeFileSync(join(d, "flan_templates.json"), "{}");
  writeFileSync(join(d, "plain.hbs"), "User: {{prompt}}\nAssistant: {{response}}");
  for (const [pattern, msg] of [
    ["^(?<label>[01] (?<sentence>.*)$", /AL2042.*not a regular expression/],
    ["^([01]) (.*)$", /AL2042.*names no group/],
  ] as const) {
    writeFileSync(join(d, "p.align"), recipe(pattern));
    const r = alignc(d, "check", "p.align");
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out + r.err, /p\.align:4:\d+/);
    assert.match(r.out + r.err, msg);
  }
  writeFileSync(join(d, "j.align"), recipe(SST).replace('text("stsa.binary.dev")', 'jsonl("stsa.binary.dev")'));
  const j = alignc(d, "check", "j.align");
  assert.equal(j.code, 1);
  assert.match(j.out + j.err, /AL2004[\s\S]*pattern/);
});

test("SST-2 as published (../shared): every line a row, FLAN's sst2 patterns render its sentence and label", { skip: !hasShared && "../shared/data is absent" }, () => {
  const d = mkdtempSync(join(tmpdir(), "alignc-pattern-sst2-"));
  writeFileSync(join(d, "plain.hbs"), "User: {{prompt}}\nAssistant: {{response}}");
  const text = (p: string) => readFileSync(shared(p), "utf8");
  writeFileSync(join(d, "flan_templates.json"), text("flan/flan_templates.json"));
  const src = shared("nlp/sst2/stsa.binary.dev");
  writeFileSync(join(d, "p.align"), recipe(SST, src));
  const out = join(d, "all.jsonl");
  const r = alignc(d, "data", "p.align", "--export", out, "--split", "all");
  assert.equal(r.code, 0, r.out + r.err);
  const lines = text("nlp/sst2/stsa.binary.dev").split("\n").filter((l) => l.trim() !== "");
  const examples = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { prompt: string; response: string; meta: { line: number; inverted: boolean } });
  assert.equal(new Set(examples.map((e) => e.meta.line)).size, lines.length, "every line of the file is a row");
  for (const e of examples) {
    const line = lines[e.meta.line - 1]!;
    const [label, sentence] = [line[0]!, line.slice(2)];
    const answer = label === "1" ? "positive" : "negative";
    if (e.meta.inverted) assert.ok(e.prompt.includes(answer) && e.response === sentence, JSON.stringify(e));
    else assert.ok(e.prompt.includes(sentence) && e.response === answer, JSON.stringify(e));
  }
});

// The README's SST-2 recipe: `as records` rows that only a task reads. The planner sized the source by
// building it alone, which guessed demonstrations and refused every row for lacking a `prompt` (plan
// and run exit 1 with "200 bad rows" where `check` and `data` passed); audit 32
test("rows that only a task reads plan and run; `alignc data --source` on them points at the task", () => {
  const d = mkdtempSync(join(tmpdir(), "alignc-pattern-plan-"));
  writeFileSync(join(d, "stsa.binary.dev"), "1 a fine film .\n0 a dull film .\n1 moving .\n0 tedious .\n");
  writeFileSync(join(d, "plain.hbs"), "User: {{prompt}}\nAssistant: {{response}}");
  mkdirSync(join(d, "tpl"));
  writeFileSync(join(d, "tpl", "01.hbs"), "{{sentence}} Positive or negative?\n|||\n{{answer}}");
  // and rows nothing reads yet (review 32: still sized alone, refused at every row)
  writeFileSync(join(d, "p.align"), recipe(SST).replace('templates = flan_templates("flan_templates.json", "sst2", "v1")', 'templates = dir("tpl")') + `source spare = text("stsa.binary.dev") as records { pattern = "${SST.replace(/\\/g, "\\\\")}" }\n`);
  const plan = alignc(d, "plan", "p.align");
  assert.equal(plan.code, 0, plan.out + plan.err);
  assert.match(plan.out, /sst2 +expand .* 4 ex /);
  const shown = alignc(d, "data", "p.align", "--source", "rows");
  assert.equal(shown.code, 2, shown.out + shown.err);
  assert.match(shown.err, /`rows` holds rows that task `sst2` renders, not examples of its own: --source sst2/);
  assert.equal(alignc(d, "data", "p.align", "--source", "sst2").code, 0);
});
