// A file name can hold control characters (a folder unpacked from elsewhere, `alignc fmt *.align`):
// every line alignc prints about a file shows them escaped, so a name cannot set the terminal's
// title or colours. Diagnostics did; these are the status and usage lines around them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "./helpers.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-names-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const EVIL = "evil\x1b]0;pwned\x07";

function alignc(...args: string[]): string {
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), ...args], { cwd: tmp, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  assert.notEqual(r.status, 70, r.stderr);
  return r.stdout + r.stderr;
}

test("fmt, check, plan, diff and data print a control character in a file name escaped", () => {
  writeFileSync(join(tmp, `${EVIL}.align`), "model   m=gpt{layers=2}\n");
  const outs = [alignc("fmt", "--check", `${EVIL}.align`), alignc("fmt", `${EVIL}.align`), alignc("check", `${EVIL}-missing.align`), alignc("data", `${EVIL}-missing.align`)];
  writeFileSync(join(tmp, `${EVIL}-bad.align`), "model m = gpt { layers = }\n");
  outs.push(alignc("fmt", `${EVIL}-bad.align`));
  writeFileSync(join(tmp, "corpus.txt"), "a b c d e f g\n".repeat(50));
  writeFileSync(
    join(tmp, `${EVIL}-q.align`),
    `recipe mini { seed = 1 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  layers = 1  d_model = 32  heads = 2  context = 64 }
stage pre = pretrain { init = tiny  data = text("corpus.txt")  steps = 2  batch_size = 2 }
`,
  );
  const plan = alignc("plan", `${EVIL}-q.align`);
  assert.match(plan, /^plan mini {2}\(evil/, "the plan's header names the file");
  outs.push(plan, alignc("diff", `${EVIL}-q.align`, `${EVIL}-q.align`), alignc("diff", `${EVIL}-missing.align`, `${EVIL}-q.align`));
  for (const o of outs) {
    assert.ok(!o.includes("\x1b") && !o.includes("\x07"), `raw control character in: ${JSON.stringify(o.slice(0, 300))}`);
    assert.match(o, /evil\\x1b\]0;pwned\\x07/);
  }
});
