// `alignc label` and `alignc label --stats` read files the user names or keeps beside the labels: a
// FIFO, a device or a folder there is refused at once (exit 1 or 2, never 70), not read forever.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-label-special-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function alignc(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), ...args], { cwd: tmp, encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, signal: r.signal, err: r.stderr };
}

test("label --stats refuses a FIFO, /dev/zero and a folder", () => {
  spawnSync("mkfifo", [join(tmp, "fifo.jsonl")]);
  mkdirSync(join(tmp, "folder.jsonl"));
  for (const f of ["fifo.jsonl", "/dev/zero", "folder.jsonl"]) {
    const r = alignc("label", "--stats", f);
    assert.equal(r.signal, null, `${f}: did not finish`);
    assert.equal(r.code, 1, `${f}: ${r.err}`);
    assert.match(r.err, /not a regular file|is a folder/);
  }
});

test("label refuses a skips file beside the labels that is a FIFO or a device", () => {
  writeFileSync(join(tmp, "cands.jsonl"), ["q0", "q1"].map((q) => JSON.stringify({ prompt: q, responses: ["a", "b", "c", "d"] })).join("\n") + "\n");
  writeFileSync(join(tmp, "l.align"), 'recipe l { seed = 1 }\nsource cands = jsonl("cands.jsonl") as candidates { labels = prefs }\nsource prefs = jsonl("labels.jsonl") as rankings { k = 4..4 }\n');
  writeFileSync(join(tmp, "labels.jsonl"), "");
  spawnSync("mkfifo", [join(tmp, "labels.skips.jsonl")]);
  let r = alignc("label", "l.align", "--source", "cands", "--port", "0");
  assert.equal(r.signal, null, "did not finish");
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /labels\.skips\.jsonl is a FIFO/);
  rmSync(join(tmp, "labels.skips.jsonl"));
  symlinkSync("/dev/zero", join(tmp, "labels.skips.jsonl"));
  r = alignc("label", "l.align", "--source", "cands", "--port", "0");
  assert.equal(r.signal, null, "did not finish");
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /labels\.skips\.jsonl is a character device/);
});
