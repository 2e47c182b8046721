// `alignc fmt` writes the formatted text only over the file it read, as it read it: a symlink repointed
// or a recipe edited while fmt ran was overwritten (audit 32: another file replaced by the recipe's
// formatted text through a repointed link; an edit saved mid-format lost, exit 0). The check runs just
// before the write (changedSince); the run itself is too fast to race in a test, so the check is tested
// here and the write path by fmt-files.test.ts. And the file keeps its line endings and byte-order mark.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, linkSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { changedSince } from "../../src/cli/commands/fmt.js";
import { rewriteKeepingIdentity } from "../../src/common/in-place-write.js";
import { repoRoot } from "./helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "alignc-fmt-changed-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const UGLY = "model   m=gpt{layers=2}\n";

test("changedSince: the same file with the same text passes; an edit, a repointed link or a removal is named", () => {
  const file = join(tmp, "r.align");
  const other = join(tmp, "notes.txt");
  const link = join(tmp, "cur.align");
  writeFileSync(file, UGLY);
  writeFileSync(other, "my notes, not a recipe\n");
  symlinkSync("r.align", link);
  const target = realpathSync(link);
  assert.equal(changedSince(link, target, UGLY), null);
  appendFileSync(file, "// an edit saved while fmt ran\n");
  assert.equal(changedSince(link, target, UGLY), "changed");
  writeFileSync(file, UGLY);
  unlinkSync(link);
  symlinkSync("notes.txt", link);
  assert.equal(changedSince(link, target, UGLY), "now leads to another file");
  unlinkSync(file);
  assert.equal(changedSince(file, target, UGLY), "was moved, removed or replaced");
});

function fmt(file: string): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), "fmt", file], { cwd: tmp, encoding: "utf8" });
  return { code: r.status, stderr: r.stderr };
}

test("fmt keeps a file's CRLF line endings and its byte-order mark; a file of mixed endings comes back LF", () => {
  const crlf = join(tmp, "crlf.align");
  writeFileSync(crlf, "\uFEFFmodel   m=gpt{layers=2}\r\n/* a\r\n comment */\r\nmodel n=gpt{layers=1}\r\n");
  assert.equal(fmt(crlf).code, 0);
  const out = readFileSync(crlf, "utf8");
  assert.ok(out.startsWith("\uFEFFmodel m = gpt { layers = 2 }\r\n"), JSON.stringify(out));
  assert.doesNotMatch(out, /[^\r]\n|\r\r/, "every line ends in CRLF, the comment's too, once");
  assert.equal(fmt(crlf).code, 0, "formatted text is a fixed point");
  assert.equal(readFileSync(crlf, "utf8"), out);
  const mixed = join(tmp, "mixed.align");
  writeFileSync(mixed, "model   m=gpt{layers=2}\r\nmodel n=gpt{layers=1}\n");
  assert.equal(fmt(mixed).code, 0);
  assert.doesNotMatch(readFileSync(mixed, "utf8"), /\r/);
  // a block comment's CRLF in a file of mixed endings comes back LF too (it was "internal error: the
  // formatted text does not mean the same", exit 1; hunt38)
  const comment = join(tmp, "mixed-comment.align");
  writeFileSync(comment, "recipe micro { seed = 7 }\n/* a\r\n b */\ntokenizer chars = byte_level {}\r\n");
  const r = fmt(comment);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(comment, "utf8"), "recipe micro { seed = 7 }\n/* a\n b */\ntokenizer chars = byte_level {}\n");
});

// The check runs once the new text is staged, just before it replaces the old (review 32: it ran before
// the temp file was written and synced, a window as long as the write): an edit made up to that moment
// is found, and a refusal leaves the file, and no temp file or backup, behind
test("rewriteKeepingIdentity runs its last check after staging, on the rename and the in-place paths; a refusal changes nothing", () => {
  for (const linked of [false, true]) {
    const dir = mkdtempSync(join(tmp, "stage-"));
    const file = join(dir, "r.align");
    writeFileSync(file, UGLY);
    if (linked) linkSync(file, join(dir, "other-name.align")); // another hard link: written in place
    const edited = `${UGLY}// saved while staging\n`;
    assert.throws(
      () =>
        rewriteKeepingIdentity(file, "new text\n", () => {
          // staged: the temp file (rename path) or the backup (in place) is written beside the file
          assert.equal(readdirSync(dir).length, linked ? 3 : 2, `staged before the check: ${readdirSync(dir).join(", ")}`);
          writeFileSync(file, edited); // an editor saves after the new text was staged
          if (changedSince(file, realpathSync(file), UGLY)) throw new Error("changed");
        }),
      /changed/,
    );
    assert.equal(readFileSync(file, "utf8"), edited, linked ? "in place" : "rename");
    assert.deepEqual(readdirSync(dir).sort(), linked ? ["other-name.align", "r.align"] : ["r.align"], "no temp file or backup left");
    rewriteKeepingIdentity(file, "new text\n", () => {});
    assert.equal(readFileSync(file, "utf8"), "new text\n");
  }
});
