// A dead writer's temps are cleared even when the OS has given its pid to another process: the writer
// tag carries the writer's start time (src/common/writer-tag.ts), and every reader of the tag (atomic
// writes, the stage cache's temp entries and half-taken locks, the generation cache, export staging
// folders) judges it by pid and start time. A live pid stands in for a reused one: a child process
// of this test, named with a start time that is not its own. Older names (`<host>-<pid>`, a bare pid)
// are judged by the pid alone, as before.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { processStart } from "../../src/common/fs-probe.js";
import { removeDeadTemps, writeFileAtomicSync } from "../../src/common/atomic-write.js";
import { writerGone, writerTag, WRITER_TAG_RE } from "../../src/common/writer-tag.js";
import { StageCache } from "../../src/run/storage/cache.js";
import { GenerationCache } from "../../src/run/storage/generation-cache.js";
import { acquireLock, LockTimeoutError } from "../../src/run/storage/lock.js";
import { writeExportDir } from "../../src/export/write.js";
import { tempDir } from "./helpers.js";

const here = writerTag().split("-")[0]!;
const ownStart = processStart(process.pid);
// where /proc cannot be read there is no start time to record: tags are `<host>-<pid>` as before
const noProc = ownStart === null ? "no /proc here: tags carry no start time" : false;

/** A live process that is not this one (stands in for a later process given a dead writer's pid). */
async function liveChild(): Promise<{ child: ChildProcess; pid: number; start: string }> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  await new Promise<void>((r, j) => child.once("spawn", r).once("error", j));
  const start = processStart(child.pid!);
  assert.ok(start !== null, "the child's start time reads");
  return { child, pid: child.pid!, start };
}

/** The tag forms for a live pid: the reused one (another start), the true one, and the older forms. */
function forms(pid: number, start: string) {
  return {
    reused: `${here}-${pid}-s${BigInt(start) + 1n}`,
    same: `${here}-${pid}-s${start}`,
    noStart: `${here}-${pid}`,
    bare: `${pid}`,
  };
}

test("the writer tag carries the start time; writerGone tells a reused pid from its first process, older tags by pid alone", { skip: noProc }, async () => {
  assert.match(writerTag(), new RegExp(`^${here}-${process.pid}-s${ownStart}$`));
  assert.match(writerTag(), new RegExp(`^${WRITER_TAG_RE}$`));
  const { child, pid, start } = await liveChild();
  try {
    const f = forms(pid, start);
    assert.equal(writerGone(f.reused), true, "a live pid that started at another time is another process: its writer is gone");
    assert.equal(writerGone(f.same), false);
    assert.equal(writerGone(f.noStart), false, "an older tag: the pid is alive, kept as before");
    assert.equal(writerGone(f.bare), false);
    // this process: its own tag is alive; its pid with another start time was an earlier process
    assert.equal(writerGone(writerTag()), false);
    assert.equal(writerGone(`${here}-${process.pid}-s${BigInt(ownStart!) + 1n}`), true);
    assert.equal(writerGone(`${here}-${process.pid}`), false);
    // another host's tag is never gone, whatever its start time
    const elsewhere = here === "00000000" ? "11111111" : "00000000";
    assert.equal(writerGone(`${elsewhere}-${pid}-s${BigInt(start) + 1n}`), false);
    // a dead pid is gone in every form
    const dead = 2 ** 22 + 1;
    for (const t of [`${here}-${dead}-s${start}`, `${here}-${dead}`, `${dead}`]) assert.equal(writerGone(t), true, t);
  } finally {
    child.kill("SIGKILL");
  }
});

test("temps of a writer whose pid was reused are cleared by every sweep; the live writer's and older names are kept", { skip: noProc }, async () => {
  const { dir, cleanup } = tempDir();
  const { child, pid, start } = await liveChild();
  try {
    const f = forms(pid, start);
    const kept = ["same", "noStart", "bare"] as const;

    // an atomic write's temps beside its target (a recipe, data --export, an export manifest)
    const target = join(dir, "r.align");
    for (const t of Object.values(f)) writeFileSync(join(dir, `.r.align.tmp-${t}-0badcafe`), "half");
    assert.deepEqual(removeDeadTemps(target), [`.r.align.tmp-${f.reused}-0badcafe`]);
    for (const k of kept) assert.ok(existsSync(join(dir, `.r.align.tmp-${f[k]}-0badcafe`)), k);
    // and a durable write goes through it
    writeFileSync(join(dir, `.r.align.tmp-${f.reused}-0badcafe`), "half");
    writeFileAtomicSync(target, "recipe r {}\n");
    assert.ok(!existsSync(join(dir, `.r.align.tmp-${f.reused}-0badcafe`)));

    // the stage cache: temp entries (written, replaced) and half-taken lock files
    const root = join(dir, "cache");
    const hash = "ef".repeat(32);
    mkdirSync(join(root, ".tmp"), { recursive: true });
    mkdirSync(join(root, ".locks"), { recursive: true });
    for (const t of Object.values(f)) {
      mkdirSync(join(root, ".tmp", `${hash}.${t}.0123abcd`));
      mkdirSync(join(root, ".tmp", `${hash}.replaced.${t}.0123abcd`));
      writeFileSync(join(root, ".locks", `${hash}.lock.${t}-0123abcd.tmp`), '{"pid":');
    }
    assert.equal(new StageCache(root).sweep(), 3);
    assert.deepEqual(readdirSync(join(root, ".tmp")).sort(), kept.flatMap((k) => [`${hash}.${f[k]}.0123abcd`, `${hash}.replaced.${f[k]}.0123abcd`]).sort());
    assert.deepEqual(readdirSync(join(root, ".locks")).sort(), kept.map((k) => `${hash}.lock.${f[k]}-0123abcd.tmp`).sort());

    // the generation cache's temps (atomic-write names in its folder)
    mkdirSync(join(root, ".generations"));
    for (const t of Object.values(f)) writeFileSync(join(root, ".generations", `.${hash}.json.tmp-${t}-0123abcd`), "half");
    assert.equal(new GenerationCache(root).sweep(), 1);
    assert.deepEqual(readdirSync(join(root, ".generations")).sort(), kept.map((k) => `.${hash}.json.tmp-${f[k]}-0123abcd`).sort());

    // an export's staging folders: inside the export folder, and beside it
    const out = join(dir, "out");
    mkdirSync(out);
    for (const t of Object.values(f)) {
      mkdirSync(join(out, `.alignc-export.tmp-${t}-0123abcd`));
      mkdirSync(join(dir, `.out.tmp-${t}-0123abcd`));
    }
    writeExportDir(out, [{ path: "EXPORT.md", content: "v1", what: "x" }], { force: true });
    assert.deepEqual(readdirSync(out).filter((n) => n.startsWith(".alignc-export.tmp-")).sort(), kept.map((k) => `.alignc-export.tmp-${f[k]}-0123abcd`).sort());
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith(".out.tmp-")).sort(), kept.map((k) => `.out.tmp-${f[k]}-0123abcd`).sort());
  } finally {
    child.kill("SIGKILL");
    cleanup();
  }
});

test("a lock whose owner's pid now belongs to a process started at another time is broken; its true owner's holds", { skip: noProc }, async () => {
  const { dir, cleanup } = tempDir();
  const { child, pid, start } = await liveChild();
  try {
    const path = join(dir, "x.lock");
    const held = (s: string) => JSON.stringify({ pid, host: hostname(), nonce: `n${s}`, since: "", purpose: "p", start: s });
    writeFileSync(path, held(String(BigInt(start) + 1n)));
    const lock = await acquireLock(path, { waitMs: 0 });
    lock.release();
    writeFileSync(path, held(start));
    await assert.rejects(acquireLock(path, { waitMs: 0 }), LockTimeoutError);
  } finally {
    child.kill("SIGKILL");
    cleanup();
  }
});
