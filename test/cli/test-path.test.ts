// `alignc test PATH` where PATH is neither a recipe nor a folder (`/dev/null`, a FIFO): a message that
// names the path, says what it is and what the command takes, exit 2 (usage, as a missing path is).
// It printed readdir's raw "ENOTDIR: not a directory, scandir '/dev/null'".
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-test-path-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const alignc = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, "bin", "alignc.js"), ...args], { cwd: tmp, encoding: "utf8", timeout: 20_000, killSignal: "SIGKILL", env: { ...process.env, NO_COLOR: "1" } });

test("alignc test /dev/null and a FIFO: what the path is and what alignc test takes, exit 2, no errno text", () => {
  assert.equal(spawnSync("mkfifo", [join(tmp, "pipe")]).status, 0);
  for (const [path, kind] of [["/dev/null", "a character device"], ["pipe", "a FIFO \\(named pipe\\)"]] as const) {
    const r = alignc("test", path, "--no-run");
    assert.equal(r.signal, null, `${path}: did not finish`);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^alignc test: ${path.replaceAll("/", "\\/")} is ${kind}: alignc test takes a recipe \\(an \\.align file\\) or a folder of recipes\\n$`));
    assert.doesNotMatch(r.stderr, /ENOTDIR|scandir|    at /);
  }
  const missing = alignc("test", "nope", "--no-run");
  assert.equal(missing.status, 2, missing.stderr);
  assert.match(missing.stderr, /^alignc test: nope: no such file\n$/);
  symlinkSync(join(tmp, "gone.align"), join(tmp, "dangling.align"));
  const dangling = alignc("test", "dangling.align", "--no-run");
  assert.equal(dangling.status, 2, dangling.stderr);
  assert.match(dangling.stderr, /^alignc test: dangling\.align: a symbolic link to .*gone\.align, which does not exist\n$/);
});
