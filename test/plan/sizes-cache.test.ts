import { test } from "node:test";
import { tempDir } from "./fixture.js";
import assert from "node:assert/strict";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { dataLayerFingerprint, SizesCache } from "../../src/plan/sizes-cache.js";

test("sizes cache: keyed by node hash, misses on another hash, survives a corrupt entry", () => {
  const dir = tempDir("alignc-sizes-");
  const cache = new SizesCache(dir);
  const h = "a".repeat(64);
  assert.equal(cache.get(h), undefined);
  cache.set(h, { examples: 3, tokens: 30, max_tokens: 12, heldout: 1 });
  assert.deepEqual(new SizesCache(dir).get(h), { examples: 3, tokens: 30, max_tokens: 12, heldout: 1 });
  assert.equal(cache.get("b".repeat(64)), undefined);
  const [file] = readdirSync(join(dir, "sizes"));
  writeFileSync(join(dir, "sizes", file!), "{not json");
  assert.equal(cache.get(h), undefined);
  assert.match(dataLayerFingerprint(), /^[0-9a-f]{64}$/);
});

test("sizes cache: a FIFO at an entry's path is a miss, not a read that waits for a writer forever (check and plan hung)", { skip: spawnSync("mkfifo", ["--version"]).status !== 0 && "mkfifo is not installed" }, () => {
  const dir = tempDir("alignc-sizes-fifo-");
  const cache = new SizesCache(dir);
  const h = "c".repeat(64);
  cache.set(h, { examples: 1, tokens: 2, max_tokens: 2, heldout: 0 });
  const [file] = readdirSync(join(dir, "sizes"));
  rmSync(join(dir, "sizes", file!));
  assert.equal(spawnSync("mkfifo", [join(dir, "sizes", file!)]).status, 0);
  assert.equal(cache.get(h), undefined);
});
