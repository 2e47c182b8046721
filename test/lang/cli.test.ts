// `alignc check` and `alignc fmt` as processes (bin/alignc.js runs the compiled dist/).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "./helpers.js";
import { loopFixture } from "../label/fixture.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-cli-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function alignc(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  return alignIn(root, ...args);
}

function alignIn(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("alignc check recipes/*.align exits 0, and the recipes are formatted", () => {
  const recipes = readdirSync(join(root, "recipes")).filter((f) => f.endsWith(".align")).map((f) => join("recipes", f));
  assert.ok(recipes.includes(join("recipes", "quickstart.align")) && recipes.includes(join("recipes", "lima.align")));
  // the static check; contamination (AL3070 warnings) is the data's property, checked by
  // `alignc data --leaks` (test/data/leaks.test.ts)
  const r = alignc("check", "--no-leaks", ...recipes);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${recipes.length} files checked: no problems`));
  const f = alignc("fmt", "--check", ...recipes);
  assert.equal(f.code, 0, f.stdout + f.stderr);
});

test("alignc check reports every syntax error with file:line:col and a caret, exit 1", () => {
  const file = join(tmp, "bad.align");
  writeFileSync(file, "model a = gpt { layers = }\nstage b = sft { lr 3 }\neval c = x { a = [1, 2 }\n");
  const r = alignc("check", file);
  assert.equal(r.code, 1);
  for (const at of ["1:26: error AL1011", "2:20: error AL1011", "3:24: error AL1010"]) assert.ok(r.stderr.includes(`${file}:${at}`), r.stderr);
  assert.ok(r.stderr.includes("1 | model a = gpt { layers = }\n  |                          ^"), r.stderr);
  assert.doesNotMatch(r.stderr, /\u001b\[/, "no colour when stderr is not a terminal");
});

test("an empty or comment-only recipe is AL2039 at 1:1 for check, plan and run, exit 1, and run creates no run folder", () => {
  for (const [name, text] of [["empty.align", ""], ["comments.align", "// to do\n"]] as const) {
    const file = join(tmp, name);
    writeFileSync(file, text);
    for (const cmd of ["check", "plan", "run"]) {
      const r = alignIn(tmp, cmd, file); // in tmp: `run` would create tmp/runs/
      assert.equal(r.code, 1, `${cmd} ${name}: ${r.stdout}${r.stderr}`);
      // run in tmp, so the file is shown relative to it (src/lang/render.ts: displayPath)
      assert.ok(r.stderr.startsWith(`${name}:1:1: error AL2039: the recipe declares nothing`), `${cmd}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout, /no problems/);
    }
  }
  assert.throws(() => readdirSync(join(tmp, "runs")), /ENOENT/);
});

test("alignc check reports data that cannot be read (it used to say `no problems`): a broken JSONL row, a folder like dir(\"/\")", () => {
  const dir = join(tmp, "data-errors");
  mkdirSync(dir);
  writeFileSync(join(dir, "demos.jsonl"), '{"q": "2+2?", "a": "4"}\n{"q": "broken\n');
  const recipe = (templates: string) => `recipe d { seed = 1 }
tokenizer bytes = byte_level {}
model m = gpt { tokenizer = bytes  layers = 1  d_model = 32  heads = 2  context = 64 }
source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{q}}"  response = "{{a}}" }
task qa = flan { data = jsonl("demos.jsonl")  templates = dir("${templates}") }
stage sft = sft { init = m  data = demos  steps = 2 }
stage sft_qa = sft { init = m  data = qa  steps = 2 }
eval held = lm_loss { model = sft  data = demos }
`;
  const broken = join(dir, "broken.align");
  writeFileSync(broken, recipe(join(root, "templates", "flan", "addition")));
  let r = alignc("check", broken);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /no problems/);
  // the data layer's located error, once although the leak and the truncation checks both met it
  const at = `${join(dir, "demos.jsonl")}:2:14: error AL3002`; // column 14: the string left open
  assert.ok(r.stderr.includes(at), r.stderr);
  assert.equal(r.stderr.split(at).length, 2, r.stderr);
  assert.ok(alignc("check", "--no-leaks", broken).code === 0, "--no-leaks reads no data");

  writeFileSync(join(dir, "demos.jsonl"), '{"q": "2+2?", "a": "4"}\n');
  const root_ = join(dir, "root.align");
  writeFileSync(root_, recipe("/"));
  r = alignc("check", root_);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /no problems/);
  // located at the recipe's `templates = dir("/")`, the folder named in the message
  assert.match(r.stderr, /^.*root\.align:5:59: error AL3001: \/: .*(no \.hbs templates|cannot be read|more than 10,000)/m);

  // …but the labels file of a labeling loop may not exist before the first label (README, labeling)
  const loop = loopFixture();
  try {
    r = alignc("check", loop.recipe);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no problems/);
  } finally {
    loop.cleanup();
  }
});

test("alignc check --json prints the diagnostics as JSON on stdout", () => {
  const file = join(tmp, "bad2.align");
  writeFileSync(file, "model m gpt {}\n");
  const r = alignc("check", "--json", file);
  assert.equal(r.code, 1);
  const ds = JSON.parse(r.stdout) as { code: string; span: { line: number; col: number } }[];
  assert.deepEqual(ds.map((d) => [d.code, d.span.line, d.span.col]), [["AL1010", 1, 9]]);
});

test("a file whose read fails (EIO: /proc/self/mem, which stat calls a regular file) is a located error, exit 1 (fmt: 2), not an internal error (exit 70)", { skip: process.platform !== "linux" && "/proc/self/mem is Linux's" }, () => {
  // fmt refuses a file it cannot read as it refuses a folder or a FIFO: exit 2
  for (const [code, args] of [[1, ["check", "/proc/self/mem"]], [2, ["fmt", "--check", "/proc/self/mem"]], [1, ["plan", "/proc/self/mem"]]] as const) {
    const r = alignc(...args);
    assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /\/proc\/self\/mem.*cannot be read \(EIO/, args.join(" "));
    assert.doesNotMatch(r.stderr, /internal error/);
  }
});

test("usage errors exit 2: a missing file, no file at all", () => {
  const r = alignc("check", join(tmp, "nope.align"));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nope\.align: no such file/);
  assert.equal(alignc("check").code, 2);
  assert.equal(alignc("fmt", join(tmp, "nope.align")).code, 2);
});

test("alignc fmt --check exits 1 and writes nothing; alignc fmt rewrites; then --check exits 0", () => {
  const file = join(tmp, "ugly.align");
  const ugly = "model   m=gpt{layers=2}\n";
  writeFileSync(file, ugly);
  const c1 = alignc("fmt", "--check", file);
  assert.equal(c1.code, 1);
  assert.match(c1.stdout, /would reformat/);
  assert.equal(readFileSync(file, "utf8"), ugly);
  assert.equal(alignc("fmt", file).code, 0);
  assert.equal(readFileSync(file, "utf8"), "model m = gpt { layers = 2 }\n");
  assert.equal(alignc("fmt", "--check", file).code, 0);
});

test("alignc fmt leaves a file with syntax errors alone and exits 1", () => {
  const file = join(tmp, "broken.align");
  writeFileSync(file, "model m = gpt { layers = }\n");
  const r = alignc("fmt", file);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /AL1011/);
  assert.equal(readFileSync(file, "utf8"), "model m = gpt { layers = }\n");
});
