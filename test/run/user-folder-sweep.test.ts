// What alignc clears in a user's folder is only what it left there: a killed writer's temp *file*
// whose name carries this host's tag. A user's file or folder that merely looks like a temp (a bare
// pid, as older alignc names had) and anything at an export lock's path that is not alignc's lock are
// left exactly as they were (the lock is refused, never broken as stale).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { removeDeadTemps, writeFileAtomicSync } from "../../src/common/atomic-write.js";
import { writerTag } from "../../src/common/writer-tag.js";
import { exportLockPath, writeExportDirLocked } from "../../src/export/lock.js";
import { ExportWriteError } from "../../src/export/write.js";
import { acquireLock, ForeignLockError, LockTimeoutError } from "../../src/run/storage/lock.js";
import { tempDir } from "./helpers.js";

/** The pid of a process that has exited (the OS may reuse it later, but not within this test). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}
const host = writerTag().split("-")[0]!;
const hour = new Date(Date.now() - 3600_000);

test("a durable write beside a recipe clears a dead writer's temp file of this host, never a user's look-alike file or folder", () => {
  const { dir, cleanup } = tempDir();
  try {
    const pid = deadPid();
    const target = join(dir, "r.align");
    const bareFile = `.r.align.tmp-${pid}-deadbeef`; // a bare pid: older alignc's form, anyone's name
    const bareFolder = `.r.align.tmp-${pid}-0badcafe`;
    const ourFolder = `.r.align.tmp-${host}-${pid}-feedf00d`; // this host's tag, but a folder: atomic writes make files
    const ourTemp = `.r.align.tmp-${host}-${pid}-abcdef01`;
    writeFileSync(join(dir, bareFile), "my notes");
    mkdirSync(join(dir, bareFolder));
    writeFileSync(join(dir, bareFolder, "important.txt"), "x");
    mkdirSync(join(dir, ourFolder));
    writeFileSync(join(dir, ourFolder, "kept.txt"), "y");
    writeFileSync(join(dir, ourTemp), "half a recipe");
    writeFileAtomicSync(target, "recipe r { seed = 1 }\n");
    assert.equal(readFileSync(join(dir, bareFile), "utf8"), "my notes");
    assert.equal(readFileSync(join(dir, bareFolder, "important.txt"), "utf8"), "x");
    assert.equal(readFileSync(join(dir, ourFolder, "kept.txt"), "utf8"), "y");
    assert.ok(!existsSync(join(dir, ourTemp)), "the dead writer's temp file is cleared");
    // an export's staging folder beside its folder is alignc's (folders: true), with this host's tag only
    mkdirSync(join(dir, `.out.tmp-${host}-${pid}-0123abcd`));
    mkdirSync(join(dir, `.out.tmp-${pid}-0123abcd`));
    assert.deepEqual(removeDeadTemps(join(dir, "out"), { folders: true }), [`.out.tmp-${host}-${pid}-0123abcd`]);
  } finally {
    cleanup();
  }
});

test("a file, folder or FIFO at an export's lock path is refused and left as it was, however old; a look-alike lock temp is kept", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const out = join(dir, "o");
    const lock = exportLockPath(out);
    const files = [{ path: "EXPORT.md", content: "v1", what: "x" }];
    const cases: [string, () => void, () => unknown][] = [
      ["notes", () => writeFileSync(lock, "my notes\n"), () => readFileSync(lock, "utf8")],
      ["JSON", () => writeFileSync(lock, '{"pid": 1}'), () => readFileSync(lock, "utf8")],
      ["a folder", () => (mkdirSync(lock), writeFileSync(join(lock, "f"), "z")), () => readdirSync(lock)],
    ];
    if (process.platform !== "win32") cases.push(["a FIFO", () => execFileSync("mkfifo", [lock]), () => "fifo"]);
    for (const [what, make, read] of cases) {
      make();
      utimesSync(lock, hour, hour); // an abandoned lock's age: judged stale before
      const before = read();
      await assert.rejects(writeExportDirLocked(out, files), (e: Error) => e instanceof ExportWriteError && /not a lock alignc wrote/.test(e.message), what);
      assert.deepEqual(read(), before, `${what} unchanged`);
      assert.ok(!existsSync(join(out, "EXPORT.md")), `${what}: nothing exported`);
      assert.deepEqual(readdirSync(dir).filter((n) => n.includes(".stale-")), [], `${what}: nothing renamed aside`);
      execFileSync("rm", ["-rf", lock]);
    }
    const lookAlike = `${lock}.${deadPid()}-ab.tmp`;
    writeFileSync(lookAlike, "mine");
    await writeExportDirLocked(out, files);
    assert.equal(readFileSync(join(out, "EXPORT.md"), "utf8"), "v1");
    assert.equal(readFileSync(lookAlike, "utf8"), "mine");
    assert.ok(!existsSync(lock), "alignc's own lock is released");
  } finally {
    cleanup();
  }
});

test("in alignc's own cache a torn lock (what an older alignc left when killed) is broken once 5 s old; a folder there is refused", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, "x.lock");
    writeFileSync(path, '{"pid":');
    // a fresh one may be being written: waited on like a live owner's, so a zero wait times out (not a hang)
    await assert.rejects(acquireLock(path, { waitMs: 0 }), LockTimeoutError);
    utimesSync(path, hour, hour);
    const lock = await acquireLock(path, { waitMs: 0 });
    assert.equal(JSON.parse(readFileSync(path, "utf8")).nonce, lock.info.nonce, "taken over");
    lock.release();
    mkdirSync(path);
    await assert.rejects(acquireLock(path, { waitMs: 0 }), (e: Error) => e instanceof ForeignLockError && /a folder/.test(e.message));
    assert.ok(existsSync(path));
  } finally {
    cleanup();
  }
});
