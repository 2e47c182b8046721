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
import { IMPLICIT_DEFAULTS } from "../../src/check/data-options.js";
import { compile } from "../../src/compile.js";
import { repoRoot } from "../repo-root.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

test("the engine's unhashed defaults are pinned to the engine epoch: a changed default needs a new ENGINE_EPOCH", () => {
  const now = { epoch: ENGINE_EPOCH, truncate: truncatePolicy(undefined), on_error: failOrSkip(undefined), k_outside: failOrSkip(undefined), encoding_is_utf8: isUtf8(undefined) };
  assert.deepEqual(now, { epoch: 38, truncate: "prompt_first", on_error: "fail", k_outside: "fail", encoding_is_utf8: true }, "an unhashed default or the epoch changed: a changed default changes what runs under the same hashes, so bump ENGINE_EPOCH (src/plan/hash.ts) with it, then update this line");
});

test("IMPLICIT_DEFAULTS are the values the data layer takes for a property left out: the hash drops exactly those", () => {
  assert.deepEqual(IMPLICIT_DEFAULTS, { truncate: truncatePolicy(undefined), on_error: failOrSkip(undefined), k_outside: failOrSkip(undefined), encoding: "utf-8" });
  assert.ok(isUtf8(IMPLICIT_DEFAULTS.encoding) && isUtf8(undefined));
});

test("writing an unfilled default out is leaving it out: no node's hash moves (`truncate = \"prompt_first\"` on SFT retrained every stage after it; hunt K41), another value still moves them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-implicit-"));
  try {
    const base = join(repoRoot(), "recipes", "quickstart.align");
    const variant = (name: string, overrides: string) => {
      const file = join(dir, `${name}.align`);
      writeFileSync(file, `recipe ${name} extends ${JSON.stringify(base)} {\n${overrides}}\n`);
      return file;
    };
    const opts = { backend: "wasm", cache: false, machine: false } as const;
    const hashes = async (file: string) => {
      const r = await compile(file, opts);
      assert.ok(r.plan, JSON.stringify(r.diagnostics.filter((d) => d.severity === "error")));
      return Object.fromEntries(r.plan.nodes.map((n) => [n.id, n.hash]));
    };
    const plain = await hashes(variant("plain", ""));
    const written = await hashes(variant("written", '  sft.truncate = "prompt_first"\n  rm.truncate = "prompt_first"\n  demos.on_error = "fail"\n  demos.encoding = "utf-8"\n  prefs.k_outside = "fail"\n  prefs.on_error = "fail"\n'));
    assert.deepEqual(written, plain);
    const other = await hashes(variant("other", '  sft.truncate = "left"\n'));
    assert.notEqual(other.sft, plain.sft, "a value other than the default is another computation");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
