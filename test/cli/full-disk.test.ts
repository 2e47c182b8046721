// Writing where the disk is full, read-only, or another filesystem: `alignc export` and `alignc data
// --export` report it (exit 1 / 2, never 70) and leave nothing half-written. Needs a small tmpfs of
// its own, so it runs where mounting is allowed (root in a container) and is skipped elsewhere.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-full-disk-"));
const small = join(tmp, "small");
mkdirSync(small);
const mounted = process.getuid?.() === 0 && spawnSync("mount", ["-t", "tmpfs", "-o", "size=128k", "tmpfs", small]).status === 0;
after(() => {
  if (mounted) spawnSync("umount", [small]);
  rmSync(tmp, { recursive: true, force: true });
});
const skip = mounted ? false : "needs a tmpfs mount (root)";

function alignc(...args: string[]) {
  return alignIn(tmp, ...args);
}

function alignIn(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function setup(): void {
  copyFileSync(join(root, "recipes", "data", "demos.jsonl"), join(tmp, "demos.jsonl")); // 147 KB: does not fit in the 128 KiB mount
  copyFileSync(join(root, "templates", "chat", "plain.hbs"), join(tmp, "plain.hbs"));
  writeFileSync(
    join(tmp, "d.align"),
    `recipe d { seed = 1 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars  layers = 1  d_model = 32  heads = 2  context = 64  hf = "gpt2" }
source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
format chat = chat_template("plain.hbs")
stage sft = sft { init = tiny  data = demos  format = chat  steps = 2  batch_size = 2  max_length = 64 }
`,
  );
}

test("export into the root of another filesystem (a mount point) works: no cross-device rename", { skip }, () => {
  setup();
  rmSync(join(tmp, "demos.jsonl"));
  writeFileSync(join(tmp, "demos.jsonl"), '{"instruction":"a","response":"b"}\n{"instruction":"c","response":"d"}\n');
  const r = alignc("export", "d.align", "--to", "trl", "--out", "small");
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(join(small, "EXPORT.md")));
  assert.deepEqual(readdirSync(tmp).filter((n) => n.includes(".tmp-")), [], "no staging folder left beside it");
  assert.deepEqual(readdirSync(small).filter((n) => n.includes(".tmp-")), [], "nor inside it");
  // its lock is inside it (the parent of a mount point may not be writable), and released
  assert.ok(!existsSync(join(small, ".alignc-export.lock")), "no lock left inside it");
  for (const n of readdirSync(small)) rmSync(join(small, n), { recursive: true, force: true }); // the mount point itself stays
});

test("export and data --export onto a full disk: exit 1 / 2 with the reason, nothing half-written", { skip }, () => {
  setup();
  const e = alignc("export", "d.align", "--to", "trl", "--out", "small/ex");
  assert.equal(e.code, 1, e.err);
  assert.match(e.err, /ENOSPC|no space/i);
  assert.ok(!e.err.includes("internal error"), e.err);
  assert.ok(!existsSync(join(small, "ex")), "the new folder was not left behind");
  assert.deepEqual(readdirSync(small).filter((n) => n.includes(".tmp-")), [], "no staging folder left");
  const d = alignc("data", "d.align", "--preview", "0", "--export", "small/x.jsonl");
  assert.equal(d.code, 2, d.err);
  assert.match(d.err, /cannot write .*x\.jsonl.*(ENOSPC|no space)/i);
  assert.ok(!existsSync(join(small, "x.jsonl")));
  assert.deepEqual(readdirSync(small).filter((n) => n.includes(".tmp-")), [], "no temp file left");
});

test("fmt, test --update, run, export and data --export onto a read-only filesystem: exit 1 / 2, not 70", { skip }, () => {
  setup();
  writeFileSync(join(small, "u.align"), "model   m=gpt{layers=2}\n");
  writeFileSync(join(small, "corpus.txt"), "a b c\n".repeat(20));
  writeFileSync(join(small, "t.align"), 'recipe t { seed = 1 }\ntokenizer c = byte_level {}\nmodel m = gpt { tokenizer = c  layers = 1  d_model = 32  heads = 2  context = 64 }\nstage pre = pretrain { init = m  data = text("corpus.txt")  steps = 2  batch_size = 2 }\n');
  assert.equal(spawnSync("mount", ["-o", "remount,ro", small]).status, 0);
  try {
    const f = alignc("fmt", "small/u.align");
    assert.equal(f.code, 2, f.err);
    assert.match(f.err, /cannot write small\/u\.align: EROFS.*left unchanged/);
    const t = alignc("test", "small", "--update", "--no-run");
    assert.equal(t.code, 1, t.err);
    assert.match(t.out, /cannot write .*t\.plan\.json: EROFS/);
    assert.match(t.out, /FAIL small\/t\.align: golden plan cannot be written/, "it compiled: only its golden could not be written");
    const run = alignIn(small, "run", "t.align"); // its runs/ folder would be made here
    assert.equal(run.code, 1, run.err);
    assert.match(run.err, /alignc run: cannot write .*runs/); // mkdir -p on a read-only tmpfs says ENOENT, not EROFS
    const e = alignc("export", "d.align", "--to", "trl", "--out", "small/ex2");
    assert.equal(e.code, 1, e.err);
    assert.match(e.err, /cannot write/);
    const d = alignc("data", "d.align", "--preview", "0", "--export", "small/y.jsonl");
    assert.equal(d.code, 2, d.err);
    assert.match(d.err, /cannot write/);
  } finally {
    spawnSync("mount", ["-o", "remount,rw", small]);
  }
  assert.equal(readFileSync(join(tmp, "d.align"), "utf8").includes("recipe d"), true);
});

test("run onto a disk that fills mid-write: exit 1 naming where it was writing (ENOSPC through an open file names no path)", { skip }, () => {
  spawnSync("mount", ["-o", "remount,rw", small]);
  for (const n of readdirSync(small)) rmSync(join(small, n), { recursive: true, force: true });
  writeFileSync(join(small, "corpus.txt"), "a b c\n".repeat(20));
  writeFileSync(join(small, "t.align"), 'recipe t { seed = 1 }\ntokenizer c = byte_level {}\nmodel m = gpt { tokenizer = c  layers = 1  d_model = 32  heads = 2  context = 64 }\nstage pre = pretrain { init = m  data = text("corpus.txt")  steps = 2  batch_size = 2 }\n');
  // room for the run folder, not for the weights (~90 KB)
  const fs = statfsSync(small);
  writeFileSync(join(small, "filler"), Buffer.alloc(Math.max(0, fs.bavail * fs.bsize - 40 * 1024)));
  const r = alignIn(small, "run", "t.align");
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /alignc run: cannot write (the run folder \(under .*small\/runs\) or the stage cache \(.*small\/runs\/\.cache\)|\S*small\S*): (ENOSPC|.*no space)/i);
  for (const n of readdirSync(small)) rmSync(join(small, n), { recursive: true, force: true });
});
