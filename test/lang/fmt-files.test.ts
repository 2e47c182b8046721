// `alignc fmt` rewrites the user's own recipe, so it must rewrite only its text: a symlinked recipe
// stays a symlink (its target is formatted), the file keeps its permissions (a private 0600 recipe
// does not become world-readable), and a read-only recipe is refused, not replaced behind its back.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, closeSync, linkSync, openSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "./helpers.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-fmt-files-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const UGLY = "model   m=gpt{layers=2}\n";
const PRETTY = "model m = gpt { layers = 2 }\n";

function fmt(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "fmt", ...args], { cwd: tmp, encoding: "utf8", env: { ...process.env, NO_COLOR: "" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("fmt through a symlink formats the target and keeps the link", () => {
  const target = join(tmp, "target.align");
  const link = join(tmp, "link.align");
  writeFileSync(target, UGLY);
  symlinkSync("target.align", link);
  const r = fmt(link);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(lstatSync(link).isSymbolicLink(), "the link is still a link");
  assert.equal(readlinkSync(link), "target.align");
  assert.equal(readFileSync(target, "utf8"), PRETTY);
});

test("fmt keeps the file's permissions", () => {
  const file = join(tmp, "private.align");
  writeFileSync(file, UGLY);
  chmodSync(file, 0o600);
  assert.equal(fmt(file).code, 0);
  assert.equal(readFileSync(file, "utf8"), PRETTY);
  assert.equal(statSync(file).mode & 0o777, 0o600);
});

test("fmt keeps the file's owner and group: another user's recipe is rewritten in place, not replaced by ours", (t) => {
  const file = join(tmp, "theirs.align");
  writeFileSync(file, UGLY);
  try {
    chownSync(file, 1234, 1234);
  } catch {
    t.skip("chown needs root here: a file of another owner cannot be made");
    return;
  }
  const inode = statSync(file).ino;
  const r = fmt(file);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(file, "utf8"), PRETTY);
  const st = statSync(file);
  assert.deepEqual([st.uid, st.gid], [1234, 1234], "a rename would have given it root:root");
  assert.equal(st.ino, inode, "the same file, written in place");
  assert.ok(!readdirSync(tmp).some((f) => f.includes("alignc-backup")), "no backup left");
});

test("fmt refuses a read-only recipe and leaves it as it was", () => {
  const file = join(tmp, "readonly.align");
  writeFileSync(file, UGLY);
  chmodSync(file, 0o444);
  const r = fmt(file);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /readonly\.align is read-only/);
  assert.equal(readFileSync(file, "utf8"), UGLY);
  assert.equal(statSync(file).mode & 0o777, 0o444);
  assert.ok(!readdirSync(tmp).some((n) => n.includes(".tmp-")), "no temp file left");
});

test("fmt on a file with other hard links rewrites it in place: every name sees the new text; no backup is left", () => {
  const file = join(tmp, "linked.align");
  const other = join(tmp, "other-name.align");
  writeFileSync(file, UGLY);
  linkSync(file, other);
  const r = fmt(file);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(file, "utf8"), PRETTY);
  assert.equal(readFileSync(other, "utf8"), PRETTY, "the other name is the same file, formatted");
  assert.equal(statSync(file).ino, statSync(other).ino);
  assert.ok(!readdirSync(tmp).some((f) => f.includes("alignc-backup")), "the backup is removed once the new text is written");
});

test("fmt refuses a file whose in-place backup is still there (an earlier fmt was killed mid-write)", () => {
  const file = join(tmp, "interrupted.align");
  writeFileSync(file, UGLY);
  writeFileSync(join(tmp, ".interrupted.align.alignc-backup"), UGLY);
  const r = fmt(file);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /alignc-backup exists/);
  assert.equal(readFileSync(file, "utf8"), UGLY, "left as it was");
});

test("fmt by a user who may not write the file (another's, mode 644, in a shared folder) leaves it unchanged and no backup behind", (t) => {
  if (process.getuid?.() !== 0) {
    t.skip("needs root here: to run fmt as another user");
    return;
  }
  const asNobody = { uid: 65534, gid: 65534 };
  if (spawnSync(process.execPath, ["-e", `require("fs").accessSync(${JSON.stringify(join(root, "dist"))}, 5)`], asNobody).status !== 0) {
    t.skip("the checkout is private (0700): another user cannot run alignc from it");
    return;
  }
  const shared = mkdtempSync(join(tmp, "shared-"));
  chmodSync(shared, 0o777);
  // the test's own temp folders above it are private (0700): let the other user pass through them
  for (let d = dirname(shared); ; d = dirname(d)) {
    chmodSync(d, (statSync(d).mode & 0o7777) | 0o711);
    if (d === tmpdir() || d === dirname(d)) break;
  }
  if (spawnSync(process.execPath, ["-e", `require("fs").accessSync(${JSON.stringify(shared)}, 7)`], asNobody).status !== 0) {
    t.skip("the temp folder is under a private one (TMPDIR in a 0700 home): another user cannot reach it");
    return;
  }
  const file = join(shared, "theirs.align");
  writeFileSync(file, UGLY);
  chmodSync(file, 0o644);
  const run = () => spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "fmt", file], { cwd: shared, encoding: "utf8", ...asNobody });
  const r = run();
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /cannot write .*theirs\.align: EACCES.*left unchanged/);
  assert.doesNotMatch(r.stderr, /half-written/);
  assert.equal(readFileSync(file, "utf8"), UGLY);
  assert.deepEqual(readdirSync(shared), ["theirs.align"], "no backup (it refused the owner's next fmt)");
  assert.equal(fmt(file).code, 0, "the owner's fmt still works");
  assert.equal(readFileSync(file, "utf8"), PRETTY);
});

test("fmt refuses a stream's name: `fmt /dev/stdin < r.align` rewrote r.align in place (hunt38)", () => {
  const file = join(tmp, "stdin.align");
  writeFileSync(file, UGLY);
  const fd = openSync(file, "r"); // `< stdin.align`: standard input is the file itself
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "fmt", "/dev/stdin"], { cwd: tmp, encoding: "utf8", stdio: [fd, "pipe", "pipe"] });
  closeSync(fd);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /\/dev\/stdin names a stream; fmt rewrites recipe files in place/);
  // by any spelling, or through a link (a regex on the name missed these: review38 M2)
  symlinkSync("/dev/stdin", join(tmp, "in.align"));
  for (const name of ["/dev/fd/0", "/proc/self/fd/0", "//dev/./stdin", "/proc/thread-self/fd/0", "in.align"]) {
    const fd2 = openSync(file, "r");
    const x = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "fmt", name], { cwd: tmp, encoding: "utf8", stdio: [fd2, "pipe", "pipe"] });
    closeSync(fd2);
    assert.equal(x.status, 2, `${name}: ${x.stderr}`);
  }
  assert.equal(readFileSync(file, "utf8"), UGLY);
});

// huntH42 F4: the backup an in-place rewrite writes first holds the file's whole text, and was created
// 0644 whatever the file's mode: a private 0600 recipe with another hard link had a world-readable copy
// beside it while fmt ran, and for good after a kill -9 (the backup is kept then, by design).
test("the in-place backup of a private file is as private as the file", async () => {
  const { inPlaceBackup, writeInPlaceSync } = await import("../../src/common/in-place-write.js");
  const file = join(tmp, "secret.align");
  writeFileSync(file, UGLY);
  chmodSync(file, 0o600);
  let seen = -1;
  writeInPlaceSync(file, PRETTY, () => {
    seen = statSync(inPlaceBackup(file)).mode & 0o777;
  });
  assert.equal(seen, 0o600, "the backup had the file's permissions while it existed");
  assert.equal(readFileSync(file, "utf8"), PRETTY);
  assert.equal(statSync(file).mode & 0o777, 0o600);
});
