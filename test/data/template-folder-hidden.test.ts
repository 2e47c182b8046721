// Hidden files in a template folder (`dir("tpl")`) are not templates, as glob tools skip them: macOS's
// AppleDouble `._01-equals.hbs` (binary, written beside every file on a non-Apple disk), `.DS_Store`,
// editor swap and lock files. They were read as templates (a binary one an error, a text one an extra
// template the plan's hash of the folder did not cover); a folder holding only hidden files gets the
// "no .hbs templates" error, located at the recipe's `templates` value.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadTemplateDir } from "../../src/data/flan/loaders.js";
import { alignc, templateFolderRecipe } from "./template-folder-fixture.js";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();

const tmp = mkdtempSync(join(tmpdir(), "alignc-tpl-hidden-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** macOS's AppleDouble header (magic 0x00051607), which is not UTF-8 text. */
const APPLE_DOUBLE = Buffer.from([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00, 0xff, 0xfe, 0x80, 0x81]);

function setup(name: string, withTemplates: boolean): string {
  const dir = templateFolderRecipe(join(tmp, name), withTemplates);
  const tpl = join(dir, "tpl");
  writeFileSync(join(tpl, "._01-equals.hbs"), APPLE_DOUBLE);
  writeFileSync(join(tpl, ".DS_Store"), APPLE_DOUBLE);
  writeFileSync(join(tpl, ".02-plus.hbs.swp"), APPLE_DOUBLE);
  writeFileSync(join(tpl, ".hidden.hbs"), "{{no_such_field}}\n|||\n{{sum}}\n");
  symlinkSync("user@host.1234:1700000000", join(tpl, ".#03-add.hbs")); // emacs's lock: a dangling link
  return dir;
}

test("hidden files beside the templates are skipped: the folder's templates are the visible .hbs files, check and plan are clean", () => {
  const dir = setup("mixed", true);
  assert.deepEqual(
    loadTemplateDir(join(dir, "tpl")).map((t) => t.id),
    loadTemplateDir(join(root, "templates", "flan", "addition")).map((t) => t.id),
  );
  for (const cmd of ["check", "plan"]) {
    const r = alignc(dir, cmd, "t.align");
    assert.equal(r.signal, null, `${cmd}: did not finish`);
    assert.equal(r.code, 0, `${cmd}: ${r.err}`);
  }
});

test("a template folder holding only hidden files: the existing AL3001 'no .hbs templates', at the recipe's templates value", () => {
  const dir = setup("only-hidden", false);
  const r = alignc(dir, "check", "t.align");
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /t\.align:4:68: error AL3001: tpl: no \.hbs templates in the folder/);
});

// The plan hashed the folder whole (recursively, every file) while the loader reads its top-level
// `.hbs` files: a README, an editor's backup or a subfolder re-ran every stage downstream of the task.
test("what the loader never reads (a README, a backup `a.hbs~`, a subfolder's templates) leaves every node hash as it was; a new template changes them", () => {
  const dir = templateFolderRecipe(join(tmp, "extras"), true);
  const tpl = join(dir, "tpl");
  const hashes = (): Record<string, string> => {
    const r = alignc(dir, "plan", "--json", "t.align");
    assert.equal(r.code, 0, r.err);
    return Object.fromEntries((JSON.parse(r.out) as { nodes: { id: string; hash: string }[] }).nodes.map((n) => [n.id, n.hash]));
  };
  const before = hashes();
  writeFileSync(join(tpl, "README.md"), "notes\n");
  writeFileSync(join(tpl, "01-equals.hbs~"), "{{a}}?\n|||\n{{sum}}\n");
  mkdirSync(join(tpl, "old"));
  writeFileSync(join(tpl, "old", "99-x.hbs"), "{{a}} and {{b}}?\n|||\n{{sum}}\n");
  assert.deepEqual(hashes(), before);
  writeFileSync(join(tpl, "99-new.hbs"), "{{a}} and {{b}}?\n|||\n{{sum}}\n");
  const after = hashes();
  assert.ok(Object.keys(before).some((id) => after[id] !== before[id]), "a template the loader reads is part of the plan");
});
