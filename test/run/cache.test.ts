import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { StageCache } from "../../src/run/storage/cache.js";
import { acquireLock, LockTimeoutError } from "../../src/run/storage/lock.js";
import { removeDeadTemps, writeFileAtomicSync } from "../../src/common/atomic-write.js";
import { writerTag } from "../../src/common/writer-tag.js";
import { exited, spawnFixture, tempDir, waitForLine } from "./helpers.js";

test("put then get returns the entry with sizes and hashes; a second put of the same hash keeps the first", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = new StageCache(dir);
    assert.equal(cache.get("abc123"), null);
    const e = await cache.put("abc123", { kind: "stage.sft", label: "sft", seconds: 1.5, data: { loss: 0.5 } }, (d) => {
      writeFileSync(join(d, "model.safetensors"), Buffer.alloc(1000, 7));
      mkdirSync(join(d, "sub"));
      writeFileSync(join(d, "sub", "x.json"), "{}");
    });
    assert.deepEqual(Object.keys(e.meta.files), ["model.safetensors", "sub/x.json"]);
    const got = cache.get("abc123");
    assert.ok(got);
    assert.deepEqual(got.meta.data, { loss: 0.5 });
    assert.ok(cache.verify("abc123"));
    await cache.put("abc123", { kind: "stage.sft", label: "other", seconds: 0 }, (d) => writeFileSync(join(d, "y"), "y"));
    assert.equal(cache.get("abc123")!.meta.label, "sft");
    // a truncated file makes the entry invalid, not silently wrong
    writeFileSync(join(got.dir, "model.safetensors"), Buffer.alloc(10));
    assert.equal(cache.get("abc123"), null);
    // recomputed, it takes the damaged entry's place: the folder is alignc's (its entry.json names this
    // hash), not a stranger's to refuse (it was refused after the recompute, "holds no entry.json", audit33 L1)
    await cache.put("abc123", { kind: "stage.sft", label: "again", seconds: 1 }, (d) => writeFileSync(join(d, "model.safetensors"), Buffer.alloc(1000, 7)));
    assert.equal(cache.get("abc123")!.meta.label, "again");
    assert.ok(cache.verify("abc123"));
    assert.deepEqual(readdirSync(join(dir, ".tmp")), [], "nothing left aside");
    assert.throws(() => cache.get("../etc"), /not a valid entry name/);
  } finally {
    cleanup();
  }
});

// entry.json's figures are what a hit serves: one changed digit in them was served as written (audit33 L2)
test("entry.json carries its own checksum: a changed figure or file record in it is a miss, recomputed and replaced; an entry without one (older) is a hit", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = new StageCache(dir);
    const write = (d: string) => writeFileSync(join(d, "model.safetensors"), Buffer.alloc(100, 3));
    await cache.put("e1", { kind: "eval.win_rate", label: "judge", seconds: 1, data: { win_rate: 0.597, wins: 68 } }, write);
    const file = join(dir, "e1", "entry.json");
    const text = readFileSync(file, "utf8");
    assert.match(JSON.parse(text).check, /^[0-9a-f]{64}$/);
    assert.ok(cache.get("e1"));
    const sha = (JSON.parse(text) as { files: Record<string, { sha256: string }> }).files["model.safetensors"]!.sha256;
    const flipped = (sha[0] === "0" ? "1" : "0") + sha.slice(1); // same size: only the checksum sees it
    for (const [from, to] of [["0.597", "0.697"], ['"wins": 68', '"wins": 69'], [sha, flipped]] as const) {
      assert.ok(text.includes(from), from);
      writeFileSync(file, text.replace(from, to));
      assert.equal(cache.get("e1"), null, `entry.json with ${to} was served`);
    }
    // the damaged entry is alignc's own (it names this hash): recomputed, it is replaced, not refused
    await cache.put("e1", { kind: "eval.win_rate", label: "judge", seconds: 1, data: { win_rate: 0.597, wins: 68 } }, write);
    assert.deepEqual(cache.get("e1")?.meta.data, { win_rate: 0.597, wins: 68 });
    // an entry.json from before the checksum: read as it is
    const { check: _c, ...older } = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify(older, null, 2) + "\n");
    assert.deepEqual(cache.get("e1")?.meta.data, { win_rate: 0.597, wins: 68 });
    // reformatting (another indentation, key order) is no damage: the checksum is over the parsed fields
    writeFileSync(file, JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(text) as object).reverse())) + "\n");
    assert.ok(cache.get("e1"));
    // not an entry's shape at all: a miss, never a TypeError (exit 70)
    for (const odd of ["null", "[]", '{"hash":"e1","files":null}', '{"hash":"e1","files":{"model.safetensors":null}}']) {
      writeFileSync(file, odd);
      assert.equal(cache.get("e1"), null, odd);
    }
  } finally {
    cleanup();
  }
});

test("a writer that throws leaves no entry and no temp folder", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = new StageCache(dir);
    await assert.rejects(
      cache.put("h1", { kind: "k", label: "l", seconds: 0 }, (d) => {
        writeFileSync(join(d, "a"), "partial");
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(cache.get("h1"), null);
    assert.deepEqual(readdirSync(join(dir, ".tmp")), []);
  } finally {
    cleanup();
  }
});

test("checkpoints: newest complete one wins, older ones pruned", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = new StageCache(dir);
    assert.equal(cache.latestCheckpoint("n"), null);
    for (const step of [10, 20, 30]) await cache.saveCheckpoint("n", step, (d) => writeFileSync(join(d, "s"), String(step)));
    assert.deepEqual(cache.checkpoints("n").map((c) => c.step), [20, 30]);
    const last = cache.latestCheckpoint("n")!;
    assert.equal(readFileSync(join(last.dir, "s"), "utf8"), "30");
    // held to what was written (audit33 M1): whole; one byte changed at the same size; a file nobody
    // reads added (no damage); a recorded file gone; a DONE from before files were recorded (resumed as before)
    assert.equal(cache.checkpointDamage(last), null);
    writeFileSync(join(last.dir, "s"), "31");
    assert.deepEqual({ ...cache.checkpointDamage(last), why: "…" }, { file: "s", why: "…" });
    assert.match(cache.checkpointDamage(last)!.why, /^2 bytes with sha256 [0-9a-f]{12}…, where 2 bytes with sha256 [0-9a-f]{12}… were written$/);
    writeFileSync(join(last.dir, "s"), "30");
    writeFileSync(join(last.dir, ".DS_Store"), "x");
    assert.equal(cache.checkpointDamage(last), null);
    const done = readFileSync(join(last.dir, "DONE"), "utf8");
    rmSync(join(last.dir, "s"));
    assert.deepEqual(cache.checkpointDamage(last), { file: "s", why: "gone" });
    writeFileSync(join(last.dir, "DONE"), JSON.stringify({ step: 30, saved: JSON.parse(done).saved }) + "\n");
    assert.equal(cache.checkpointDamage(last), null, "no record to hold it to");
    writeFileSync(join(last.dir, "DONE"), JSON.stringify({ step: 30, files: { s: null } }) + "\n");
    assert.deepEqual(cache.checkpointDamage(last), { file: "DONE", why: "its record of s is not a size and a sha256" }, "named, not a TypeError (exit 70)");
    // a checkpoint folder without DONE (killed mid-write) is ignored
    mkdirSync(join(dir, ".partial", "n", "ckpt-000000040"));
    assert.equal(cache.latestCheckpoint("n")!.step, 30);
    cache.clearCheckpoints("n");
    assert.equal(cache.latestCheckpoint("n"), null);
  } finally {
    cleanup();
  }
});

test("locks: exclusive, released, timeout names the owner, stale lock of a dead pid is broken", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, "x.lock");
    const a = await acquireLock(path, { purpose: "first" });
    await assert.rejects(acquireLock(path, { waitMs: 100, pollMs: 20 }), (e: unknown) => e instanceof LockTimeoutError && /pid \d+/.test(e.message) && /first/.test(e.message));
    a.release();
    const b = await acquireLock(path, { waitMs: 0 });
    b.release();
    assert.ok(!existsSync(path));
    // a lock file left by a process that no longer exists
    writeFileAtomicSync(path, JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import("node:os")).hostname(), nonce: "dead", since: "", purpose: "" }));
    const c = await acquireLock(path, { waitMs: 0 });
    assert.notEqual(c.info.nonce, "dead");
    c.release();
    // waiting for a live owner succeeds when it releases
    const d = await acquireLock(path);
    let waited = false;
    setTimeout(() => d.release(), 150);
    const e = await acquireLock(path, { pollMs: 20, onWait: () => (waited = true) });
    assert.ok(waited);
    e.release();
  } finally {
    cleanup();
  }
});

test("kill -9 at random moments never leaves a corrupt cache entry or checkpoint", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const rounds = 5;
    for (let r = 0; r < rounds; r++) {
      const child = spawnFixture("cache-writer", [dir]);
      await waitForLine(child, "ready");
      await new Promise((res) => setTimeout(res, 20 + Math.floor(Math.random() * 150)));
      child.kill("SIGKILL");
      const { signal } = await exited(child);
      assert.equal(signal, "SIGKILL");
    }
    const cache = new StageCache(dir);
    const entries = readdirSync(dir).filter((n) => !n.startsWith("."));
    assert.ok(entries.length >= rounds, `expected ≥ ${rounds} entries, got ${entries.length}`);
    // every folder at an entry name is complete and matches its recorded hashes
    for (const h of entries) assert.ok(cache.verify(h), `entry ${h} is corrupt`);
    const ck = cache.latestCheckpoint("node-x");
    assert.ok(ck);
    const state = readFileSync(join(ck.dir, "state.bin"));
    assert.equal(state.length, 300_000);
    // killed writers left temp folders and locks behind: the sweep clears the temps, and the stale
    // locks are broken by the next writer without waiting
    cache.sweep();
    assert.deepEqual(readdirSync(join(dir, ".tmp")), []);
    assert.deepEqual(
      readdirSync(join(dir, ".locks")).filter((l) => !l.endsWith(".lock")),
      [],
      "no half-taken lock files",
    );
    for (const l of readdirSync(join(dir, ".locks"))) {
      const lock = await cache.lock(l.replace(/\.lock$/, ""), { waitMs: 0 });
      lock.release();
    }
  } finally {
    cleanup();
  }
});

test("a lock is linked into place complete: a taker killed before the link leaves only a temp file, which the sweep removes", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = new StageCache(dir);
    const hash = "ab".repeat(32);
    mkdirSync(join(dir, ".locks"), { recursive: true });
    // what a taker killed between writing and linking leaves (pid 2^22 + 1 exceeds Linux's pid_max default)
    const orphan = join(dir, ".locks", `${hash}.lock.${2 ** 22 + 1}-0123abcd.tmp`);
    writeFileSync(orphan, '{"pid":');
    const lock = await cache.lock(hash, { waitMs: 0 });
    assert.deepEqual(JSON.parse(readFileSync(lock.path, "utf8")).nonce, lock.info.nonce, "the lock file holds its owner");
    lock.release();
    assert.equal(cache.sweep(), 1);
    assert.equal(existsSync(orphan), false);
  } finally {
    cleanup();
  }
});

test("ALIGNC_CACHE naming a folder with other files: the sweep removes only the temp folders alignc names, never a file whose name merely holds a number", () => {
  const { dir, cleanup } = tempDir();
  try {
    const dead = 2 ** 22 + 1;
    mkdirSync(join(dir, ".tmp", "photos.2023.d"), { recursive: true });
    const theirs = [join(dir, ".tmp", "backup.20240101.tar"), join(dir, ".tmp", `notes.${dead}.txt`), join(dir, ".tmp", `x.${dead}.0123abcd.old`)];
    for (const p of theirs) writeFileSync(p, "precious");
    const ours = join(dir, ".tmp", `${"ab".repeat(32)}.${dead}.0123abcd`);
    mkdirSync(ours);
    assert.equal(new StageCache(dir).sweep(), 1);
    assert.ok(!existsSync(ours), "a dead writer's temp entry is removed");
    for (const p of [...theirs, join(dir, ".tmp", "photos.2023.d")]) assert.ok(existsSync(p), p);
  } finally {
    cleanup();
  }
});

test("a folder shared by two machines: what a dead writer of this host left is cleared, another host's temps never (its pid means nothing here)", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const dead = 2 ** 22 + 1; // above Linux's default pid_max: no process here has it
    const here = writerTag().split("-")[0]!;
    const elsewhere = here === "00000000" ? "11111111" : "00000000";
    const cache = new StageCache(dir);
    const hash = "cd".repeat(32);
    mkdirSync(join(dir, ".tmp"), { recursive: true });
    mkdirSync(join(dir, ".locks"), { recursive: true });
    const names = {
      entryHere: join(dir, ".tmp", `${hash}.${here}-${dead}.0123abcd`),
      entryThere: join(dir, ".tmp", `${hash}.${elsewhere}-${dead}.0123abcd`),
      entryOld: join(dir, ".tmp", `${hash}.${dead}.0123abcd`), // a name from before the host was in it
      lockHere: join(dir, ".locks", `${hash}.lock.${here}-${dead}-0123abcd.tmp`),
      lockThere: join(dir, ".locks", `${hash}.lock.${elsewhere}-${dead}-0123abcd.tmp`),
    };
    for (const p of [names.entryHere, names.entryThere, names.entryOld]) mkdirSync(p);
    for (const p of [names.lockHere, names.lockThere]) writeFileSync(p, '{"pid":');
    assert.equal(cache.sweep(), 3);
    assert.deepEqual(
      Object.entries(names).filter(([, p]) => existsSync(p)).map(([k]) => k),
      ["entryThere", "lockThere"],
    );

    // the same for an atomic write's temp beside its target (a recipe, an export's files)
    const target = join(dir, "r.align");
    const there = join(dir, `.r.align.tmp-${elsewhere}-${dead}-0badcafe`);
    const mine = join(dir, `.r.align.tmp-${here}-${dead}-0badcafe`);
    writeFileSync(there, "half");
    writeFileSync(mine, "half");
    assert.deepEqual(removeDeadTemps(target), [`.r.align.tmp-${here}-${dead}-0badcafe`]);
    assert.ok(existsSync(there));
    assert.ok(!existsSync(mine));
  } finally {
    cleanup();
  }
});

test("put with replace (--force) swaps the entry: a concurrent reader sees the old entry whole or the new whole, never a mix; nothing is left aside", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = new StageCache(dir);
    const hash = "forced1";
    const put = (marker: number, replace: boolean) =>
      cache.put(hash, { kind: "stage.sft", label: "sft", seconds: 0, data: { marker } }, (d) => {
        // sizes vary with the marker, so get()'s size check alone would not make a mix look whole
        writeFileSync(join(d, "a.bin"), Buffer.alloc(40_000 + (marker % 5) * 3_000, marker & 0xff));
        writeFileSync(join(d, "b.bin"), Buffer.alloc(60_000 - (marker % 7) * 2_000, marker & 0xff));
      }, { replace });
    await put(0, false);
    await put(99, false);
    assert.equal((cache.get(hash)!.meta.data as { marker: number }).marker, 0, "without replace the entry in place is kept");
    const child = spawnFixture("cache-reader", [dir, hash, "1500"]);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    await waitForLine(child, "ready");
    let marker = 0;
    const end = Date.now() + 1200;
    while (Date.now() < end) {
      await put(++marker, true);
      await new Promise((r) => setImmediate(r));
    }
    const { code } = await exited(child);
    assert.equal(code, 0, out);
    const r = JSON.parse(out.trim().split("\n").at(-1)!) as { seen: Record<string, number>; misses: number; mixed: number };
    if (process.env.HARM_DEBUG) console.log(out);
    assert.equal(r.mixed, 0, `reads that mixed two entries: ${out}`);
    // before: put kept the old entry (a damaged one could not be replaced): only marker 0 was ever seen
    assert.ok(Object.keys(r.seen).length > 1, `the reader saw the replacements: ${out}`);
    assert.equal((cache.get(hash)!.meta.data as { marker: number }).marker, marker);
    assert.ok(cache.verify(hash));
    assert.deepEqual(readdirSync(join(dir, ".tmp")), [], "no old entry or temp folder left behind");
  } finally {
    cleanup();
  }
});

// The next put replaced such a folder, deleting what it held; the cache folder may be one the user
// shares (ALIGNC_CACHE), and alignc renames its entries into place whole, so a folder without a
// readable entry.json is none it wrote: named and left alone (audit 32)
test("a FIFO named entry.json (an entry damaged from outside) is a miss, read without blocking; the next put refuses, naming the folder, and removes nothing", () => {
  const { dir, cleanup } = tempDir();
  try {
    const entry = join(dir, "abc123");
    mkdirSync(entry, { recursive: true });
    spawnSync("mkfifo", [join(entry, "entry.json")]);
    // in a child with a time limit: a plain read of a FIFO nobody writes blocks the whole process
    const cacheJs = pathToFileURL(join(import.meta.dirname, "../../src/run/storage/cache.js")).href;
    const script = `const { StageCache, readEntryMeta } = await import(${JSON.stringify(cacheJs)});
      const { writeFileSync } = await import("node:fs");
      const c = new StageCache(${JSON.stringify(dir)});
      const before = [c.get("abc123"), readEntryMeta(${JSON.stringify(entry)})];
      let refused = null;
      try {
        await c.put("abc123", { kind: "stage.sft", label: "sft", seconds: 1 }, (d) => writeFileSync(d + "/m", "m"));
      } catch (err) {
        refused = [err.code, err.message];
      }
      console.log(JSON.stringify({ before, refused, after: c.get("abc123")?.meta.label ?? null }));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 20_000 });
    assert.equal(r.signal, null, "the child blocked on the FIFO and was killed at the time limit");
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { before: unknown; refused: [string, string] | null; after: unknown };
    assert.deepEqual([out.before, out.after], [[null, null], null]);
    assert.equal(out.refused?.[0], "EEXIST", "errno-shaped: reported as the user's environment, exit 1");
    assert.match(out.refused![1], /abc123 is in the way of a cache entry: it holds no entry\.json alignc wrote; move it away/);
    assert.ok(lstatSync(join(entry, "entry.json")).isFIFO(), "the FIFO is where it was");
    assert.deepEqual(readdirSync(join(dir, ".tmp")), [], "no temp folder left");
  } finally {
    cleanup();
  }
});

// audit35 M1: a checkpoint's inputs.json or backend.txt replaced by a FIFO was opened with a plain read,
// which blocks until a writer comes: the run hung for good and Ctrl-C could not stop it. Run in a child
// with a time limit, since a blocked open also blocks this process's timers.
test("a checkpoint's inputs.json and backend.txt as FIFOs are read without blocking: taken as matching (left to the resume's check of the checkpoint's files), no backend", { skip: spawnSync("mkfifo", ["--version"]).status !== 0 && "mkfifo is not installed" }, () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const f of ["inputs.json", "backend.txt"]) assert.equal(spawnSync("mkfifo", [join(dir, f)]).status, 0);
    const mod = new URL("../../src/run/storage/entry-inputs.js", import.meta.url).href;
    const code = `const m = await import(${JSON.stringify(mod)}); console.log(JSON.stringify([m.checkpointMatches(${JSON.stringify(dir)}, { x: "y" }), m.checkpointBackend(${JSON.stringify(dir)})]));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", timeout: 30_000 });
    assert.equal(r.signal, null, "the read blocked on the FIFO");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [true, null]);
  } finally {
    cleanup();
  }
});
