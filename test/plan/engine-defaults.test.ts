// Defaults the kinds table leaves unfilled on purpose (a recipe that leaves them out keeps its hashes and
// its examples' seeds) live in the engine, where no hash covers them: changing one changes what runs
// under unchanged plan hashes, and cached stages would be reused for it (audit33 M3: TRUNCATE_DEFAULT
// "left" moved no hash). This test ties them to ENGINE_EPOCH: whoever changes one, or the epoch, edits
// the line below, and bumps the epoch with a default.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ENGINE_EPOCH } from "../../src/plan/hash.js";
import { truncatePolicy } from "../../src/data/truncation.js";
import { failOrSkip } from "../../src/data/bad-rows.js";
import { isUtf8 } from "../../src/data/decode.js";

test("the engine's unhashed defaults are pinned to the engine epoch: a changed default needs a new ENGINE_EPOCH", () => {
  const now = { epoch: ENGINE_EPOCH, truncate: truncatePolicy(undefined), on_error: failOrSkip(undefined), k_outside: failOrSkip(undefined), encoding_is_utf8: isUtf8(undefined) };
  assert.deepEqual(now, { epoch: 33, truncate: "prompt_first", on_error: "fail", k_outside: "fail", encoding_is_utf8: true }, "an unhashed default or the epoch changed: a changed default changes what runs under the same hashes, so bump ENGINE_EPOCH (src/plan/hash.ts) with it, then update this line");
});
