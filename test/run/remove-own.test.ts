// Removing what alignc wrote never takes a user's file with it (huntD39 L4): a cache entry, a replaced
// entry and a checkpoint folder are removed file by file from their records; anything else is kept, its
// folder renamed `….foreign-<time>` (a name no reader takes for an entry or a checkpoint), and said.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StageCache } from "../../src/run/storage/cache.js";
import { removeRecorded } from "../../src/run/storage/remove-own.js";
import { pruneCache } from "../../src/run/storage/prune.js";
import { writerTag } from "../../src/common/writer-tag.js";
import { tempDir } from "./helpers.js";

const H = (c: string) => c.repeat(64);
const put = (cache: StageCache, hash: string) =>
  cache.put(hash, { kind: "stage.sft", label: "sft", seconds: 1 }, (d) => {
    writeFileSync(join(d, "model.safetensors"), Buffer.alloc(64, 1));
    mkdirSync(join(d, "tok"));
    writeFileSync(join(d, "tok", "vocab.json"), "{}");
  });

test("removeRecorded: the recorded files and the folders they leave empty go; anything else stays and is listed; a record pointing outside removes nothing there", () => {
  const { dir, cleanup } = tempDir();
  try {
    const d = join(dir, "e");
    mkdirSync(join(d, "a", "b"), { recursive: true });
    mkdirSync(join(d, "mine"));
    writeFileSync(join(d, "a", "b", "w.bin"), "w");
    writeFileSync(join(d, "x.json"), "{}");
    writeFileSync(join(d, "mine", "notes.txt"), "mine");
    writeFileSync(join(dir, "outside.txt"), "mine too");
    const left = removeRecorded(d, ["a/b/w.bin", "x.json", "../outside.txt", "/etc/passwd", "gone.bin", "mine"]);
    assert.deepEqual(left, ["mine/notes.txt"]);
    assert.ok(!existsSync(join(d, "a")), "emptied folders go");
    assert.equal(readFileSync(join(d, "mine", "notes.txt"), "utf8"), "mine");
    assert.equal(readFileSync(join(dir, "outside.txt"), "utf8"), "mine too");
    assert.deepEqual(removeRecorded(d, ["mine/notes.txt"]), []);
    assert.ok(!existsSync(d), "the folder itself goes once empty");
  } finally {
    cleanup();
  }
});

// reviewR40 H1: unlinkSync follows every link of a path but its last, so a record naming `ln/x` where `ln` is
// a link to a user's folder deleted the user's x (and the emptied-folder pass removed folders in there)
test("removeRecorded never removes through a link: a recorded `ln/x` or `ln/sub/y`, `ln` a link to a user's folder, leaves that folder whole", () => {
  const { dir, cleanup } = tempDir();
  try {
    const d = join(dir, "e");
    const theirs = join(dir, "theirs");
    mkdirSync(join(theirs, "sub"), { recursive: true });
    writeFileSync(join(theirs, "x"), "mine");
    writeFileSync(join(theirs, "sub", "y"), "mine");
    mkdirSync(d);
    symlinkSync(theirs, join(d, "ln"));
    writeFileSync(join(d, "w.bin"), "w");
    writeFileSync(join(d, "entry.json"), "{}");
    const left = removeRecorded(d, ["w.bin", "ln/x", "ln/sub/y", "entry.json"], "entry.json");
    assert.deepEqual(left, ["ln"], "the link stays (a user's), listed");
    assert.equal(readFileSync(join(theirs, "x"), "utf8"), "mine");
    assert.equal(readFileSync(join(theirs, "sub", "y"), "utf8"), "mine");
    assert.ok(!existsSync(join(d, "w.bin")) && !existsSync(join(d, "entry.json")));
  } finally {
    cleanup();
  }
});

test("cache.remove and a replacing put keep a user's file put inside an entry, in `<hash>.foreign-<time>`, and say so", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = new StageCache(dir);
    await put(cache, H("a"));
    writeFileSync(join(dir, H("a"), "tok", "my-notes.txt"), "mine");
    const kept = cache.remove(H("a"));
    assert.equal(cache.get(H("a")), null);
    assert.ok(kept && kept.path.startsWith(join(dir, `${H("a")}.foreign-`)));
    assert.deepEqual(kept.files, ["tok/my-notes.txt"]);
    assert.equal(readFileSync(join(kept.path, "tok", "my-notes.txt"), "utf8"), "mine");
    assert.deepEqual(readdirSync(kept.path).sort(), ["tok"], "alignc's files went");
    assert.deepEqual(readdirSync(join(dir, ".tmp")), [], "nothing left in .tmp, whose dead writers' folders sweep() removes whole");
    // an entry without a user's file goes whole
    await put(cache, H("b"));
    assert.equal(cache.remove(H("b")), null);
    assert.ok(!existsSync(join(dir, H("b"))));
    // --force's replacement (put with replace) of an entry holding a user's file
    await put(cache, H("c"));
    writeFileSync(join(dir, H("c"), "thesis.tex"), "mine");
    const again = await cache.put(H("c"), { kind: "stage.sft", label: "again", seconds: 1 }, (d) => writeFileSync(join(d, "model.safetensors"), "new"), { replace: true });
    assert.equal(cache.get(H("c"))!.meta.label, "again");
    assert.ok(again.kept);
    assert.deepEqual(again.kept.files, ["thesis.tex"]);
    assert.equal(readFileSync(join(again.kept.path, "thesis.tex"), "utf8"), "mine");
  } finally {
    cleanup();
  }
});

test("checkpoints: rotation, clearing and prune keep a user's file put in a checkpoint folder; a resume never takes the kept folder for a checkpoint", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = new StageCache(dir);
    const save = (step: number) => cache.saveCheckpoint(H("d"), step, (d) => writeFileSync(join(d, "weights.bin"), String(step)));
    await save(1);
    const first = cache.latestCheckpoint(H("d"))!;
    writeFileSync(join(first.dir, "plot.png"), "mine");
    await save(2);
    await save(3); // rotates ckpt 1 out (keep 2)
    assert.deepEqual(cache.checkpoints(H("d")).map((c) => c.step), [2, 3]);
    const base = join(dir, ".partial", H("d"));
    const aside = readdirSync(base).filter((n) => n.includes(".foreign-"));
    assert.equal(aside.length, 1);
    assert.deepEqual(readdirSync(join(base, aside[0]!)), ["plot.png"]);
    // clearing (the node finished): a user's file in a checkpoint and one beside them are kept and listed
    writeFileSync(join(cache.latestCheckpoint(H("d"))!.dir, "log.txt"), "mine");
    writeFileSync(join(base, "readme.md"), "mine");
    const kept = cache.clearCheckpoints(H("d"));
    assert.deepEqual(kept.map((k) => k.files), [["log.txt"], [aside[0]!, "readme.md"].sort()]);
    assert.deepEqual(cache.checkpoints(H("d")), []);
    assert.equal(readFileSync(join(base, "readme.md"), "utf8"), "mine");
    // a node whose checkpoints hold nothing of a user's leaves no folder
    await cache.saveCheckpoint(H("e"), 5, (d) => writeFileSync(join(d, "weights.bin"), "5"));
    assert.deepEqual(cache.clearCheckpoints(H("e")), []);
    assert.ok(!existsSync(join(dir, ".partial", H("e"))));
    // prune (no run names H("f")): the user's file kept, and in the report
    await cache.saveCheckpoint(H("f"), 7, (d) => writeFileSync(join(d, "weights.bin"), "7"));
    writeFileSync(join(cache.latestCheckpoint(H("f"))!.dir, "mine.txt"), "mine");
    await put(cache, H("0"));
    writeFileSync(join(dir, H("0"), "mine.txt"), "mine");
    mkdirSync(join(dir, "runs"));
    const entryBytes = statSync(join(dir, H("0"), "entry.json")).size;
    const doneBytes = statSync(join(cache.latestCheckpoint(H("f"))!.dir, "DONE")).size;
    const r = await pruneCache(dir, [join(dir, "runs")]);
    assert.deepEqual(r.removed.map((p) => p.hash), [H("0")]);
    assert.deepEqual(r.checkpoints.map((p) => p.hash), [H("f")]);
    assert.deepEqual(r.keptFiles.map((k) => k.files), [["mine.txt"], ["mine.txt"]]);
    // the bytes removed, without the user's 4-byte files kept (reviewR40 L3): the model, the vocabulary and entry.json; the weights and DONE
    assert.equal(r.removed[0]!.bytes, 64 + 2 + entryBytes);
    assert.equal(r.checkpoints[0]!.bytes, 1 + doneBytes);
    for (const k of r.keptFiles) assert.equal(readFileSync(join(k.path, "mine.txt"), "utf8"), "mine");
    // a node whose rotation kept a checkpoint folder for a user's file (`ckpt-….foreign-…`) still has its own
    // checkpoints pruned, the kept folder left and listed (docsY40 L6: the folder became a stranger's whole)
    await cache.saveCheckpoint(H("9"), 1, (d) => writeFileSync(join(d, "weights.bin"), "1"));
    writeFileSync(join(cache.latestCheckpoint(H("9"))!.dir, "mine.txt"), "mine");
    for (const step of [2, 3]) await cache.saveCheckpoint(H("9"), step, (d) => writeFileSync(join(d, "weights.bin"), String(step)));
    const again = await pruneCache(dir, [join(dir, "runs")]);
    assert.deepEqual(again.checkpoints.map((p) => p.hash), [H("9")]);
    assert.deepEqual(cache.checkpoints(H("9")), []);
    assert.equal(again.keptFiles.length, 1);
    assert.match(again.keptFiles[0]!.files[0]!, /^ckpt-000000001\.foreign-/);
  } finally {
    cleanup();
  }
});

// a kill -9 in the middle of a removal leaves the folder set aside with its record (removed last): what
// finishes the removal later (sweep() for entries, the node's next clear or save for checkpoints) takes
// only the recorded files too; they were removed whole
test("a removal a kill stopped is finished from its record: an entry set aside in .tmp and a checkpoint `.rm-ckpt-…` keep a user's file", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = new StageCache(dir);
    const dead = `${writerTag().split("-")[0]}-${2 ** 22 + 1}`; // this host, a pid no process has
    await put(cache, H("a"));
    writeFileSync(join(dir, H("a"), "mine.txt"), "mine");
    mkdirSync(join(dir, ".tmp"), { recursive: true });
    renameSync(join(dir, H("a")), join(dir, ".tmp", `${H("a")}.deleted.${dead}.0123abcd`));
    assert.equal(cache.sweep(), 1);
    assert.deepEqual(readdirSync(join(dir, ".tmp")), []);
    const kept = readdirSync(dir).filter((n) => n.startsWith(`${H("a")}.foreign-`));
    assert.equal(kept.length, 1);
    assert.deepEqual(readdirSync(join(dir, kept[0]!)), ["mine.txt"]);

    await cache.saveCheckpoint(H("b"), 3, (d) => writeFileSync(join(d, "weights.bin"), "3"));
    const ck = cache.latestCheckpoint(H("b"))!;
    writeFileSync(join(ck.dir, "mine.txt"), "mine");
    const base = join(dir, ".partial", H("b"));
    renameSync(ck.dir, join(base, `.rm-ckpt-000000003-${dead}-0123abcd`));
    assert.deepEqual(cache.checkpoints(H("b")), [], "a checkpoint being removed is never resumed from");
    const k = cache.clearCheckpoints(H("b"));
    assert.deepEqual(k.map((x) => x.files), [["mine.txt"]]);
    assert.match(k[0]!.path, /ckpt-000000003\.foreign-/);
    assert.deepEqual(readdirSync(k[0]!.path), ["mine.txt"]);
  } finally {
    cleanup();
  }
});
