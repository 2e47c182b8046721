// Data of a real data set's size: a mixture component or a held-out split of more than ~125,000
// examples was "Maximum call stack size exceeded" (exit 70) in check, plan and data, from
// `out.push(...examples)`, which passes every element as a call argument (src/common/arrays.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { maxOf, minOf, pushAll } from "../../src/common/arrays.js";
import { repoRoot } from "../repo-root.js";

test("pushAll, maxOf and minOf take any number of items (300,000: past what a spread passes on the stack)", () => {
  const many = Array.from({ length: 300_000 }, (_, i) => i);
  assert.throws(() => [].push(...(many as never[])), RangeError, "the spread this replaces");
  assert.equal(pushAll([-1], many).length, 300_001);
  assert.deepEqual([maxOf(many), minOf(many), maxOf([]), minOf([])], [299_999, 0, -Infinity, Infinity]);
  assert.ok(Number.isNaN(maxOf([1, NaN, 2])), "NaN, as Math.max");
});

test("a 150,000-row source as a mixture component and as a 90 % held-out split: check, plan and data work (they were exit 70)", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-large-"));
  try {
    writeFileSync(join(dir, "chat.hbs"), "User: {{prompt}}\nAssistant: {{response}}\n");
    writeFileSync(join(dir, "d.jsonl"), Array.from({ length: 150_000 }, (_, i) => JSON.stringify({ instruction: `q${i}`, response: `a${i}` })).join("\n") + "\n");
    const recipe = (holdout: string, total: string) => `recipe r { seed = 3 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  layers = 1  d_model = 32  heads = 2  context = 96 }
source demos = jsonl("d.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}"${holdout} }
mixture m = mix { demos: weight 1.0${total} }
format chat = chat_template("chat.hbs")
stage sft = sft { init = tiny  data = m  format = chat  steps = 5  lr = 5e-4  max_length = 96 }
${holdout ? "eval held = lm_loss { model = sft  data = heldout(demos)  n = 10 }\n" : ""}`;
    writeFileSync(join(dir, "whole.align"), recipe("", ""));
    writeFileSync(join(dir, "held.align"), recipe("  holdout = 0.9", "  total = 100"));
    const env = { ...process.env, ALIGNC_CACHE_DIR: join(dir, "cache"), NO_COLOR: "1" };
    for (const [file, args] of [["whole.align", ["check"]], ["whole.align", ["data", "--source", "m", "--preview", "1"]], ["held.align", ["plan"]], ["held.align", ["data", "--leaks"]]] as const) {
      const r = spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), args[0], join(dir, file), ...args.slice(1)], { encoding: "utf8", env, cwd: dir });
      assert.equal(r.status, 0, `${args.join(" ")} ${file}: ${r.stderr.slice(0, 600)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
