// `alignc label` and `alignc label --stats` read files the user names or keeps beside the labels: a
// FIFO, a device or a folder there is refused at once (exit 1 or 2, never 70), not read forever.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-label-special-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function alignc(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), ...args], { cwd: tmp, encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, signal: r.signal, err: r.stderr };
}

test("label --stats refuses a FIFO, /dev/zero and a folder", () => {
  spawnSync("mkfifo", [join(tmp, "fifo.jsonl")]);
  mkdirSync(join(tmp, "folder.jsonl"));
  for (const f of ["fifo.jsonl", "/dev/zero", "folder.jsonl"]) {
    const r = alignc("label", "--stats", f);
    assert.equal(r.signal, null, `${f}: did not finish`);
    // a special file named as the input is a usage error, as in every command (it exited 1: audit35 L6)
    assert.equal(r.code, f === "folder.jsonl" ? 1 : 2, `${f}: ${r.err}`);
    assert.match(r.err, /not a regular file|is a folder/);
  }
});

test("label refuses a skips file beside the labels that is a FIFO or a device", () => {
  writeFileSync(join(tmp, "cands.jsonl"), ["q0", "q1"].map((q) => JSON.stringify({ prompt: q, responses: ["a", "b", "c", "d"] })).join("\n") + "\n");
  writeFileSync(join(tmp, "l.align"), 'recipe l { seed = 1 }\nsource cands = jsonl("cands.jsonl") as candidates { labels = prefs }\nsource prefs = jsonl("labels.jsonl") as rankings { k = 4..4 }\n');
  writeFileSync(join(tmp, "labels.jsonl"), "");
  spawnSync("mkfifo", [join(tmp, "labels.skips.jsonl")]);
  let r = alignc("label", "l.align", "--source", "cands", "--port", "0");
  assert.equal(r.signal, null, "did not finish");
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /labels\.skips\.jsonl is a FIFO/);
  rmSync(join(tmp, "labels.skips.jsonl"));
  symlinkSync("/dev/zero", join(tmp, "labels.skips.jsonl"));
  r = alignc("label", "l.align", "--source", "cands", "--port", "0");
  assert.equal(r.signal, null, "did not finish");
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /labels\.skips\.jsonl is a character device/);
});

// A helper's audit: a torn last line in a folder the user may not write to (another's shared folder) was
// exit 70 with a stack (its bytes could not be kept aside). Now the folder is checked first (the labels'
// lock lives there too): a located message, exit 1, the file as it was.
test("label: a labels file in a folder the user may not write (a torn last line in it) is exit 1, the file untouched", (t) => {
  if (process.getuid?.() !== 0) return t.skip("needs root here: to run alignc as another user");
  const asNobody = { uid: 65534, gid: 65534 };
  if (spawnSync(process.execPath, ["-e", `require("fs").accessSync(${JSON.stringify(join(root, "dist"))}, 5)`], asNobody).status !== 0)
    return t.skip("the checkout is private (0700): another user cannot run alignc from it");
  const shared = mkdtempSync(join(tmp, "theirs-"));
  chmodSync(shared, 0o755); // root's: nobody may read, not create
  for (let d = dirname(shared); ; d = dirname(d)) {
    chmodSync(d, (statSync(d).mode & 0o7777) | 0o711);
    if (d === tmpdir() || d === dirname(d)) break;
  }
  if (spawnSync(process.execPath, ["-e", `require("fs").accessSync(${JSON.stringify(shared)}, 5)`], asNobody).status !== 0)
    return t.skip("the temp folder is under a private one (TMPDIR in a 0700 home): another user cannot reach it");
  writeFileSync(join(shared, "cands.jsonl"), JSON.stringify({ prompt: "q0", responses: ["a", "b", "c", "d"] }) + "\n");
  writeFileSync(join(shared, "l.align"), 'recipe l { seed = 1 }\nsource cands = jsonl("cands.jsonl") as candidates { labels = prefs }\nsource prefs = jsonl("labels.jsonl") as rankings { k = 4..4 }\n');
  const labels = join(shared, "labels.jsonl");
  const torn = '{"prompt":"half a li';
  writeFileSync(labels, torn);
  chownSync(labels, 65534, 65534); // the user's own labels file, in a folder that is not theirs
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "label", "l.align", "--source", "cands", "--port", "0"], { cwd: shared, encoding: "utf8", timeout: 30_000, ...asNobody });
  assert.equal(r.signal, null, "it started serving instead of stopping");
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /labels\.jsonl: its folder is not writable \(EACCES\)/);
  assert.equal(readFileSync(labels, "utf8"), torn);
  assert.deepEqual(readdirSync(shared).sort(), ["cands.jsonl", "l.align", "labels.jsonl"]);
});

// A helper's audit: two servers on one labels file each appended unaware of the other (one set labeled
// twice with opposite rankings). The second is refused, naming the first; after a kill -9 of the first its
// lock is broken at once by the next.
test("label: a second server on the same labels file is refused while the first runs, and starts once it is killed", async () => {
  const dir = mkdtempSync(join(tmp, "two-"));
  writeFileSync(join(dir, "cands.jsonl"), JSON.stringify({ prompt: "q0", responses: ["a", "b", "c", "d"] }) + "\n");
  writeFileSync(join(dir, "l.align"), 'recipe l { seed = 1 }\nsource cands = jsonl("cands.jsonl") as candidates { labels = prefs }\nsource prefs = jsonl("labels.jsonl") as rankings { k = 4..4 }\n');
  const start = () => spawn(process.execPath, [join(root, "bin", "alignc.js"), "label", "l.align", "--source", "cands", "--port", "0"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  const url = (p: ReturnType<typeof start>) => new Promise<string>((res, rej) => {
    p.stdout!.once("data", (b: Buffer) => res(String(b).trim()));
    p.once("exit", (c) => rej(new Error(`exited ${c}`)));
  });
  const first = start();
  try {
    assert.match(await url(first), /^http:\/\/127\.0\.0\.1:\d+\//);
    const second = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "label", "l.align", "--source", "cands", "--port", "0"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
    assert.equal(second.signal, null, "the second started serving");
    assert.equal(second.status, 1, second.stderr);
    assert.match(second.stderr, new RegExp(`another \`alignc label\` \\(pid ${first.pid} on .*\\) is serving this labels file`));
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const third = start();
    try {
      assert.match(await url(third), /^http:/, "the dead server's lock is broken at once");
    } finally {
      third.kill("SIGINT");
      await new Promise((r) => third.once("exit", r));
    }
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes(".lock")), [], "released on Ctrl-C");
  } finally {
    first.kill("SIGKILL");
  }
});

// a labels file that is a link to a folder that does not exist, or a skips file that cannot be written,
// passed the start-up check: the first label or skip was a 500 with a stack trace (huntD39 M2)
test("label: a labels or skips file that is a link to a missing folder is said at start, exit 1", () => {
  const dir = mkdtempSync(join(tmp, "links-"));
  writeFileSync(join(dir, "cands.jsonl"), ["q0", "q1"].map((q) => JSON.stringify({ prompt: q, responses: ["a", "b", "c", "d"] })).join("\n") + "\n");
  writeFileSync(join(dir, "l.align"), 'recipe l { seed = 1 }\nsource cands = jsonl("cands.jsonl") as candidates { labels = prefs }\nsource prefs = jsonl("labels.jsonl") as rankings { k = 4..4 }\n');
  const run = () => spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "label", "l.align", "--source", "cands", "--port", "0"], { cwd: dir, encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } });
  symlinkSync("/nonexistent-alignc/dir/x.jsonl", join(dir, "labels.jsonl"));
  let r = run();
  assert.equal(r.signal, null, "it started serving");
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /labels\.jsonl \(a link to \/nonexistent-alignc\/dir\/x\.jsonl\): its folder does not exist/);
  rmSync(join(dir, "labels.jsonl"));
  writeFileSync(join(dir, "labels.jsonl"), "");
  symlinkSync("/nonexistent-alignc/dir/s.jsonl", join(dir, "labels.skips.jsonl"));
  r = run();
  assert.equal(r.signal, null, "it started serving");
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /labels\.skips\.jsonl \(a link to \/nonexistent-alignc\/dir\/s\.jsonl\): its folder does not exist/);
});

// huntH42 F3: the lock was named after the labels path as the recipe wrote it, so a second recipe whose
// labels file is a link to the first's (`link.jsonl` → `labels.jsonl`) took a lock of its own and served
// the same file: both appended, one labeler's set labeled twice with opposite rankings.
test("label: a second server whose labels file is a link to the first's file is refused", async () => {
  const dir = mkdtempSync(join(tmp, "linked-"));
  writeFileSync(join(dir, "cands.jsonl"), JSON.stringify({ prompt: "q0", responses: ["a", "b", "c", "d"] }) + "\n");
  writeFileSync(join(dir, "l.align"), 'recipe l { seed = 1 }\nsource cands = jsonl("cands.jsonl") as candidates { labels = prefs }\nsource prefs = jsonl("labels.jsonl") as rankings { k = 4..4 }\n');
  writeFileSync(join(dir, "l2.align"), 'recipe l2 { seed = 1 }\nsource cands = jsonl("cands.jsonl") as candidates { labels = prefs }\nsource prefs = jsonl("link.jsonl") as rankings { k = 4..4 }\n');
  writeFileSync(join(dir, "labels.jsonl"), "");
  symlinkSync("labels.jsonl", join(dir, "link.jsonl"));
  const first = spawn(process.execPath, [join(root, "bin", "alignc.js"), "label", "l.align", "--source", "cands", "--port", "0"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  try {
    const url = await new Promise<string>((res, rej) => {
      first.stdout!.once("data", (b: Buffer) => res(String(b).trim()));
      first.once("exit", (c) => rej(new Error(`exited ${c}`)));
    });
    assert.match(url, /^http:/);
    const second = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "label", "l2.align", "--source", "cands", "--port", "0"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
    assert.equal(second.signal, null, "the second started serving the same file");
    assert.equal(second.status, 1, second.stderr);
    assert.match(second.stderr, new RegExp(`another \`alignc label\` \\(pid ${first.pid} on .*\\) is serving this labels file`));
  } finally {
    first.kill("SIGINT");
    await new Promise((r) => first.once("exit", r));
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes(".lock")), [], "released on Ctrl-C");
});
