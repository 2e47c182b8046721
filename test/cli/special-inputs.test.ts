// Commands that take a saved plan or a runs folder: a FIFO or a device named as a plan.json is
// refused at once (it used to be read forever, deaf even to Ctrl-C), and a file named where a runs
// folder is expected is a usage error, not exit 70.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-special-inputs-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function alignc(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), ...args], { cwd: tmp, encoding: "utf8", timeout: 30_000, killSignal: "SIGKILL", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, signal: r.signal, err: r.stderr };
}

test("a FIFO or /dev/zero named as a plan.json is refused by diff and run", () => {
  spawnSync("mkfifo", [join(tmp, "p.json")]);
  writeFileSync(join(tmp, "r.align"), "recipe r { seed = 1 }\n");
  for (const args of [["diff", "p.json", "r.align"], ["diff", "r.align", "p.json"], ["run", "p.json"]]) {
    const r = alignc(...args);
    assert.equal(r.signal, null, `${args.join(" ")}: did not finish`);
    assert.ok(r.code === 1 || r.code === 2, `${args.join(" ")}: exit ${r.code}: ${r.err}`);
    assert.match(r.err, /p\.json is a FIFO/);
  }
});

// The same special file was exit 2 for check and fmt and exit 1 (AL2016) for plan, run and data
// (audit 32): a usage error everywhere now, with one message, as a missing file is
test("a FIFO or a device named as the recipe is a usage error, exit 2, in every command that reads one", () => {
  spawnSync("mkfifo", [join(tmp, "f.align")]);
  for (const cmd of ["check", "fmt", "plan", "run", "data", "diff", "export"]) {
    for (const [file, kind] of [["f.align", /f\.align is a FIFO \(named pipe\), not a regular file/], ["/dev/zero", /\/dev\/zero is a character device, not a regular file/]] as const) {
      const args = cmd === "diff" ? [cmd, file, file] : cmd === "export" ? [cmd, file, "--to", "trl", "--out", "x"] : [cmd, file];
      const r = alignc(...args);
      assert.equal(r.signal, null, `${args.join(" ")}: did not finish`);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, kind, args.join(" "));
    }
  }
});

test("a folder or a saved plan named as the recipe is a usage error, exit 2, said as what it is, in every command that reads one", () => {
  mkdirSync(join(tmp, "folder.align"), { recursive: true });
  writeFileSync(join(tmp, "saved.json"), "{}"); // p.json is the first test's FIFO
  for (const cmd of ["check", "fmt", "plan", "run", "data", "export"]) {
    const args = (file: string) => (cmd === "export" ? [cmd, file, "--to", "trl", "--out", join(tmp, "x")] : [cmd, file]);
    const dir = alignc(...args(join(tmp, "folder.align")));
    assert.equal(dir.code, 2, `${cmd}: ${dir.err}`);
    assert.match(dir.err, /folder\.align is a folder, not a recipe file/);
    if (cmd === "run") continue; // run takes a saved plan
    const json = alignc(...args(join(tmp, "saved.json")));
    assert.equal(json.code, 2, `${cmd}: ${json.err}`);
    assert.match(json.err, /saved\.json is JSON \(a saved plan\?\), not a recipe: `alignc run .*saved\.json` runs a saved plan/);
  }
});

test("alignc runs FILE, or a folder that is not there, is a usage error", () => {
  writeFileSync(join(tmp, "notes.txt"), "mine\n");
  for (const f of ["notes.txt", "/dev/zero"]) {
    const r = alignc("runs", f);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /is not a folder/);
  }
  const typo = alignc("runs", join(tmp, "rusn"));
  assert.equal(typo.code, 2);
  assert.match(typo.err, /rusn: no such folder/);
});

test("a recipe or input named by a link loop or a dangling link says so (it said `no such file` while ls shows the name)", () => {
  symlinkSync("loop.align", join(tmp, "loop.align"));
  symlinkSync("gone.align", join(tmp, "dangling.align"));
  for (const cmd of [["check"], ["plan"], ["data"], ["export", "--to", "trl", "--out", "o"], ["label", "--source", "x"]]) {
    const r = alignc(...cmd, "loop.align");
    assert.equal(r.code, 2, `${cmd[0]}: ${r.err}`);
    assert.match(r.err, /loop\.align: a symbolic link that leads back to itself/, cmd[0]);
  }
  const d = alignc("diff", "dangling.align", "loop.align");
  assert.equal(d.code, 2, d.err);
  assert.match(d.err, /dangling\.align: a symbolic link to gone\.align, which does not exist/);
  assert.match(alignc("label", "--stats", "loop.align").err, /a symbolic link that leads back to itself/);
});

// huntH42 L1: the three kinds of bad input were checked in turn and the first kind found stopped every
// file: `fmt good.align missing.align` formatted nothing, and each problem showed only once the one
// before it was fixed
test("every bad input is said in one run; check and fmt still do the good files, exit 2", () => {
  const dir = join(tmp, "many");
  mkdirSync(join(dir, "dd.align"), { recursive: true });
  spawnSync("mkfifo", [join(dir, "ff.align")]);
  writeFileSync(join(dir, "a.align"), "recipe a {seed=1}\n");
  writeFileSync(join(dir, "b.align"), "recipe b {seed=2}\n");
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "fmt", "a.align", "ff.align", "dd.align", "/dev/zero", "gone.align", "b.align"], { cwd: dir, encoding: "utf8", timeout: 30_000, killSignal: "SIGKILL" });
  assert.equal(r.status, 2, r.stderr);
  assert.deepEqual(r.stderr.trim().split("\n"), [
    "alignc fmt: ff.align is a FIFO (named pipe), not a regular file: alignc reads only regular files",
    "alignc fmt: dd.align is a folder, not a recipe file",
    "alignc fmt: /dev/zero is a character device, not a regular file: alignc reads only regular files",
    "alignc fmt: gone.align: no such file",
  ]);
  assert.match(r.stdout, /formatted a\.align\nformatted b\.align/);
  const check = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "check", "gone.align", "a.align"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
  assert.equal(check.status, 2);
  assert.match(check.stderr, /^alignc check: gone\.align: no such file\na\.align:1:8: error AL2039/, "a.align checked too (a header alone)");
  // a command of one recipe stops at it, as before
  assert.equal(alignc("plan", "many/gone.align").code, 2);
  // a file named with a trailing slash exists: said as what it is (huntH42 L3: "no such file")
  const slash = alignc("plan", "many/a.align/");
  assert.deepEqual([slash.code, slash.err.trim()], [2, "alignc plan: many/a.align/: a trailing / names a folder, and many/a.align is a file: name it without the /"]);
});
