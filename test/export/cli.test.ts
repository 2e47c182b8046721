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
async function capture(args: string[], opts: Record<string, unknown>, env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const script = `import(${JSON.stringify(COMMAND)}).then((m) => m.run(${JSON.stringify(args)}, ${JSON.stringify(opts)})).then((c) => { process.exitCode = c; });`;
  const r = spawnSync(process.execPath, [...process.execArgv, "--input-type=module", "-e", script], { encoding: "utf8", cwd: ROOT, env: { ...process.env, ...env } });
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

test("EXPORT.md names the variant and the --until stage it was exported with, so its command runs again (it left both out; export37)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-cli-"));
  writeFileSync(join(dir, "kl.align"), `recipe kl extends "${HF}" { policy.kl_coef = sweep [0.02, 0.05] }\n`);
  const out = join(dir, "out");
  const r = await capture([join(dir, "kl.align")], { to: "trl", out, nodes: "1", gpusPerNode: "8", dropPtx: true, variant: "kl_coef=0.02", until: "sft" });
  assert.equal(r.code, 0, r.err);
  const md = readFileSync(join(out, "EXPORT.md"), "utf8");
  assert.match(md, /^# `kl` \(variant kl_coef=0\.02\) exported for TRL/);
  assert.match(md, /Generated by `alignc export kl\.align --to trl .* --drop-ptx --variant kl_coef=0\.02 --until sft`/);
});

test("--out naming a file is a usage error, exit 2, the file untouched (it was exit 1, where every other misnamed output place is 2; export37)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-cli-"));
  const f = join(dir, "notes.txt");
  writeFileSync(f, "mine\n");
  const r = await capture([HF], { to: "trl", out: f, nodes: "1", gpusPerNode: "8", dropPtx: true, until: "pre" });
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /exists and is not a folder/);
  assert.equal(readFileSync(f, "utf8"), "mine\n");
});

test("export makes the plan's data checks: a stage with no training row is AL4020, nothing written (it wrote an empty train.jsonl, exit 0; export37)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-cli-"));
  writeFileSync(join(dir, "d.jsonl"), '{"instruction": "q", "context": "", "response": "a", "category": null}\n'.repeat(20));
  writeFileSync(join(dir, "r.align"), `recipe r { seed = 1 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  layers = 1  d_model = 32  heads = 2  context = 64  hf = "gpt2" }
source d = jsonl("d.jsonl") as demonstrations { shape = "dolly"  categories = ["closed_qa"] }
stage sft = sft { init = tiny  data = d  steps = 2  max_length = 64 }
`);
  for (const to of ["trl", "axolotl"]) {
    const out = join(dir, `out-${to}`);
    const r = await capture([join(dir, "r.align")], { to, out, nodes: "1", gpusPerNode: "8" });
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /error AL4020: a stage's data has no training examples: sft: `data` is d\//);
    assert.ok(!existsSync(out), "nothing written");
  }
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
stage sft = sft { init = tiny  data = t  steps = 2  max_length = 64 }
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

// more GPUs than a step has sequences: the note said the target's steps "keep alignc's 32 sequences"
// where its one step of 1,000,000 trains 1,000,000 (huntA39 F5)
test("an export over more GPUs than a step's sequences says what the target's steps train, not that they keep alignc's", async () => {
  const out = join(mkdtempSync(join(tmpdir(), "alignc-cli-")), "out");
  const r = await capture([HF], { to: "trl", out, nodes: "1", gpusPerNode: "1000000", dropPtx: true, until: "sft" });
  assert.equal(r.code, 0, r.err);
  const notes = readFileSync(join(out, "EXPORT.md"), "utf8");
  assert.match(notes, /cannot be split over 1000000 GPUs; the target's global batch is 1000000: \d+ steps? \(alignc: \d+\) train \d+ sequences \(alignc: \d+; whole steps of the target's global batch\)/);
  assert.doesNotMatch(notes, /over 1000000 GPUs[^\n]*keep alignc's/);
});

// huntG40 L1: the file table was sorted by localeCompare, which follows LANG / LC_ALL: in Estonian z sorts
// before t, so one recipe's EXPORT.md and .alignc-export.json came out in another order on another machine
test("an export lists its files in one order whatever the locale: stages `tune` and `zap` under LC_ALL=et_EE.UTF-8 as under C", async () => {
  const base = mkdtempSync(join(tmpdir(), "alignc-cli-"));
  const recipe = join(base, "loc.align");
  const data = join(ROOT, "recipes", "data");
  writeFileSync(recipe, `recipe loc { seed = 5 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  layers = 1  d_model = 32  heads = 2  context = 64  hf = "gpt2" }
source demos = jsonl("${data}/demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}"  holdout = 0.1  limit = 30 }
source prefs = jsonl("${data}/rankings.jsonl") as rankings { k = 4..9  holdout = 0.2  limit = 20 }
format chat = chat_template("${join(ROOT, "templates", "chat", "plain.hbs")}")
stage tune = sft { init = tiny  data = demos  format = chat  steps = 6  batch_size = 4  max_length = 64 }
stage zap = reward_model { init = tune  data = prefs  format = chat  steps = 4  batch_size = 2  max_length = 64 }
`);
  const tables: string[] = [];
  for (const LC_ALL of ["C", "et_EE.UTF-8"]) {
    const out = join(base, `out-${LC_ALL}`);
    const r = await capture([recipe], { to: "trl", out }, { LC_ALL, LANG: LC_ALL });
    assert.equal(r.code, 0, r.err);
    const md = readFileSync(join(out, "EXPORT.md"), "utf8");
    tables.push(md.split("\n").filter((l) => l.startsWith("| `")).join("\n"));
    assert.ok(md.indexOf("`configs/tune.yaml`") < md.indexOf("`configs/zap.yaml`"), `${LC_ALL}: tune before zap`);
    const listed = Object.keys((JSON.parse(readFileSync(join(out, ".alignc-export.json"), "utf8")) as { files: Record<string, string> }).files);
    assert.deepEqual(listed, [...listed].sort(), `${LC_ALL}: the manifest in code-unit order`);
  }
  assert.equal(tables[0], tables[1]);
});
