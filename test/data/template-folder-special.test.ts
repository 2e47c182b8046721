// A FLAN template folder (`templates = dir("…")`) is read file by file: a FIFO or a folder named
// `*.hbs` in it is refused with a located error (it used to block `alignc check` forever, or be exit 70).
// Each test has its own cache folder: check keeps answers per folder content, which a FIFO or an empty
// folder does not change.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { alignc, templateFolderRecipe } from "./template-folder-fixture.js";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();

const tmp = mkdtempSync(join(tmpdir(), "alignc-tpl-special-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const setup = (name: string): string => templateFolderRecipe(join(tmp, name));

test("a FIFO named *.hbs in a template folder is refused by check and plan", () => {
  const dir = setup("fifo");
  spawnSync("mkfifo", [join(dir, "tpl", "99-pipe.hbs")]);
  for (const cmd of ["check", "plan"]) {
    const r = alignc(dir, cmd, "t.align");
    assert.equal(r.signal, null, `${cmd}: did not finish`);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /error AL3001: .*99-pipe\.hbs.*FIFO/);
  }
});

test("a folder named *.hbs in a template folder is refused, not exit 70", () => {
  const dir = setup("folder");
  mkdirSync(join(dir, "tpl", "99-folder.hbs"));
  const r = alignc(dir, "check", "t.align");
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /error AL3001: .*99-folder\.hbs.*folder/);
});

test("an empty folder named *.hbs added after a passing check is refused by the next check, warm cache and all", () => {
  const dir = setup("folder-warm");
  for (let i = 0; i < 2; i++) assert.equal(alignc(dir, "check", "t.align").code, 0); // the answer cached
  mkdirSync(join(dir, "tpl", "99-folder.hbs"));
  for (const cmd of ["check", "plan"]) {
    const r = alignc(dir, cmd, "t.align");
    assert.equal(r.code, 1, `${cmd}: ${r.err}`);
    assert.match(r.err, /error AL3001: .*99-folder\.hbs.*folder/);
  }
});

test("a symlinked template in a template folder is part of the plan: editing its target changes the hash", () => {
  const dir = setup("link");
  writeFileSync(join(dir, "shared.hbs"), "{{a}}+{{b}}=\n|||\n{{sum}}\n");
  symlinkSync("../shared.hbs", join(dir, "tpl", "50-linked.hbs"));
  const plan = () => {
    const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "plan", "--json", "t.align"], { cwd: dir, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const before = plan();
  assert.match(before, /tpl\/50-linked\.hbs/, "the plan lists the linked template among the folder's files");
  writeFileSync(join(dir, "shared.hbs"), "{{a}} plus {{b}} equals\n|||\n{{sum}}\n");
  assert.notEqual(plan(), before, "the data changed, so the plan (and the cached stages) must too");
});

// A broken link or a link loop left out of the folder's hash let a warm cache pass check and plan
// where a cold one failed on it (the loader reads every entry): refused either way now.
test("a broken symlink or a symlink loop added to a template folder after a passing check is refused by the next check and plan, warm cache and all", () => {
  for (const [name, make] of [
    ["broken", (tpl: string) => symlinkSync("/nonexistent/nothing.hbs", join(tpl, "06-dangling.hbs"))],
    ["loop", (tpl: string) => (symlinkSync("l2.hbs", join(tpl, "l1.hbs")), symlinkSync("l1.hbs", join(tpl, "l2.hbs")))],
  ] as const) {
    const dir = setup(`link-${name}`);
    for (let i = 0; i < 2; i++) assert.equal(alignc(dir, "check", "t.align").code, 0); // the answer cached
    make(join(dir, "tpl"));
    for (const cmd of ["check", "plan"]) {
      const r = alignc(dir, cmd, "t.align");
      assert.equal(r.code, 1, `${name} ${cmd}: ${r.err}`);
      assert.match(r.err, name === "broken" ? /error AL3001: .*06-dangling\.hbs(: template does not exist| is a symbolic link to nothing \(broken\))/ : /error AL3001: .*l[12]\.hbs.*(loop|ELOOP)/);
    }
  }
});

// The code fingerprint's walk of src/ must not stop every plan on an editor's lock file (Emacs leaves
// `.#name` links that point nowhere); a template folder is listed by name instead (the test above).
test("a folder walk skips a broken symlink", async () => {
  const { listFolderFiles } = await import("../../src/lang/read-file.js");
  const dir = join(tmp, "walk");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "a.ts"), "x");
  symlinkSync("user@host.1234:1700000000", join(dir, ".#a.ts"));
  assert.deepEqual(listFolderFiles(dir, { dotFiles: true }), ["a.ts"]);
});
