import { test } from "node:test";
import { tempDir } from "./fixture.js";
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
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
