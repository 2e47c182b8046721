// A rankings file's layout is the one most of its rows have, and a source whose rows are all skipped is
// an error where its policy is written (huntA39 F2: the layout was the first row's alone, so one bad
// first row made every good OASST or hh-rlhf row "missing field `prompt`", and with on_error = "skip"
// dropped them all while check and `data --stats` passed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { ROOT } from "./recipe-fixture.js";

const BIN = resolve(ROOT, "bin/alignc.js");
const oasst = (i: number) => JSON.stringify({ conversation: [{ role: "prompter", text: `question ${i}?` }], responses_ranked: [`best answer ${i}`, `worse answer ${i}`] });

function alignc(rows: string[], onError: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const dir = mkdtempSync(join(tmpdir(), "alignc-layout-"));
  try {
    writeFileSync(join(dir, "r.jsonl"), rows.join("\n") + "\n");
    writeFileSync(join(dir, "demos.jsonl"), JSON.stringify({ prompt: "p", response: "r" }) + "\n");
    writeFileSync(
      join(dir, "r.align"),
      `recipe r { seed = 1 }\ntokenizer t = byte_level {}\nmodel m = gpt { tokenizer = t  layers = 1  d_model = 32  heads = 2  context = 64 }\n` +
        `source demos = jsonl("demos.jsonl") as demonstrations {}\nsource prefs = jsonl("r.jsonl") as rankings { k = 2..9${onError} }\n` +
        `stage sft = sft { init = m  data = demos  steps = 1 }\nstage rm = reward_model { init = sft  data = prefs  steps = 1 }\n`,
    );
    const r = spawnSync(process.execPath, [BIN, ...args.map((a) => (a === "R" ? join(dir, "r.align") : a))], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("one bad first row of an OASST file is the row reported, by the field it lacks; skipped, the other rows stay", () => {
  const rows = [JSON.stringify({ conversation: [{ role: "prompter", text: "q" }] }), ...Array.from({ length: 5 }, (_, i) => oasst(i))];
  const failed = alignc(rows, "", "check", "R");
  assert.equal(failed.code, 1);
  assert.match(failed.err, /r\.jsonl:1:1: error AL3003: missing field `responses_ranked`/);
  assert.doesNotMatch(failed.err, /missing field `prompt`/);
  assert.doesNotMatch(failed.err, /r\.jsonl:2:/, "the good rows are read as OASST's");
  const skipped = alignc(rows, `  on_error = "skip"`, "data", "R", "--source", "prefs", "--stats", "--preview", "0");
  assert.equal(skipped.code, 0, skipped.err);
  assert.match(skipped.out, /prefs: 5 prompts \(5 comparisons\)/);
  assert.match(skipped.out, /skipped 1 row of .*line 1: missing field `responses_ranked`/s);
});

test("every row skipped is AL3005 at the source's on_error, in check and in data, not a source of nothing that passes", () => {
  const rows = Array.from({ length: 3 }, (_, i) => JSON.stringify({ conversation: [{ role: "prompter", text: `q${i}` }], responses_ranked: "not a list" }));
  for (const args of [["check", "R"], ["data", "R", "--source", "prefs", "--stats"]]) {
    const r = alignc(rows, `  on_error = "skip"`, ...args);
    assert.equal(r.code, 1, `${args[0]}: ${r.out}`);
    assert.match(r.err, /r\.align:5:\d+: error AL3005: `prefs`: every one of its 3 rows of r\.jsonl was skipped, leaving nothing: 3 bad \(on_error = "skip"\); first reasons: line 1: `responses_ranked` must be a list of strings/);
  }
  // lines the reader skips (none a JSON object) said "the file has no rows" (reviewC39 L5)
  const notJson = alignc(["not json", "[1, 2]"], `  on_error = "skip"`, "check", "R");
  assert.equal(notJson.code, 1);
  assert.match(notJson.err, /r\.align:5:\d+: error AL3005: `prefs`: every one of its 2 rows of r\.jsonl was skipped, leaving nothing: 2 bad/);
});

test("K outside k on every row is AL3005 at k_outside with a hint to widen k; same-text pairs are left to the stage's AL4020, which names them", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-layout-k-"));
  try {
    writeFileSync(join(dir, "r.jsonl"), [oasst(1), oasst(2)].join("\n") + "\n");
    writeFileSync(join(dir, "same.jsonl"), ["a", "b"].map((t) => JSON.stringify({ prompt: t, chosen: "x", rejected: "x" })).join("\n") + "\n");
    writeFileSync(join(dir, "demos.jsonl"), JSON.stringify({ prompt: "p", response: "r" }) + "\n");
    const head = `recipe r { seed = 1 }\ntokenizer t = byte_level {}\nmodel m = gpt { tokenizer = t  layers = 1  d_model = 32  heads = 2  context = 64 }\nsource demos = jsonl("demos.jsonl") as demonstrations {}\nstage sft = sft { init = m  data = demos  steps = 1 }\n`;
    writeFileSync(join(dir, "k.align"), head + `source prefs = jsonl("r.jsonl") as rankings { k = 4..9  k_outside = "skip" }\nstage rm = reward_model { init = sft  data = prefs  steps = 1 }\n`);
    writeFileSync(join(dir, "same.align"), head + `source prefs = jsonl("same.jsonl") as pairs {}\nstage rm = reward_model { init = sft  data = prefs  steps = 1 }\n`);
    const run = (f: string, cmd: string) => spawnSync(process.execPath, [BIN, cmd, join(dir, f)], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    const k = run("k.align", "check");
    assert.equal(k.status, 1);
    assert.match(k.stderr, /k\.align:6:\d+: error AL3005: `prefs`: every one of its 2 rows of r\.jsonl was skipped, leaving nothing: 2 with K outside k = 4\.\.9 \(k_outside = "skip"\)/);
    assert.match(k.stderr, /hint: widen `k`/);
    const same = run("same.align", "plan");
    assert.doesNotMatch(same.stderr, /AL3005/);
    assert.match(same.stderr, /AL4020/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a per-response list that does not fit says how (huntA39 F7: '`ranks` needs 0 integers' of a row with no responses)", () => {
  const conv = (t: string) => [{ role: "prompter", text: t }];
  const rows = [
    JSON.stringify({ conversation: conv("a"), responses_ranked: [], ranks: [0] }),
    JSON.stringify({ conversation: conv("b"), responses_ranked: ["x", "y"], ranks: [0] }),
    JSON.stringify({ conversation: conv("c"), responses_ranked: ["x", "y"], ranks: [0, 0.5] }),
    oasst(1),
  ];
  const r = alignc(rows, "", "check", "R");
  assert.equal(r.code, 1);
  assert.match(r.err, /r\.jsonl:1:1: error AL3021: the row holds 0 responses: a ranking compares at least 2/);
  assert.match(r.err, /r\.jsonl:2:1: error AL3021: `ranks` has 1 entry for 2 responses: one per response/);
  assert.match(r.err, /r\.jsonl:3:1: error AL3021: `ranks\[1\]` must be an integer, got/);
});
