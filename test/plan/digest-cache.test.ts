// The file-digest cache: a hit needs the same stat data; any rewrite (even to the same size) is a
// miss; a file written just now is not trusted yet (racily clean); a corrupt cache is empty.
// The racily-clean rule compares the wall clock with the file's times; these tests give the cache a
// clock set against the file's own stat times, so nothing depends on how fast the test runs (no
// sleeping past the window, no "still within 2 s" assumption under load).
import { test } from "node:test";
import { tempDir } from "./fixture.js";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { sha256Hex } from "../../src/plan/canonical.js";
import { DigestCache, RACY_MS } from "../../src/plan/digest-cache.js";

const MS = 1_000_000n;
/** A clock `ms` milliseconds after the later of `path`'s mtime and ctime. */
const after = (path: string, ms: bigint) => {
  const st = statSync(path, { bigint: true });
  const t = (st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs) + ms * MS;
  return () => t;
};
const counting = () => {
  const r = { reads: 0, read: (p: string): string => (r.reads++, sha256Hex(readFileSync(p))) };
  return r;
};

test("digest cache: a file changed within RACY_MS of hashing is hashed again next time; one just past it is remembered", () => {
  const dir = tempDir("alignc-digests-");
  const a = join(dir, "a.txt");
  writeFileSync(a, "alpha");
  for (const [ms, remembered] of [
    [RACY_MS, false], // the window's edge is still racy (a write in the same tick keeps its times)
    [RACY_MS + 1n, true],
  ] as const) {
    const cacheRoot = tempDir("alignc-digests-cache-");
    const r = counting();
    const c1 = new DigestCache(dir, cacheRoot, after(a, ms));
    assert.equal(c1.hash(a, r.read), sha256Hex(Buffer.from("alpha")));
    c1.save();
    new DigestCache(dir, cacheRoot, after(a, ms)).hash(a, r.read);
    assert.equal(r.reads, remembered ? 1 : 2, `hashed ${ms} ms after the last change`);
  }
});

test("digest cache: both times count — an old mtime with a fresh ctime, or a future mtime, is racy", () => {
  const dir = tempDir("alignc-digests-times-");
  const a = join(dir, "a.txt");
  writeFileSync(a, "alpha");
  const st = statSync(a, { bigint: true });
  // mtime an hour back (ctime stays at the write): a clock 1 s past ctime is racy by ctime
  utimesSync(a, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
  const ctime = statSync(a, { bigint: true }).ctimeNs;
  const cacheRoot = tempDir("alignc-digests-times-cache-");
  const r = counting();
  const racyByCtime = new DigestCache(dir, cacheRoot, () => ctime + 1000n * MS);
  racyByCtime.hash(a, r.read);
  racyByCtime.save();
  new DigestCache(dir, cacheRoot, () => ctime + 1000n * MS).hash(a, r.read);
  assert.equal(r.reads, 2, "old mtime, ctime 1 s before hashing: not remembered");
  // mtime set an hour ahead: a clock 3 s past ctime is still before it
  utimesSync(a, new Date(Date.now() + 3_600_000), new Date(Date.now() + 3_600_000));
  const st2 = statSync(a, { bigint: true });
  assert.ok(st2.mtimeNs > st2.ctimeNs && st.ino === st2.ino);
  const racyByMtime = new DigestCache(dir, cacheRoot, () => st2.ctimeNs + 3000n * MS);
  racyByMtime.hash(a, r.read);
  racyByMtime.save();
  new DigestCache(dir, cacheRoot, () => st2.ctimeNs + 3000n * MS).hash(a, r.read);
  assert.equal(r.reads, 4, "mtime after the clock: not remembered");
});

test("digest cache: a remembered file is not read again; the same size rewritten is a miss", () => {
  const dir = tempDir("alignc-digests2-");
  const cacheRoot = tempDir("alignc-digests2-cache-");
  const a = join(dir, "a.txt");
  // mtime on a whole second, so that it can be put back exactly after the rewrite below
  const T = Math.floor(Date.now() / 1000) - 60;
  writeFileSync(a, "alpha");
  utimesSync(a, T, T);
  const r = counting();
  const c1 = new DigestCache(dir, cacheRoot, after(a, 60_000n)); // a minute past the write: clean
  c1.hash(a, r.read);
  c1.save();
  const c2 = new DigestCache(dir, cacheRoot, after(a, 60_000n));
  assert.equal(c2.hash(a, r.read), sha256Hex(Buffer.from("alpha")));
  assert.equal(r.reads, 1, "second process: a cache hit");
  // same size, new content, the same mtime put back: only ctime tells. A rewrite within the file
  // system's clock tick keeps even ctime (the racy case the clock rule is for, which the lying clock
  // above skipped): rewrite until ctime has moved, the case under test
  const ctime = statSync(a, { bigint: true }).ctimeNs;
  do {
    writeFileSync(a, "omega");
    utimesSync(a, T, T);
  } while (statSync(a, { bigint: true }).ctimeNs === ctime);
  const c3 = new DigestCache(dir, cacheRoot, after(a, 60_000n));
  assert.equal(c3.hash(a, r.read), sha256Hex(Buffer.from("omega")));
  assert.equal(r.reads, 2);
  c3.save();
  // a corrupt cache file is an empty cache
  const digests = join(cacheRoot, "digests");
  for (const f of readdirSync(digests)) writeFileSync(join(digests, f), "{not json");
  assert.equal(new DigestCache(dir, cacheRoot, after(a, 60_000n)).hash(a, r.read), sha256Hex(Buffer.from("omega")));
  assert.equal(r.reads, 3);
  // a folder where a file is expected throws as a read would
  assert.throws(() => new DigestCache(dir, cacheRoot).hash(dir, r.read), /EISDIR/);
});

test("digest cache: a FIFO in place of the cache file is an empty cache, not a read that waits for a writer forever (check and plan hung)", { skip: spawnSync("mkfifo", ["--version"]).status !== 0 && "mkfifo is not installed" }, () => {
  const dir = tempDir("alignc-digests-fifo-");
  const a = join(dir, "a.txt");
  writeFileSync(a, "alpha");
  const cacheRoot = tempDir("alignc-digests-fifo-cache-");
  const c1 = new DigestCache(dir, cacheRoot, after(a, RACY_MS + 1n));
  c1.hash(a, counting().read);
  c1.save();
  const [file] = readdirSync(join(cacheRoot, "digests"));
  rmSync(join(cacheRoot, "digests", file!));
  assert.equal(spawnSync("mkfifo", [join(cacheRoot, "digests", file!)]).status, 0);
  const r = counting();
  assert.equal(new DigestCache(dir, cacheRoot, after(a, RACY_MS + 1n)).hash(a, r.read), sha256Hex(Buffer.from("alpha")));
  assert.equal(r.reads, 1, "hashed afresh");
});
