// An export folder's ownership rules (issue 15): alignc replaces or removes only the files its
// manifest lists and that are unchanged since; the cluster's outputs/, the user's files and edited
// configs survive every re-export, and a folder alignc did not make is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileExport } from "../../src/export/compile.js";
import { MANIFEST_NAME } from "../../src/export/manifest.js";
import { writeExportDir } from "../../src/export/write.js";
import type { ExportFile, ExportOptions } from "../../src/export/types.js";
import { fixtureInput } from "./fixture.js";

const opts = (o: Partial<ExportOptions>): ExportOptions => ({ to: "trl", nodes: 1, gpusPerNode: 8, dropPtx: false, ...o });
const exportFiles = (): ExportFile[] => compileExport(fixtureInput({ without: ["policy"] }), opts({ to: "trl" })).files;
const fresh = () => mkdtempSync(join(tmpdir(), "alignc-own-"));

test("a re-export keeps outputs/ and every file alignc did not write", () => {
  const root = fresh();
  const out = join(root, "out");
  const files = exportFiles();
  writeExportDir(out, files);
  assert.ok(existsSync(join(out, MANIFEST_NAME)));
  mkdirSync(join(out, "outputs", "sft"), { recursive: true });
  writeFileSync(join(out, "outputs", "sft", "model.safetensors"), "trained weights");
  writeFileSync(join(out, "notes.txt"), "mine");
  writeExportDir(out, files);
  assert.equal(readFileSync(join(out, "outputs", "sft", "model.safetensors"), "utf8"), "trained weights");
  assert.equal(readFileSync(join(out, "notes.txt"), "utf8"), "mine");
  for (const f of files) assert.equal(readFileSync(join(out, f.path), "utf8"), f.content);
  assert.deepEqual(readdirSync(root), ["out"], "no temp folders left");
});

test("files an export no longer has are removed only when unchanged", () => {
  const out = join(fresh(), "out");
  const extra: ExportFile[] = [...exportFiles(), { path: "old/a.txt", content: "a", what: "x" }, { path: "old/b.txt", content: "b", what: "x" }];
  writeExportDir(out, extra);
  writeFileSync(join(out, "old", "b.txt"), "edited by the user");
  const r = writeExportDir(out, exportFiles());
  assert.deepEqual(r.removed, ["old/a.txt"]);
  assert.deepEqual(r.kept, ["old/b.txt"]);
  assert.ok(!existsSync(join(out, "old", "a.txt")));
  assert.equal(readFileSync(join(out, "old", "b.txt"), "utf8"), "edited by the user");
  // no longer in the manifest: a third export leaves it alone too
  writeExportDir(out, exportFiles());
  assert.equal(readFileSync(join(out, "old", "b.txt"), "utf8"), "edited by the user");
});

test("an edited config blocks the re-export instead of being overwritten", () => {
  const out = join(fresh(), "out");
  writeExportDir(out, exportFiles());
  writeFileSync(join(out, "configs", "sft.yaml"), "my tuned config");
  assert.throws(() => writeExportDir(out, exportFiles()), /configs\/sft\.yaml \(changed since alignc wrote it\)/);
  assert.throws(() => writeExportDir(out, exportFiles(), { force: true }), /changed since/);
  assert.equal(readFileSync(join(out, "configs", "sft.yaml"), "utf8"), "my tuned config");
});

test("a folder alignc did not make is refused, even when it holds a file named EXPORT.md", () => {
  const dir = join(fresh(), "mine");
  mkdirSync(dir);
  writeFileSync(join(dir, "EXPORT.md"), "my notes");
  writeFileSync(join(dir, "thesis.tex"), "keep");
  assert.throws(() => writeExportDir(dir, exportFiles()), /not an alignc export folder/);
  assert.throws(() => writeExportDir(dir, exportFiles(), { force: true }), /EXPORT\.md \(not written by alignc\)/);
  assert.deepEqual(readdirSync(dir).sort(), ["EXPORT.md", "thesis.tex"]);
  assert.equal(readFileSync(join(dir, "EXPORT.md"), "utf8"), "my notes");
});

test("--force adds the export beside foreign files without touching them", () => {
  const dir = join(fresh(), "mine");
  mkdirSync(dir);
  writeFileSync(join(dir, "thesis.tex"), "keep");
  writeExportDir(dir, exportFiles(), { force: true });
  assert.equal(readFileSync(join(dir, "thesis.tex"), "utf8"), "keep");
  assert.ok(existsSync(join(dir, "EXPORT.md")));
  // from now on it is an export folder: a plain re-export works and still keeps thesis.tex
  writeExportDir(dir, exportFiles());
  assert.equal(readFileSync(join(dir, "thesis.tex"), "utf8"), "keep");
});

test("a broken manifest is refused, not trusted", () => {
  const out = join(fresh(), "out");
  writeExportDir(out, exportFiles());
  writeFileSync(join(out, MANIFEST_NAME), "{");
  assert.throws(() => writeExportDir(out, exportFiles()), /not valid JSON/);
  assert.ok(existsSync(join(out, "EXPORT.md")));
});

test("a re-export removes the empty folders it made, never an empty folder the user made", () => {
  const extra = (dir: string): ExportFile[] => [...exportFiles(), { path: `${dir}/deep/a.txt`, content: "a", what: "x" }];
  // alignc made old/deep: removed with its last file
  const out = join(fresh(), "out");
  writeExportDir(out, extra("old"));
  assert.deepEqual(writeExportDir(out, exportFiles()).removed, ["old/deep/a.txt"]);
  assert.ok(!existsSync(join(out, "old")), "old/ and old/deep/ were alignc's");
  // the user made mine/deep (empty) before an export with --force put a file in it: the file goes, the folders stay
  const user = join(fresh(), "user");
  mkdirSync(join(user, "mine", "deep"), { recursive: true });
  writeExportDir(user, extra("mine"), { force: true });
  assert.deepEqual(writeExportDir(user, exportFiles()).removed, ["mine/deep/a.txt"]);
  assert.deepEqual(readdirSync(join(user, "mine")), ["deep"], "the user's empty folders are left where they were");
  assert.deepEqual(readdirSync(join(user, "mine", "deep")), []);
  // a manifest written before alignc recorded its folders: nothing it cannot tell is its own is removed
  const older = join(fresh(), "older");
  writeExportDir(older, extra("old"));
  const m = JSON.parse(readFileSync(join(older, MANIFEST_NAME), "utf8")) as { dirs?: string[] };
  delete m.dirs;
  writeFileSync(join(older, MANIFEST_NAME), JSON.stringify(m));
  writeExportDir(older, exportFiles());
  assert.ok(existsSync(join(older, "old", "deep")) && !existsSync(join(older, "old", "deep", "a.txt")));
});

/** `f` with a content getter that runs `edit` once, at its `nth` read: writeExportDir reads every
 * file's content once to hash it (after checking what is in the way) and once more to stage it, so
 * n = 1 edits the folder between the first check and staging, n = 2 while the export is staged. */
const editingAt = (f: ExportFile, nth: number, edit: () => void): ExportFile => {
  let reads = 0;
  return {
    ...f,
    get content() {
      if (++reads === nth) edit();
      return f.content;
    },
  };
};

// Ownership was decided once, before staging (seconds for a large export), then files were renamed
// over and stale ones removed without a second look: an edit made meanwhile was lost, exit 0.
test("a file the user edits while an export is staged is theirs: an edited file in the way stops the export, an edited stale one is kept", () => {
  const out = join(fresh(), "out");
  const files = exportFiles();
  writeExportDir(out, [...files, { path: "old/a.txt", content: "a", what: "x" }]);
  const target = files[1]!.path;
  const edited = (p: string) => () => writeFileSync(join(out, p), readFileSync(join(out, p), "utf8") + "# my note\n");
  assert.throws(() => writeExportDir(out, [editingAt(files[0]!, 1, edited(target)), ...files.slice(1)]), /in the way \(changed while the export was staged\): .*changed since alignc wrote it.*nothing written/);
  assert.match(readFileSync(join(out, target), "utf8"), /# my note\n$/, "the edit is kept");
  assert.deepEqual(readdirSync(join(out, "..")), ["out"], "no staging folder left");
  writeFileSync(join(out, target), files[1]!.content); // back to alignc's content
  const r = writeExportDir(out, [editingAt(files[0]!, 2, edited("old/a.txt")), ...files.slice(1)]);
  assert.deepEqual([r.removed, r.kept], [[], ["old/a.txt"]]);
  assert.equal(readFileSync(join(out, "old", "a.txt"), "utf8"), "a# my note\n");
});

test("a re-export keeps the permissions the user gave a file it replaces", () => {
  const out = join(fresh(), "out");
  const files = exportFiles();
  writeExportDir(out, files);
  const [cfg, sh] = [files.find((f) => f.path.endsWith(".yaml"))!.path, files.find((f) => f.path.endsWith(".sh"))!.path];
  assert.equal(statSync(join(out, sh)).mode & 0o777, 0o755);
  chmodSync(join(out, cfg), 0o600);
  chmodSync(join(out, sh), 0o700);
  writeExportDir(out, files);
  assert.deepEqual([statSync(join(out, cfg)).mode & 0o777, statSync(join(out, sh)).mode & 0o777], [0o600, 0o700]);
});
