// `alignc data --export` never destroys a file it did not write (issue 15): not the recipe, not the
// data it reads, not a folder, not a stranger's file without --force; and it leaves no temp file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const fromSource = import.meta.url.endsWith(".ts");
const modulePath = fileURLToPath(new URL(`../../src/cli/commands/data.${fromSource ? "ts" : "js"}`, import.meta.url));
function capture(args: string[], opts: Record<string, unknown>): { code: number; out: string; err: string } {
  const script = `const m = await import(${JSON.stringify(modulePath)}); process.exitCode = await m.run(${JSON.stringify(args)}, ${JSON.stringify(opts)});`;
  const r = spawnSync(process.execPath, [...(fromSource ? ["--import", "tsx"] : []), "--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const ROWS = '{"q":"one","a":"1"}\n{"q":"two","a":"2"}\n';
function fixture(): { dir: string; recipe: string; data: string } {
  const dir = mkdtempSync(join(tmpdir(), "alignc-data-export-"));
  const data = join(dir, "demos.jsonl");
  writeFileSync(data, ROWS);
  const recipe = join(dir, "r.align");
  writeFileSync(recipe, `recipe r { seed = 1 }\ntokenizer chars = byte_level {}\nmodel tiny = gpt { tokenizer = chars }\nsource demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{q}}"  response = "{{a}}" }\nstage sft = sft { init = tiny  data = demos  steps = 1 }\n`);
  return { dir, recipe, data };
}

test("--export refuses the recipe and its data, even with --force", () => {
  const { recipe, data } = fixture();
  const before = readFileSync(recipe, "utf8");
  for (const force of [false, true]) {
    const r1 = capture([recipe], { source: "demos", preview: "0", export: recipe, force });
    assert.equal(r1.code, 2, r1.err);
    assert.match(r1.err, /a file this recipe reads/);
    const r2 = capture([recipe], { source: "demos", preview: "0", export: data, force });
    assert.equal(r2.code, 2, r2.err);
  }
  assert.equal(readFileSync(recipe, "utf8"), before);
  assert.equal(readFileSync(data, "utf8"), ROWS);
});

test("--export onto a folder is a clear usage error and leaves no temp file", () => {
  const { dir, recipe } = fixture();
  mkdirSync(join(dir, "out"));
  const r = capture([recipe], { source: "demos", preview: "0", export: join(dir, "out") });
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /is a folder/);
  assert.doesNotMatch(r.err, /EISDIR|at /);
  assert.deepEqual(readdirSync(dir).sort(), ["demos.jsonl", "out", "r.align"]);
  assert.deepEqual(readdirSync(join(dir, "out")), []);
});

test("--export replaces its own earlier file, refuses a stranger's unless --force", () => {
  const { dir, recipe } = fixture();
  const out = join(dir, "ex.jsonl");
  assert.equal(capture([recipe], { source: "demos", preview: "0", export: out }).code, 0);
  const first = readFileSync(out, "utf8");
  assert.equal(first.trim().split("\n").length, 2);
  assert.equal(capture([recipe], { source: "demos", preview: "0", export: out }).code, 0, "its own, unchanged: replaced");
  writeFileSync(out, "my edits\n");
  const refused = capture([recipe], { source: "demos", preview: "0", export: out });
  assert.equal(refused.code, 2);
  assert.match(refused.err, /--force/);
  assert.equal(readFileSync(out, "utf8"), "my edits\n");
  assert.equal(capture([recipe], { source: "demos", preview: "0", export: out, force: true }).code, 0);
  assert.equal(readFileSync(out, "utf8"), first);
  assert.ok(readdirSync(dir).every((f) => !f.includes(".tmp-")), "no temp files");
});

test("--export never overwrites a user's file that has the sidecar's name (.FILE.alignc), even with --force", () => {
  const { dir, recipe } = fixture();
  const out = join(dir, "out.jsonl");
  const side = join(dir, ".out.jsonl.alignc");
  writeFileSync(side, "my notes\n");
  for (const force of [false, true]) {
    const r = capture([recipe], { source: "demos", preview: "0", export: out, force });
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /is not an alignc data --export record/);
  }
  assert.equal(readFileSync(side, "utf8"), "my notes\n");
  assert.deepEqual(readdirSync(dir).sort(), [".out.jsonl.alignc", "demos.jsonl", "r.align"]);
});

test("a dangling symlink or a link loop at FILE is the user's: refused without --force (it was renamed over), replaced with it", () => {
  const { dir, recipe } = fixture();
  symlinkSync("nowhere", join(dir, "dangling.jsonl"));
  symlinkSync("loop.jsonl", join(dir, "loop.jsonl"));
  for (const name of ["dangling.jsonl", "loop.jsonl"]) {
    const out = join(dir, name);
    const link = readlinkSync(out);
    const r = capture([recipe], { source: "demos", preview: "0", export: out });
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /symbolic link to nothing \(or a link loop\).*--force/);
    assert.equal(readlinkSync(out), link, "the link is left as it was");
    const f = capture([recipe], { source: "demos", preview: "0", export: out, force: true });
    assert.equal(f.code, 0, f.err);
    assert.ok(lstatSync(out).isFile());
  }
});

test("a symlink at FILE to a copy of an earlier export is the user's too: refused without --force (it hashed as alignc's and was replaced)", () => {
  const { dir, recipe } = fixture();
  const out = join(dir, "own.jsonl");
  assert.equal(capture([recipe], { source: "demos", preview: "0", export: out }).code, 0);
  mkdirSync(join(dir, "outside"));
  writeFileSync(join(dir, "outside", "copy.jsonl"), readFileSync(out));
  rmSync(out);
  symlinkSync(join(dir, "outside", "copy.jsonl"), out);
  const r = capture([recipe], { source: "demos", preview: "0", export: out });
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /is a symbolic link, not written by alignc data --export; pass --force/);
  assert.ok(lstatSync(out).isSymbolicLink(), "the link is left as it was");
  const f = capture([recipe], { source: "demos", preview: "0", export: out, force: true });
  assert.equal(f.code, 0, f.err);
  assert.ok(lstatSync(out).isFile());
  assert.equal(readFileSync(join(dir, "outside", "copy.jsonl"), "utf8").trim().split("\n").length, 2, "the target is left as it was");
});

test("--export to a stream or device is refused even with --force: /dev/stdout (renamed over as root, the machine's link replaced), a link to /proc/self/fd/1, `-`, a name ending in a slash (hunt38)", () => {
  const { dir, recipe } = fixture();
  symlinkSync("/proc/self/fd/1", join(dir, "out.jsonl"));
  const cases: [string, RegExp][] = [
    ["/dev/stdout", /\/dev\/stdout is a stream or descriptor of this process/],
    ["//dev/./stdout", /\/dev\/stdout is a stream or descriptor of this process/],
    [join(dir, "out.jsonl"), /out\.jsonl is a link to \/proc\/self\/fd\/1, a stream or descriptor of this process/],
    ["/proc/self/environ", /is in \/proc\/\d+, a system folder/],
    ["-", /- is no file name: alignc data --export writes a file, not standard output/],
    [join(dir, "x.jsonl") + "/", /x\.jsonl\/ ends in a slash, a folder's name/],
  ];
  for (const [target, said] of cases) {
    const r = capture([recipe], { source: "demos", preview: "0", export: target, force: true });
    assert.equal(r.code, 2, `${target}: ${r.err}`);
    assert.match(r.err, said);
    assert.match(r.err, /nothing written/);
  }
  assert.equal(readlinkSync(join(dir, "out.jsonl")), "/proc/self/fd/1", "the link is left as it is");
  assert.deepEqual(readdirSync(dir).sort(), ["demos.jsonl", "out.jsonl", "r.align"]);
  assert.equal(lstatSync("/dev/stdout").isSymbolicLink(), true);
  // /dev/shm is a folder of ordinary files: written there (review38 M6: all of /dev was refused)
  if (existsSync("/dev/shm")) {
    const shm = mkdtempSync("/dev/shm/alignc-export-");
    try {
      const r = capture([recipe], { source: "demos", preview: "0", export: join(shm, "rows.jsonl") });
      assert.equal(r.code, 0, r.err);
      assert.equal(readFileSync(join(shm, "rows.jsonl"), "utf8").trim().split("\n").length, 2);
    } finally {
      rmSync(shm, { recursive: true, force: true });
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

// huntH42 F2: a new file named through a link to a folder the recipe reads (`lnk/new.hbs`, `lnk` → its
// template folder) was not seen inside it (the path does not exist yet, so realpath failed and the
// link stayed in the path): the rows were written into the template folder as a template, and the
// recipe no longer checked (AL3011). Refused, as the folder's own path is.
test("--export through a link to a folder the recipe reads is refused, even with --force", () => {
  const { dir, recipe } = fixture();
  mkdirSync(join(dir, "tpl"));
  writeFileSync(join(dir, "tpl", "01.hbs"), "{{q}}\n|||\n{{a}}\n");
  writeFileSync(recipe, `recipe r { seed = 1 }\ntokenizer chars = byte_level {}\nmodel tiny = gpt { tokenizer = chars }\ntask t = flan { data = jsonl("demos.jsonl")  templates = dir("tpl")  shots = 0..0 }\nstage sft = sft { init = tiny  data = t  steps = 1 }\n`);
  symlinkSync("tpl", join(dir, "lnk"));
  for (const force of [false, true]) {
    for (const target of [join(dir, "lnk", "02-new.hbs"), join(dir, "lnk", "sub", "x.jsonl")]) {
      const r = capture([recipe], { source: "t", preview: "0", export: target, force });
      assert.equal(r.code, 2, `${target}: ${r.err}`);
      assert.match(r.err, /inside .*tpl, a folder this recipe reads/);
    }
  }
  assert.deepEqual(readdirSync(join(dir, "tpl")), ["01.hbs"]);
  rmSync(dir, { recursive: true, force: true });
});
