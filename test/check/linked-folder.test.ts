// A recipe reached through a linked folder reads `../x` as the OS does: the target's sibling, not the
// link's (path.resolve took `..` lexically: "does not exist (resolved to …)" for a file `ls rec/../x`
// showed; huntG40 L2). A link to the recipe file itself still reads from the link's folder (README).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { checkRecipeFile } from "../../src/check/index.js";

const RECIPE = `source d = jsonl("../data/demos.jsonl") as demonstrations {}\n`;

test("through a linked folder, `../data` is the target's sibling; through a linked file, the link's folder's", async () => {
  const top = mkdtempSync(join(tmpdir(), "alignc-linked-"));
  try {
    // real/recipes/r.align beside real/data/demos.jsonl; elsewhere/rec → real/recipes; elsewhere/f/r.align → the file
    for (const d of ["real/recipes", "real/data", "elsewhere/f"]) mkdirSync(join(top, d), { recursive: true });
    writeFileSync(join(top, "real/recipes/r.align"), RECIPE);
    writeFileSync(join(top, "real/data/demos.jsonl"), `{"prompt":"p","response":"r"}\n`);
    symlinkSync(join(top, "real/recipes"), join(top, "elsewhere/rec"));
    symlinkSync(join(top, "real/recipes/r.align"), join(top, "elsewhere/f/r.align"));

    const viaFolder = await checkRecipeFile(join(top, "elsewhere/rec/r.align"));
    assert.deepEqual(viaFolder.diagnostics.filter((d) => d.severity === "error").map((d) => d.code), [], JSON.stringify(viaFolder.diagnostics));

    const viaFile = await checkRecipeFile(join(top, "elsewhere/f/r.align"));
    const missing = viaFile.diagnostics.find((d) => d.code === "AL2016");
    assert.ok(missing, JSON.stringify(viaFile.diagnostics));
    assert.match(missing.message, new RegExp(`resolved to ${join(realpathSync(top), "elsewhere/data/demos.jsonl").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\)`));
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});
