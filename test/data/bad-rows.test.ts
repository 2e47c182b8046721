// Bad rows in published files: one bad row never stops a file silently or floods the terminal.
// fail (default) lists every bad row (file:line, the element of a one-line JSON array), clipped;
// on_error = "skip" loads the rest and `data --stats` says how many were left out and why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const fromSource = import.meta.url.endsWith(".ts");
const modulePath = fileURLToPath(new URL(`../../src/cli/commands/data.${fromSource ? "ts" : "js"}`, import.meta.url));
function capture(args: string[], opts: Record<string, unknown>): { code: number; out: string; err: string } {
  const script = `const m = await import(${JSON.stringify(modulePath)}); process.exitCode = await m.run(${JSON.stringify(args)}, ${JSON.stringify(opts)});`;
  const r = spawnSync(process.execPath, [...(fromSource ? ["--import", "tsx"] : []), "--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 1 << 26 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const recipe = (dir: string, source: string, stage = "stage sft = sft { init = tiny  data = d  steps = 1 }") => {
  writeFileSync(
    join(dir, "r.align"),
    `recipe r { seed = 1 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars }
${source}
${stage}
`,
  );
  return join(dir, "r.align");
};

test("an Alpaca JSON array on one line with empty outputs: every one listed by element, no line dumped; skip loads the rest", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-bad-alpaca-"));
  // a published Alpaca file: one JSON line (here ~1.2 MB), a few outputs empty
  const rows = Array.from({ length: 3000 }, (_, i) => ({ instruction: `Say something about ${i}. ${"padding ".repeat(40)}`, input: "", output: i === 17 || i === 2400 ? "" : `Thing ${i}.` }));
  writeFileSync(join(dir, "alpaca.json"), JSON.stringify(rows));
  const fail = capture([recipe(dir, `source d = json("alpaca.json") as demonstrations {}`)], { preview: "0" });
  assert.equal(fail.code, 1, fail.err);
  assert.match(fail.err, /alpaca\.json:1:\d+: error AL3030: element 17: empty response \(field `output`\)/);
  assert.match(fail.err, /alpaca\.json:1:\d+: error AL3030: element 2400: empty response/);
  assert.match(fail.err, /on_error = "skip"/);
  assert.ok(fail.err.length < 4000, `stderr is ${fail.err.length} characters`);
  assert.ok(fail.err.split("\n").every((l) => l.length < 400), "no line of the report quotes a whole row");
  const skip = capture([recipe(dir, `source d = json("alpaca.json") as demonstrations { on_error = "skip" }`)], { preview: "0", stats: true, source: "d" });
  assert.equal(skip.code, 0, skip.err);
  assert.match(skip.out, /d: 2998 training examples/);
  assert.match(skip.out, /skipped 2 rows of .*alpaca\.json \(`d`\), first reasons:\n {2}- line 1: element 17: empty response/);
});

test("JSONL with broken lines: fail lists every one (capped, with the count); skip leaves them out, counted", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-bad-jsonl-"));
  const lines = Array.from({ length: 100 }, (_, i) => (i % 4 === 3 ? `{"prompt": "p${i}", "response": ` : JSON.stringify({ prompt: `p${i}`, response: `r${i}` })));
  writeFileSync(join(dir, "d.jsonl"), lines.join("\n") + "\n");
  const fail = capture([recipe(dir, `source d = jsonl("d.jsonl") as demonstrations {}`)], { preview: "0" });
  assert.equal(fail.code, 1);
  assert.equal((fail.err.match(/error AL3002/g) ?? []).length, 21, fail.err); // 20 listed + the count
  assert.match(fail.err, /25 bad rows in `d`; the first 20 are listed/);
  const skip = capture([recipe(dir, `source d = jsonl("d.jsonl") as demonstrations { on_error = "skip" }`)], { preview: "0", stats: true, source: "d" });
  assert.equal(skip.code, 0, skip.err);
  assert.match(skip.out, /d: 75 training examples/);
  assert.match(skip.out, /skipped 25 rows of .*d\.jsonl/);
});

test("rankings: k = 4..9 with k_outside = \"skip\" filters rows with a count; without it the error names the option", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-bad-k-"));
  const rows = [2, 4, 5, 3, 9].map((k, i) => JSON.stringify({ prompt: `q${i}`, responses: Array.from({ length: k }, (_, j) => `a${j}`), ranking: Array.from({ length: k }, (_, j) => j) }));
  writeFileSync(join(dir, "r.jsonl"), rows.join("\n") + "\n");
  const stage = `source d = jsonl("r.jsonl") as rankings { k = 4..9 }`;
  const fail = capture([recipe(dir, stage, "stage pre = pretrain { init = tiny  data = text(\"r.jsonl\")  steps = 1 }\nstage rm = reward_model { init = pre  data = d  steps = 1 }")], { preview: "0", source: "d" });
  assert.equal(fail.code, 1);
  assert.match(fail.err, /r\.jsonl:1:1: error AL3020: 2 responses; the source declares k = 4\.\.9 \(k_outside = "skip" leaves such rows out, counted\)/);
  assert.match(fail.err, /r\.jsonl:4:1: error AL3020: 3 responses/);
  const skip = capture([recipe(dir, `source d = jsonl("r.jsonl") as rankings { k = 4..9  k_outside = "skip" }`, "stage pre = pretrain { init = tiny  data = text(\"r.jsonl\")  steps = 1 }\nstage rm = reward_model { init = pre  data = d  steps = 1 }")], { preview: "0", source: "d", stats: true });
  assert.equal(skip.code, 0, skip.err);
  assert.match(skip.out, /d: 3 prompts/);
  assert.match(skip.out, /skipped 2 rows of .*r\.jsonl \(`d`\), first reasons:\n {2}- K outside k = 4\.\.9/);
});

test("data --stats: how many examples lose prompt or response tokens to truncation at the consuming stage's max_length (its model context when none), with a warning over 1%", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-trunc-"));
  const rows = Array.from({ length: 20 }, (_, i) => JSON.stringify({ prompt: `question number ${i} is long enough`, response: i < 5 ? "a response longer than the whole context window" : "ok" }));
  writeFileSync(join(dir, "d.jsonl"), rows.join("\n") + "\n");
  const file = recipe(dir, `source d = jsonl("d.jsonl") as demonstrations {}`).replace("r.align", "r.align");
  writeFileSync(file, readFileSync(file, "utf8").replace("model tiny = gpt { tokenizer = chars }", "model tiny = gpt { tokenizer = chars  context = 32 }"));
  const r = capture([file], { preview: "0", stats: true, source: "d" });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /truncation by stage sft \(max_length 32, truncate = "prompt_first"\) of 20 examples: 20 \(100\.0%\) lose prompt tokens, 5 \(25\.0%\) lose response tokens {2}WARNING: over 1% lose part of their target/);
});

test("a template that fails on a row names the row (file:line) though it is located at the template; failing on many rows is one error", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-bad-tpl-"));
  // row 3's response renders past the one-render cap; the others are fine
  const rows = Array.from({ length: 5 }, (_, i) => JSON.stringify({ prompt: `p${i}`, response: i === 2 ? "x".repeat((1 << 20) + 1) : `r${i}` }));
  writeFileSync(join(dir, "d.jsonl"), rows.join("\n") + "\n");
  const one = capture([recipe(dir, `source d = jsonl("d.jsonl") as demonstrations { response = "{{response}}" }`)], { preview: "0" });
  assert.equal(one.code, 1, one.err);
  assert.match(one.err, /r\.align:\d+:\d+: error AL3013: d\.jsonl:3: template fails when rendered: its output is 1048577 characters/);
  const skip = capture([recipe(dir, `source d = jsonl("d.jsonl") as demonstrations { response = "{{response}}"  on_error = "skip" }`)], { preview: "0", stats: true, source: "d" });
  assert.equal(skip.code, 0, skip.err);
  assert.match(skip.out, /skipped 1 rows? of .*d\.jsonl \(`d`\), first reasons:\n {2}- line 3: template fails when rendered/);
  // a template that fails on every row: one error naming the first rows and the count, not one per row
  const every = capture([recipe(dir, `source d = jsonl("d.jsonl") as demonstrations { response = "{{#each}}{{/each}}" }`)], { preview: "0" });
  assert.equal(every.code, 1, every.err);
  assert.equal((every.err.match(/error AL3013/g) ?? []).length, 1, every.err);
  assert.match(every.err, /error AL3013: d\.jsonl lines 1, 2, 3, 4, 5: template fails when rendered: Must pass iterator to #each/);
  // and its hint blames the template, not the rows (skipping them would leave none)
  assert.match(every.err, /hint: the template fails on every one of the 5 rows, so the template is at fault, not the rows/);
  assert.match(one.err, /hint: fix the rows, or write on_error = "skip"/, "one failing row: the row's hint");
});
