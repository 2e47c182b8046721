// `alignc export` as a user runs it: exit codes, what it prints, what it writes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

let ROOT = fileURLToPath(new URL(".", import.meta.url));
while (!existsSync(join(ROOT, "package.json"))) ROOT = join(ROOT, "..");
const HF = join(ROOT, "recipes", "exports", "quickstart-hf.align");

// The command runs in a child process: capturing this process's stdout would swallow the test
// reporter's own output.
const COMMAND = new URL("../../src/cli/commands/export.js", import.meta.url).href;
async function capture(args: string[], opts: Record<string, unknown>): Promise<{ code: number; out: string; err: string }> {
  const script = `import(${JSON.stringify(COMMAND)}).then((m) => m.run(${JSON.stringify(args)}, ${JSON.stringify(opts)})).then((c) => { process.exitCode = c; });`;
  const r = spawnSync(process.execPath, [...process.execArgv, "--input-type=module", "-e", script], { encoding: "utf8", cwd: ROOT });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test("usage errors exit 2 and write nothing", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "alignc-cli-")), "out");
  assert.equal((await capture([HF], { out: dir })).code, 2);
  assert.equal((await capture([HF], { to: "megatron", out: dir })).code, 2);
  assert.equal((await capture([HF], { to: "openrlhf", out: dir, nodes: "0", targetVersion: "0.9" })).code, 2);
  assert.equal((await capture(["nope.align"], { to: "trl", out: dir })).code, 2);
  // what only the command line got wrong, said as a diagnostic: exit 2 as `alignc run` exits for the same (it was 1)
  const until = await capture([HF], { to: "trl", out: dir, dropPtx: true, until: "nope" });
  assert.equal(until.code, 2, until.err);
  assert.match(until.err, /AL4610: --until nope: no such stage/);
  const swept = await capture([join(ROOT, "recipes", "replicate", "quickstart-samples8-validation.align")], { to: "trl", out: dir, dropPtx: true });
  assert.equal(swept.code, 2, swept.err);
  assert.match(swept.err, /AL4609/);
  assert.ok(!existsSync(dir));
});

test("an export that cannot be made exits 1 with a located error and writes nothing", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "alignc-cli-")), "out");
  const r = await capture([HF], { to: "trl", out: dir, nodes: "1", gpusPerNode: "8" });
  assert.equal(r.code, 1);
  const line = readFileSync(join(ROOT, "recipes", "quickstart.align"), "utf8").split("\n").findIndex((l) => l.startsWith("stage policy")) + 1;
  assert.match(r.err, new RegExp(`quickstart\\.align:${line}:1: error AL4603`));
  assert.match(r.err, /--drop-ptx/);
  assert.ok(!existsSync(dir));
});

test("an export writes the folder, prints what is lost, and makes the launchers executable", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "alignc-cli-")), "out");
  const r = await capture([HF], { to: "openrlhf", out: dir, nodes: "2", gpusPerNode: "4", targetVersion: "0.7.0.post1", trimRows: "3" });
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /warning AL4608: stage `rm`: K-way rankings/);
  assert.match(r.out, /approximations \(also in .*EXPORT\.md\):/);
  assert.match(r.out, /1\/C\(K,2\)/);
  assert.ok(statSync(join(dir, "launch", "nnodes.sh")).mode & 0o100);
  assert.match(readFileSync(join(dir, "configs", "policy.args"), "utf8"), /^--ptx_coef\n0.2\n/m);
  assert.match(readFileSync(join(dir, "launch", "nnodes.sh"), "utf8"), /torchrun --nnodes 2 --nproc_per_node 4/);
});

test("--variant on a recipe without a sweep is an error (AL4011, as plan and run say), not silently ignored", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "alignc-cli-")), "out");
  const r = await capture([HF], { to: "trl", out: dir, nodes: "1", gpusPerNode: "8", dropPtx: true, variant: "kl_coef=0.5" });
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /error AL4011: .*kl_coef=0\.5 .*has no sweep/);
  assert.ok(!existsSync(dir));
});

test("--out inside a folder the recipe reads (a dir() template folder) is refused, even with --force: nothing written there", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-cli-"));
  cpSync(join(ROOT, "templates", "flan", "sentiment"), join(dir, "tpl"), { recursive: true });
  copyFileSync(join(ROOT, "recipes", "data", "tasks", "sentiment.jsonl"), join(dir, "rows.jsonl"));
  writeFileSync(
    join(dir, "r.align"),
    `recipe r { seed = 1 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  layers = 1  d_model = 32  heads = 2  context = 64  hf = "gpt2" }
task t = flan { data = jsonl("rows.jsonl")  templates = dir("tpl")  options = ["negative", "positive"] }
stage sft = sft { init = tiny  data = t  steps = 2 }
`,
  );
  const before = readdirSync(join(dir, "tpl")).sort();
  for (const out of [join(dir, "tpl"), join(dir, "tpl", "export")]) {
    const r = await capture([join(dir, "r.align")], { to: "trl", out, force: true });
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /folder this recipe reads/);
  }
  assert.deepEqual(readdirSync(join(dir, "tpl")).sort(), before);
  const ok = await capture([join(dir, "r.align")], { to: "trl", out: join(dir, "out") });
  assert.equal(ok.code, 0, ok.err);
});
