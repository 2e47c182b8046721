// `alignc fmt` stopped by a signal while it rewrites the user's recipe: the recipe is the old text or
// the new one, never torn, and no temp file stays beside it. SIGINT, SIGTERM and SIGHUP are caught
// (the write finishes, the temp is never left, the process still dies of the signal: the shell's
// 130/143/129); SIGKILL cannot be, so the next `fmt` of that recipe removes the temp a killed fmt
// left, and nothing else.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "./helpers.js";
import { signalAt } from "../cli/signal-at.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-fmt-interrupt-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

// a recipe whose formatted text is large (9 MB: one long multi-line string), so the write takes long
// enough for a signal sent when its temp file appears to land inside it
const LINES = Array.from({ length: 120_000 }, (_, i) => `    line ${i} of a long note that makes the write take a while`).join("\n");
const UGLY = `recipe   x {   seed = 1 }\nmodel  m = gpt {   note = """\n${LINES}\n    """ }\n`;

function fmt(cwd: string, ...files: string[]) {
  return spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "fmt", ...files], { cwd, encoding: "utf8" });
}

let pretty: string | undefined;
/** The formatted text of UGLY, from an uninterrupted fmt. */
function prettyText(): string {
  if (pretty !== undefined) return pretty;
  const d = mkdtempSync(join(tmp, "ref-"));
  writeFileSync(join(d, "r.align"), UGLY);
  assert.equal(fmt(d, "r.align").status, 0);
  pretty = readFileSync(join(d, "r.align"), "utf8");
  assert.notEqual(pretty, UGLY);
  return pretty;
}

const isTemp = (name: string) => name.includes(".tmp-");

for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  test(`fmt stopped by ${sig} during its write leaves the recipe whole and no temp file`, async () => {
    const d = mkdtempSync(join(tmp, `${sig}-`));
    writeFileSync(join(d, "r.align"), UGLY);
    const r = await signalAt(["fmt", "r.align"], { cwd: d, watchDir: d, when: isTemp, signals: [sig] });
    assert.ok(r.fired, "the temp file appeared (the signal was sent during the write)");
    assert.equal(r.signal, sig, `died of the signal (${r.code}): ${r.stderr}`);
    assert.ok([UGLY, prettyText()].includes(readFileSync(join(d, "r.align"), "utf8")), "the recipe is the old text or the new one");
    assert.deepEqual(readdirSync(d), ["r.align"]);
  });
}

test("Ctrl-C twice while fmt writes the first of three recipes: that one is whole, the others untouched, no temp file", async () => {
  const d = mkdtempSync(join(tmp, "many-"));
  for (const f of ["a.align", "b.align", "c.align"]) writeFileSync(join(d, f), UGLY);
  const r = await signalAt(["fmt", "a.align", "b.align", "c.align"], { cwd: d, watchDir: d, when: isTemp, signals: ["SIGINT", "SIGINT"] });
  assert.ok(r.fired);
  assert.equal(r.signal, "SIGINT", r.stderr);
  assert.ok([UGLY, prettyText()].includes(readFileSync(join(d, "a.align"), "utf8")));
  assert.equal(readFileSync(join(d, "b.align"), "utf8"), UGLY, "fmt stopped before the next recipe");
  assert.equal(readFileSync(join(d, "c.align"), "utf8"), UGLY);
  assert.deepEqual(readdirSync(d).sort(), ["a.align", "b.align", "c.align"]);
});

test("the temp file of an fmt killed with SIGKILL is removed by the next fmt of that recipe, and nothing else", async () => {
  const d = mkdtempSync(join(tmp, "kill-"));
  writeFileSync(join(d, "r.align"), UGLY);
  const r = await signalAt(["fmt", "r.align"], { cwd: d, watchDir: d, when: isTemp, signals: ["SIGKILL"] });
  assert.ok(r.fired);
  const left = readdirSync(d).filter(isTemp);
  assert.equal(left.length, 1, "SIGKILL cannot be caught: the temp stays until the next fmt");
  // names that are not a dead writer's temp of r.align: a live process's temp (this test's), another
  // file's temp, a user's file
  const keep = [`.r.align.tmp-${process.pid}-0badcafe`, `.other.align.tmp-999999999-0badcafe`, `.r.align.tmp-notes`];
  for (const k of keep) writeFileSync(join(d, k), "mine");
  writeFileSync(join(d, "r.align"), UGLY);
  const again = fmt(d, "r.align");
  assert.equal(again.status, 0, again.stderr);
  assert.equal(readFileSync(join(d, "r.align"), "utf8"), prettyText());
  assert.deepEqual(readdirSync(d).sort(), [...keep, "r.align"].sort());
  for (const k of keep) assert.equal(readFileSync(join(d, k), "utf8"), "mine");
});
