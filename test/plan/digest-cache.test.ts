// The file-digest cache: a hit needs the same stat data; any rewrite (even to the same size) is a
// miss; a file written just now is not trusted yet (racily clean); a corrupt cache is empty.
import { test } from "node:test";
import { tempDir } from "./fixture.js";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256Hex } from "../../src/plan/canonical.js";
import { DigestCache } from "../../src/plan/digest-cache.js";

const old = (path: string): void => utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

test("digest cache: hits on unchanged files, misses on rewrites, skips racily clean files", () => {
  const dir = tempDir("alignc-digests-");
  const cacheRoot = tempDir("alignc-digests-cache-");
  const a = join(dir, "a.txt");
  writeFileSync(a, "alpha");
  old(a); // mtime a minute ago; ctime is now, so still racy: hashed, not remembered
  let reads = 0;
  const read = (p: string): Buffer => (reads++, readFileSync(p));
  const c1 = new DigestCache(dir, cacheRoot);
  assert.equal(c1.hash(a, read), sha256Hex(Buffer.from("alpha")));
  c1.save();
  assert.equal(reads, 1);
  const c2 = new DigestCache(dir, cacheRoot);
  c2.hash(a, read);
  assert.equal(reads, 2, "a file whose ctime is within 2 s of hashing is hashed again");
});

test("digest cache: a remembered file is not read again; the same size rewritten is a miss", async () => {
  const dir = tempDir("alignc-digests2-");
  const cacheRoot = tempDir("alignc-digests2-cache-");
  const a = join(dir, "a.txt");
  writeFileSync(a, "alpha");
  old(a);
  await new Promise((r) => setTimeout(r, 2100)); // past the racy window for ctime
  let reads = 0;
  const read = (p: string): Buffer => (reads++, readFileSync(p));
  const c1 = new DigestCache(dir, cacheRoot);
  c1.hash(a, read);
  c1.save();
  const c2 = new DigestCache(dir, cacheRoot);
  assert.equal(c2.hash(a, read), sha256Hex(Buffer.from("alpha")));
  assert.equal(reads, 1, "second process: a cache hit");
  writeFileSync(a, "omega"); // same size, new content
  old(a); // even with the old mtime put back, ctime moved
  const c3 = new DigestCache(dir, cacheRoot);
  assert.equal(c3.hash(a, read), sha256Hex(Buffer.from("omega")));
  assert.equal(reads, 2);
  // a corrupt cache file is an empty cache
  const digests = join(cacheRoot, "digests");
  for (const f of readdirSync(digests)) writeFileSync(join(digests, f), "{not json");
  assert.equal(new DigestCache(dir, cacheRoot).hash(a, read), sha256Hex(Buffer.from("omega")));
  assert.equal(reads, 3);
  // a folder where a file is expected throws as a read would
  assert.throws(() => new DigestCache(dir, cacheRoot).hash(dir, read), /EISDIR/);
});
