// A recipe or template holding a byte that is not UTF-8 (a latin1 `é`): it was decoded to U+FFFD
// without a word, so a string carried the replacement into every prompt, and `alignc fmt` wrote the
// replacement over the user's byte (the file changed for good). Found by running fmt on a latin1 file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-not-utf8-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const latin1 = (before: string, after: string) => Buffer.concat([Buffer.from(before), Buffer.from([0xe9]), Buffer.from(after)]);

function alignc(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), ...args], { cwd: tmp, encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, err: r.stderr };
}

test("fmt leaves a latin1 recipe byte for byte, with a located AL1007 and exit 1", () => {
  const bytes = latin1("// caf", "\nrecipe  m { seed = 1 }\n"); // unformatted: fmt would rewrite it
  writeFileSync(join(tmp, "l.align"), bytes);
  for (const args of [["fmt", "l.align"], ["fmt", "--check", "l.align"], ["check", "l.align"]]) {
    const r = alignc(...args);
    assert.equal(r.code, 1, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, /^l\.align:1:7: error AL1007: not UTF-8: byte 0xe9/);
  }
  assert.deepEqual(readFileSync(join(tmp, "l.align")), bytes);
});

test("a latin1 byte in a FLAN or chat template is AL3002 at the byte, not U+FFFD in every prompt", () => {
  cpSync(join(root, "templates", "flan", "addition"), join(tmp, "add"), { recursive: true });
  writeFileSync(join(tmp, "add", "01-equals.hbs"), latin1("{{a}}", "{{b}}=\n|||\n{{sum}}\n"));
  writeFileSync(join(tmp, "chat.hbs"), latin1("U: {{prompt}}", "\nA: {{response}}\n"));
  const data = join(root, "recipes", "data");
  writeFileSync(
    join(tmp, "t.align"),
    `recipe t { seed = 1 }\ntask add = flan { data = jsonl("${data}/tasks/addition.jsonl")  templates = dir("add") }\nformat chat = chat_template("chat.hbs")\n` +
      `stage s = sft { init = m  data = add  format = chat  steps = 1 }\ntokenizer b = byte_level {}\nmodel m = gpt { tokenizer = b  layers = 1  d_model = 16  heads = 2  context = 64 }\n`,
  );
  const r = alignc("data", "t.align");
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /add\/01-equals\.hbs:1:6: error AL3002: not UTF-8: byte 0xe9/);
  writeFileSync(join(tmp, "add", "01-equals.hbs"), "{{a}}+{{b}}=\n|||\n{{sum}}\n");
  const c = alignc("data", "t.align");
  assert.equal(c.code, 1, c.err);
  assert.match(c.err, /chat\.hbs:1:14: error AL3002: not UTF-8: byte 0xe9/);
});

test("a BOM at the start of a FLAN or chat template is dropped, not rendered into every prompt", () => {
  cpSync(join(root, "templates", "flan", "addition"), join(tmp, "bom"), { recursive: true });
  writeFileSync(join(tmp, "bom", "01-equals.hbs"), "\uFEFF{{a}}+{{b}}=\n|||\n{{sum}}\n");
  writeFileSync(join(tmp, "bom-chat.hbs"), "\uFEFFU: {{prompt}}\nA: {{response}}\n");
  const data = join(root, "recipes", "data");
  writeFileSync(
    join(tmp, "b.align"),
    `recipe b { seed = 1 }\ntask add = flan { data = jsonl("${data}/tasks/addition.jsonl")  templates = dir("bom") }\nformat chat = chat_template("bom-chat.hbs")\n` +
      `stage s = sft { init = m  data = add  format = chat  steps = 1 }\ntokenizer b = byte_level {}\nmodel m = gpt { tokenizer = b  layers = 1  d_model = 16  heads = 2  context = 64 }\n`,
  );
  const r = alignc("data", "b.align", "--export", "b.jsonl", "--split", "all");
  assert.equal(r.code, 0, r.err);
  const rows = readFileSync(join(tmp, "b.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { text: string; meta: { template: string } });
  assert.ok(rows.some((x) => x.meta.template === "01-equals"));
  for (const x of rows) assert.ok(!x.text.includes("\uFEFF"), JSON.stringify(x.text));
});
