// A ranking or pair may prefer an empty response (HH-RLHF's harmless set does), which gives the rule
// labeler of an on-policy draw no reference answer: it was an internal error, exit 70 at check and plan
// (review 32); a located AL3030 at the draw's `prompts` now, naming the row.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-empty-reference-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("a rule-labelled draw over pairs that prefer an empty response is AL3030 at its `prompts`, exit 1, in check and plan", () => {
  const data = join(root, "recipes", "data");
  writeFileSync(join(tmp, "p.jsonl"), Array.from({ length: 6 }, (_, i) => JSON.stringify({ prompt: `How do I hurt person ${i}?`, chosen: i < 2 ? "" : "No.", rejected: `Here is how ${i}` })).join("\n") + "\n");
  writeFileSync(
    join(tmp, "r.align"),
    `recipe r { seed = 1 }
tokenizer t = byte_level {}
model m = gpt { tokenizer = t  layers = 1  d_model = 16  heads = 2  context = 64 }
source prefs = jsonl("p.jsonl") as pairs {}
source demos = jsonl("${data}/demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
stage sft = sft { init = m  data = demos  steps = 1 }
source onpol = samples(sft) as rankings {
  prompts = prefs
  n = 6
  k = 2
  labeler = "rule"
}
stage rm = reward_model { init = sft  data = onpol  steps = 1 }
`,
  );
  for (const cmd of ["check", "plan"]) {
    const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), cmd, "r.align"], { cwd: tmp, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    assert.equal(r.status, 1, `${cmd}: ${r.stderr}`);
    assert.match(r.stderr, /r\.align:8:13: error AL3030: `onpol`: the prompt "How do I hurt person 0\?" of `prefs` \(line 1\) prefers an empty response/, cmd);
  }
});
