// Two `alignc export` into one folder at once. Without a lock each staged, moved and recorded its
// files regardless of the other: the folder ended with TRL's files under OpenRLHF's manifest (once
// with hashes that matched neither), both exited 0, and the next export refused the files as "not
// written by alignc". Now an export holds the folder's lock (src/export/lock.ts) while it writes, and
// a second one waits for it. The test holds the lock itself while both start, so they are sure to
// meet at the folder however fast the machine is: both must say they wait, and once the lock is
// free, the folder must be one whole export whose manifest lists exactly its files.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { test } from "node:test";
import { repoRoot } from "../repo-root.js";
import { acquireLock } from "../../src/run/storage/lock.js";
import { exportLockPath } from "../../src/export/lock.js";
import { MANIFEST_NAME } from "../../src/export/manifest.js";

const root = repoRoot();
const HF = join(root, "recipes", "exports", "quickstart-hf.align");
const exportArgs = (to: string, out: string) => [join(root, "bin", "alignc.js"), "export", HF, "--to", to, "--drop-ptx", "--out", out];

interface Done {
  code: number | null;
  stderr: string;
}

/** Start an export; `waiting` resolves once it says it waits for the lock (or with false when it ended first). */
function start(to: string, cwd: string): { waiting: Promise<boolean>; done: Promise<Done> } {
  const child = spawn(process.execPath, exportArgs(to, "cx"), { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  let onWait: (v: boolean) => void = () => {};
  const waiting = new Promise<boolean>((r) => (onWait = r));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    if (/waiting for pid \d+/.test(stderr)) onWait(true);
  });
  const done = new Promise<Done>((r) =>
    child.on("close", (code) => {
      onWait(false);
      r({ code, stderr });
    }),
  );
  return { waiting, done };
}

/** Every file under `dir` but the manifest, path (with /) → sha256. */
function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name !== MANIFEST_NAME) out[relative(dir, p).split("\\").join("/")] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

test("two exports into one folder at once: the second waits for the first, and the folder is one whole export its manifest lists", async () => {
  const d = mkdtempSync(join(tmpdir(), "alignc-export-race-"));
  const out = join(d, "cx");
  const held = await acquireLock(exportLockPath(out), { waitMs: 0, purpose: "the test" });
  let released = false;
  try {
    const a = start("trl", d);
    const b = start("openrlhf", d);
    const [wa, wb] = await Promise.all([a.waiting, b.waiting]);
    // without the lock neither waits: both write at once, and the test fails here
    // (an export that waits cannot end before the lock is released: its stderr is read only then)
    if (!(wa && wb)) {
      held.release();
      released = true;
      assert.fail(`both exports wait for the lock held by this test\ntrl: ${(await a.done).stderr}\nopenrlhf: ${(await b.done).stderr}`);
    }
    assert.ok(!existsSync(out), "nothing is written while another holds the folder");
    held.release();
    released = true;
    const [ra, rb] = await Promise.all([a.done, b.done]);
    assert.equal(ra.code, 0, ra.stderr);
    assert.equal(rb.code, 0, rb.stderr);
    assert.match(ra.stderr, new RegExp(`waiting for pid ${process.pid} \\(the test\\), which is writing cx`));
  } finally {
    if (!released) held.release();
  }
  const manifest = JSON.parse(readFileSync(join(out, MANIFEST_NAME), "utf8")) as { files: Record<string, string>; pending?: unknown };
  assert.equal(manifest.pending, undefined, "no export left its pending hashes");
  assert.deepEqual(hashes(out), manifest.files, "the manifest lists exactly the folder's files, with their content's hashes");
  assert.deepEqual(readdirSync(d).sort(), ["cx"], "no lock or staging folder left beside the folder");
  // one target's whole export, exactly what it writes into a folder of its own
  const alone = (to: string): Record<string, string> => {
    const r = spawnSync(process.execPath, exportArgs(to, `alone-${to}`), { cwd: d, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return hashes(join(d, `alone-${to}`));
  };
  const trl = alone("trl");
  const got = hashes(out);
  assert.ok([trl, alone("openrlhf")].some((want) => isDeepStrictEqual(got, want)), `one target's files only: ${Object.keys(got).join(", ")}`);
  // and the folder is still alignc's: the next export replaces it (it was refused as "not written by alignc")
  const next = spawnSync(process.execPath, exportArgs("trl", "cx"), { cwd: d, encoding: "utf8" });
  assert.equal(next.status, 0, next.stderr);
  assert.deepEqual(hashes(out), trl);
  assert.deepEqual(hashes(out), (JSON.parse(readFileSync(join(out, MANIFEST_NAME), "utf8")) as { files: Record<string, string> }).files);
});

test("a lock left by a dead export does not block the next one", () => {
  const d = mkdtempSync(join(tmpdir(), "alignc-export-stale-"));
  const dead = spawnSync(process.execPath, ["-e", ""]).pid!; // a pid that no longer runs
  const lock = exportLockPath(join(d, "cx"));
  writeFileSync(lock, JSON.stringify({ pid: dead, host: hostname(), nonce: "0123456789abcdef", since: new Date().toISOString(), purpose: "alignc export --to trl" }) + "\n");
  const r = spawnSync(process.execPath, exportArgs("trl", "cx"), { cwd: d, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /waiting for/);
  assert.ok(existsSync(join(d, "cx", "EXPORT.md")));
  assert.deepEqual(readdirSync(d), ["cx"], "the stale lock was broken and the new one released");
});

test("every path to one folder names the same lock: through a symlink, `..`, before and after the folder exists", () => {
  const d = mkdtempSync(join(tmpdir(), "alignc-export-lockpath-"));
  const before = exportLockPath(join(d, "cx"));
  mkdirSync(join(d, "cx"));
  mkdirSync(join(d, "sub"));
  symlinkSync(join(d, "cx"), join(d, "link"));
  assert.equal(exportLockPath(join(d, "cx")), before);
  assert.equal(exportLockPath(join(d, "link")), before);
  assert.equal(exportLockPath(join(d, "sub", "..", "cx")), before);
  assert.equal(before, join(realpathSync(d), ".cx.alignc-export.lock"), "beside the folder, not among its files");
});
