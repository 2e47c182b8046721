// `alignc export` stopped by a signal while it writes: the files are staged in `.OUT.tmp-PID-…` beside
// the output folder, that is in the user's folder. SIGINT, SIGTERM and SIGHUP must leave no staging
// folder there (the export completes, then the process dies of the signal); after a SIGKILL, which
// cannot be caught, the next export removes what the killed one left and writes the same files as an
// uninterrupted export, touching nothing else.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../repo-root.js";
import { signalAt } from "../cli/signal-at.js";
import { writerTag } from "../../src/common/writer-tag.js";

/** This host's part of a writer tag: what every temp alignc writes carries (writer-tag.ts). */
const host = writerTag().split("-")[0]!;

const root = repoRoot();
const HF = join(root, "recipes", "exports", "quickstart-hf.align");
const ARGS = ["export", HF, "--to", "trl", "--drop-ptx", "--out", "out"];
const tmp = mkdtempSync(join(tmpdir(), "alignc-export-interrupt-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Every file under `dir`, path → content. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

function exportTo(cwd: string) {
  return spawnSync(process.execPath, [join(root, "bin", "alignc.js"), ...ARGS], { cwd, encoding: "utf8" });
}

let reference: Record<string, string> | undefined;
function uninterrupted(): Record<string, string> {
  if (reference) return reference;
  const d = mkdtempSync(join(tmp, "ref-"));
  const r = exportTo(d);
  assert.equal(r.status, 0, r.stderr);
  return (reference = files(join(d, "out")));
}

const isStaging = (name: string) => name.startsWith(".out.tmp-");

for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  test(`export stopped by ${sig} while it stages its files leaves no staging folder beside the output`, async () => {
    const d = mkdtempSync(join(tmp, `${sig}-`));
    const r = await signalAt(ARGS, { cwd: d, watchDir: d, when: isStaging, signals: [sig] });
    assert.ok(r.fired, "the staging folder appeared (the signal came while files were written)");
    assert.equal(r.signal, sig, `died of the signal (exit ${r.code}): ${r.stderr}`);
    assert.deepEqual(readdirSync(d), ["out"], "nothing but the output folder");
    assert.deepEqual(files(join(d, "out")), uninterrupted(), "the export is complete");
  });
}

test("after a SIGKILL mid-export, the next export clears the killed one's staging folder and writes what an uninterrupted one writes", async () => {
  const d = mkdtempSync(join(tmp, "kill-"));
  const r = await signalAt(ARGS, { cwd: d, watchDir: d, when: isStaging, signals: ["SIGKILL"] });
  assert.ok(r.fired);
  assert.ok(readdirSync(d).some(isStaging), "SIGKILL cannot be caught: the staging folder stays until the next export");
  // not a dead export's staging: a live process's (this test's pid), another folder's, the user's notes
  const keep = [`.out.tmp-${process.pid}-0badcafe`, ".other.tmp-999999999-0badcafe", "notes.txt"];
  for (const k of keep) writeFileSync(join(d, k), "mine");
  const again = exportTo(d);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(readdirSync(d).sort(), [...keep, "out"].sort());
  for (const k of keep) assert.equal(readFileSync(join(d, k), "utf8"), "mine");
  assert.deepEqual(files(join(d, "out")), uninterrupted());
});

test("an output folder holding only the manifest temp of an export killed while writing it is still the export's", () => {
  const d = mkdtempSync(join(tmp, "manifest-"));
  mkdirSync(join(d, "out"));
  // what writeJsonAtomicSync leaves when killed before its rename, in the folder the export had just made
  // (a dead pid of this host: a temp without the host may be anyone's file, and is kept)
  writeFileSync(join(d, "out", `..alignc-export.json.tmp-${host}-999999999-0badcafe`), '{"format": "alignc-exp');
  const r = exportTo(d);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(files(join(d, "out")), uninterrupted());
  assert.ok(!existsSync(join(d, "out", `..alignc-export.json.tmp-${host}-999999999-0badcafe`)));
});
