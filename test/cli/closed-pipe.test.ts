// `alignc data … | head`: the reader closes the pipe early. alignc must not die with an unhandled
// EPIPE stack trace (nor exit 70); the output is simply no longer wanted.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-pipe-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function closedEarly(...args: string[]): Promise<{ code: number | null; signal: string | null; err: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [join(root, "bin", "alignc.js"), ...args], { cwd: tmp, env: { ...process.env, NO_COLOR: "1" } });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout.once("data", () => child.stdout.destroy()); // like `| head -c 1`
    child.on("close", (code, signal) => res({ code, signal, err }));
  });
}

test("alignc data --preview with its stdout closed early ends without an EPIPE crash", async () => {
  copyFileSync(join(root, "recipes", "data", "demos.jsonl"), join(tmp, "demos.jsonl"));
  copyFileSync(join(root, "templates", "chat", "plain.hbs"), join(tmp, "plain.hbs"));
  writeFileSync(
    join(tmp, "d.align"),
    `recipe d { seed = 1 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  layers = 1  d_model = 32  heads = 2  context = 64 }
source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
format chat = chat_template("plain.hbs")
stage sft = sft { init = tiny  data = demos  format = chat  steps = 2  batch_size = 2  max_length = 64 }
`,
  );
  const r = await closedEarly("data", "d.align", "--preview", "2000");
  assert.doesNotMatch(r.err, /EPIPE|Unhandled|internal error/, r.err);
  assert.equal(r.code, 0, r.err);
});

test("output that cannot be written (stdout on a full device) fails the command with the reason: exit 1, no stack trace", { skip: existsSync("/dev/full") ? false : "no /dev/full here" }, () => {
  for (const args of [["check", join(root, "recipes", "quickstart.align"), "--no-leaks"], ["schema", "plan"], ["--help"]]) {
    const r = spawnSync(`${JSON.stringify(process.execPath)} ${[join(root, "bin", "alignc.js"), ...args].map((a) => JSON.stringify(a)).join(" ")} > /dev/full`, { shell: true, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    assert.equal(r.status, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /alignc: cannot write its output: ENOSPC/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  }
});

test("a run whose output cannot be written still finishes and records its run; the command exits 1 with the reason", { skip: existsSync("/dev/full") ? false : "no /dev/full here" }, () => {
  const dir = mkdtempSync(join(tmp, "full-run-"));
  writeFileSync(
    join(dir, "r.align"),
    `recipe r { seed = 1 }
tokenizer c = byte_level {}
model m = gpt { tokenizer = c  layers = 1  d_model = 16  heads = 2  context = 64 }
stage pre = pretrain { init = m  data = text(${JSON.stringify(join(root, "recipes", "data", "corpus.txt"))})  steps = 3 }
`,
  );
  const r = spawnSync(`${JSON.stringify(process.execPath)} ${JSON.stringify(join(root, "bin", "alignc.js"))} run r.align --workers 1 > /dev/full`, { shell: true, cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ALIGNC_CACHE: join(dir, "cache") } });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /alignc: cannot write its output: ENOSPC/);
  const runs = readdirSync(join(dir, "runs"));
  assert.equal(runs.length, 1);
  assert.equal(JSON.parse(readFileSync(join(dir, "runs", runs[0]!, "manifest.json"), "utf8")).status, "ok", "the run itself finished");
});
