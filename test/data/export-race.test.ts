// alignc data --export replacing FILE: it checks that FILE is its own (or absent) before it writes the
// rows and again just before the new file replaces it (the rows of a large export take a while, and a
// file the user edited or made meanwhile was replaced, exit 0); the file it replaces keeps the
// permissions the user gave it (a private export became world-readable).
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataExportError, writeDataExport } from "../../src/data/export-file.js";

/** The rows, running `edit` after the first one is written. */
function* rowsEditingAfterFirst(rows: string[], edit: () => void): Generator<string> {
  for (const [i, r] of rows.entries()) {
    yield r;
    if (i === 0) edit();
  }
}

test("data --export: a file edited (or made) while the rows are written is the user's: nothing replaced, the edit kept, no temp left", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-export-race-"));
  try {
    const file = join(dir, "out.jsonl");
    const rows = ['{"a":1}\n', '{"a":2}\n'];
    writeDataExport(file, rows.join(""), [], false);
    const edit = () => appendFileSync(file, '{"prompt":"hand-added"}\n');
    assert.throws(() => writeDataExport(file, rowsEditingAfterFirst(rows, edit), [], false), (e: unknown) => e instanceof DataExportError && /changed since.*it changed while the export was written; nothing replaced/.test(e.message));
    assert.equal(readFileSync(file, "utf8"), rows.join("") + '{"prompt":"hand-added"}\n');
    // made where there was none
    const other = join(dir, "new.jsonl");
    assert.throws(() => writeDataExport(other, rowsEditingAfterFirst(rows, () => writeFileSync(other, "mine\n")), [], false), DataExportError);
    assert.equal(readFileSync(other, "utf8"), "mine\n");
    // a sidecar name made by the user meanwhile is refused and left as it is (the refusal's clean-up
    // removed the very file it named)
    const third = join(dir, "third.jsonl");
    const side = join(dir, ".third.jsonl.alignc");
    assert.throws(() => writeDataExport(third, rowsEditingAfterFirst(rows, () => writeFileSync(side, "mine\n")), [], false), /is not an alignc data --export record/);
    assert.equal(readFileSync(side, "utf8"), "mine\n");
    // --force replaces whatever is there, as at the start
    writeDataExport(other, rowsEditingAfterFirst(rows, () => writeFileSync(other, "mine again\n")), [], true);
    assert.equal(readFileSync(other, "utf8"), rows.join(""));
    assert.deepEqual(readdirSync(dir).filter((n) => n.includes(".tmp-")), [], "no temp file left");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("data --export: a file replaced keeps its permissions; a new one gets the usual 0o644 less the umask", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-export-mode-"));
  try {
    const file = join(dir, "out.jsonl");
    writeDataExport(file, '{"a":1}\n', [], false);
    assert.equal(statSync(file).mode & 0o777, 0o644 & ~process.umask());
    chmodSync(file, 0o600);
    writeDataExport(file, '{"a":2}\n', [], false);
    assert.equal(readFileSync(file, "utf8"), '{"a":2}\n');
    assert.equal(statSync(file).mode & 0o777, 0o600, "still private");
    chmodSync(file, 0o4755);
    writeDataExport(file, '{"a":3}\n', [], false);
    assert.equal(statSync(file).mode & 0o7777, 0o755, "read, write and execute kept; setuid not");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
