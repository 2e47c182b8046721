// An export's manifest and folder can be edited by hand (or come from elsewhere): a re-export must
// never remove a file outside the export folder, whether a manifest entry names `../x` or the user
// replaced one of its folders by a symlink to their own data.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { MANIFEST_NAME, sha256 } from "../../src/export/manifest.js";
import { ExportWriteError, writeExportDir } from "../../src/export/write.js";
import type { ExportFile } from "../../src/export/types.js";

const fresh = () => mkdtempSync(join(tmpdir(), "alignc-own-paths-"));
const file = (path: string, content: string): ExportFile => ({ path, content, what: "x" });

test("a stale file under a folder the user replaced by a symlink is kept, and so is its target", () => {
  const root = fresh();
  const out = join(root, "out");
  writeExportDir(out, [file("EXPORT.md", "v1"), file("data/sft/train.jsonl", "rows\n")]);
  // the user keeps the (identical) rows elsewhere and links them in
  mkdirSync(join(root, "mine"));
  renameSync(join(out, "data", "sft"), join(root, "mine", "sft"));
  symlinkSync(join(root, "mine", "sft"), join(out, "data", "sft"));
  // the next export no longer has data/sft (the stage was renamed)
  const r = writeExportDir(out, [file("EXPORT.md", "v2"), file("data/sft2/train.jsonl", "rows\n")]);
  assert.equal(readFileSync(join(root, "mine", "sft", "train.jsonl"), "utf8"), "rows\n", "the user's file outside the export survives");
  assert.deepEqual(r.removed, []);
  assert.deepEqual(r.kept, ["data/sft/train.jsonl"]);
  assert.equal(readFileSync(join(out, "data", "sft2", "train.jsonl"), "utf8"), "rows\n");
});

for (const bad of ["../victim.txt", "/VICTIM", "a/../../victim.txt", "./EXPORT.md", "a//b"]) {
  test(`a manifest naming ${JSON.stringify(bad)} is refused and nothing is removed`, () => {
    const root = fresh();
    const out = join(root, "out");
    writeExportDir(out, [file("EXPORT.md", "v1")]);
    const victim = join(root, "victim.txt");
    writeFileSync(victim, "precious");
    const m = JSON.parse(readFileSync(join(out, MANIFEST_NAME), "utf8")) as { files: Record<string, string> };
    m.files[bad.replace("VICTIM", victim.slice(1))] = sha256("precious");
    writeFileSync(join(out, MANIFEST_NAME), JSON.stringify(m));
    assert.throws(() => writeExportDir(out, [file("EXPORT.md", "v2")]), (e: unknown) => e instanceof ExportWriteError && /not an alignc export manifest/.test((e as Error).message));
    assert.ok(existsSync(victim), "the file outside the export folder is still there");
    assert.equal(readFileSync(join(out, "EXPORT.md"), "utf8"), "v1", "nothing written");
  });
}

test("a staging folder left inside the export folder by a killed export is cleared, not taken for a user's file", () => {
  const out = join(fresh(), "out");
  mkdirSync(out);
  const gone = spawnSync(process.execPath, ["-e", ""]).pid!; // exited and reaped: its pid is free
  mkdirSync(join(out, `.alignc-export.tmp-${gone}-0123abcd`, "configs"), { recursive: true });
  writeExportDir(out, [file("EXPORT.md", "v1")]);
  assert.ok(!existsSync(join(out, `.alignc-export.tmp-${gone}-0123abcd`)));
  assert.equal(readFileSync(join(out, "EXPORT.md"), "utf8"), "v1");
});

test("--out a dangling symlink, a symlink loop or a path through a file is an ExportWriteError, nothing made (it was exit 70)", () => {
  const root = fresh();
  symlinkSync("nowhere", join(root, "dangling"));
  symlinkSync("loop", join(root, "loop"));
  writeFileSync(join(root, "f"), "mine\n");
  for (const [out, msg] of [
    ["dangling", /symbolic link to nothing \(nowhere\)/],
    ["loop", /leads back to itself/],
    ["f/out", /cannot write to .*ENOTDIR.*nothing written/],
    ["dangling/out", /cannot write to .*nothing written/],
  ] as const)
    assert.throws(() => writeExportDir(join(root, out), [file("EXPORT.md", "v1")]), (e: unknown) => e instanceof ExportWriteError && msg.test(e.message), out);
  assert.ok(!existsSync(join(root, "nowhere")), "no folder made through the dangling link");
  assert.equal(readFileSync(join(root, "f"), "utf8"), "mine\n");
});

test("a FIFO or a folder where the export's manifest goes is refused at once, naming it (a FIFO blocked the export for good)", { skip: process.platform === "win32" && "no mkfifo" }, () => {
  for (const make of ["fifo", "folder"] as const) {
    const out = join(fresh(), "out");
    mkdirSync(out);
    if (make === "fifo") spawnSync("mkfifo", [join(out, MANIFEST_NAME)]);
    else mkdirSync(join(out, MANIFEST_NAME));
    assert.throws(() => writeExportDir(out, [file("EXPORT.md", "v1")]), (e: Error) => e instanceof ExportWriteError && e.message.includes(MANIFEST_NAME), make);
    assert.ok(!existsSync(join(out, "EXPORT.md")), `${make}: nothing written`);
  }
});

test("a folder in the way is named once, however many files of the export it would hold", () => {
  const out = join(fresh(), "out");
  mkdirSync(out);
  writeFileSync(join(out, "configs"), "a file where the export needs a folder");
  const files = [file("configs/a.yaml", "a"), file("configs/b.yaml", "b"), file("configs/c.yaml", "c")];
  assert.throws(
    () => writeExportDir(out, files, { force: true }),
    (e: unknown) => e instanceof ExportWriteError && (e.message.match(/configs \(not a plain folder\)/g) ?? []).length === 1,
  );
  assert.equal(readFileSync(join(out, "configs"), "utf8"), "a file where the export needs a folder");
});

test("a manifest that is a symlink (to another export's manifest, or dangling) is refused: the files it names here are not proven alignc's", () => {
  const root = fresh();
  const a = join(root, "a");
  writeExportDir(a, [file("EXPORT.md", "v1"), file("notes.md", "same")]);
  const b = join(root, "b");
  mkdirSync(b);
  writeFileSync(join(b, "notes.md"), "same"); // the user's own file, identical to what export a wrote
  symlinkSync(join(a, MANIFEST_NAME), join(b, MANIFEST_NAME));
  assert.throws(() => writeExportDir(b, [file("EXPORT.md", "v2")]), (e: Error) => e instanceof ExportWriteError && /is a symbolic link, not the manifest alignc wrote/.test(e.message));
  assert.equal(readFileSync(join(b, "notes.md"), "utf8"), "same", "the user's file is still there");
  assert.ok(!existsSync(join(b, "EXPORT.md")), "nothing written");
  const c = join(root, "c");
  mkdirSync(c);
  symlinkSync(join(root, "nowhere"), join(c, MANIFEST_NAME));
  assert.throws(() => writeExportDir(c, [file("EXPORT.md", "v2")]), (e: Error) => e instanceof ExportWriteError && /symbolic link/.test(e.message), "dangling");
});

// huntH42 F1: a recipe that reads an earlier export's rows (a variant trained on `out/data/sft/train.jsonl`)
// exported into the same folder: the rows it read were replaced (same stage name) or removed as stale
// (another stage name), exit 0, and the recipe just exported no longer checked (AL2016).
test("an earlier export's file that the recipe now reads is neither replaced nor removed", () => {
  const out = join(fresh(), "out");
  writeExportDir(out, [file("EXPORT.md", "v1"), file("data/sft/train.jsonl", "rows\n")]);
  const input = join(out, "data", "sft", "train.jsonl");
  // the stage renamed: the file is stale, and kept
  const r = writeExportDir(out, [file("EXPORT.md", "v2"), file("data/tune/train.jsonl", "new rows\n")], { inputs: [input] });
  assert.equal(readFileSync(input, "utf8"), "rows\n", "the recipe's input is still there");
  assert.deepEqual(r.removed, []);
  assert.deepEqual(r.kept, ["data/sft/train.jsonl"]);
  // the same stage name: the export would replace it, and is refused with nothing written
  const out2 = join(fresh(), "out");
  writeExportDir(out2, [file("EXPORT.md", "v1"), file("data/sft/train.jsonl", "rows\n")]);
  const input2 = join(out2, "data", "sft", "train.jsonl");
  assert.throws(
    () => writeExportDir(out2, [file("EXPORT.md", "v2"), file("data/sft/train.jsonl", "new rows\n")], { inputs: [input2] }),
    (e: unknown) => e instanceof ExportWriteError && /data\/sft\/train\.jsonl \(a file this recipe reads\)/.test((e as Error).message),
  );
  assert.equal(readFileSync(input2, "utf8"), "rows\n");
  assert.equal(readFileSync(join(out2, "EXPORT.md"), "utf8"), "v1", "nothing written");
});
