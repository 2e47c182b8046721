// `alignc data --export` of a large data set: the rows stream into the temp file as they are made.
// They were joined into one string first, which passed V8's limit (~512 Mi characters) on a ~280 MiB
// demonstrations file: `RangeError: Invalid string length`, exit 70. The ownership sidecar and the
// atomic rename behave as before (export-safety and export-interrupt test them through the CLI).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataExportError, sidecarOf, writeDataExport } from "../../src/data/export-file.js";

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
const sidecar = (file: string) => JSON.parse(readFileSync(sidecarOf(file), "utf8")) as { sha256?: string; pending?: string };
const temps = (dir: string) => readdirSync(dir).filter((n) => n.includes(".tmp-"));

/** `n` rows of about 1 KiB; `during(i)` runs as row i is handed over */
function* rows(n: number, during: (i: number) => void = () => {}): Generator<string> {
  for (let i = 0; i < n; i++) {
    during(i);
    yield `${JSON.stringify({ id: i, prompt: `${"p".repeat(1000)} é ${i}` })}\n`;
  }
}

test("rows stream into the temp file while they are made: the old file and its sidecar stay until the new one is whole", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-export-stream-"));
  const file = join(dir, "out.jsonl");
  writeDataExport(file, rows(10), [], false);
  const old = readFileSync(file);
  assert.deepEqual(sidecar(file), { format: "alignc-data-export/1", sha256: sha(old) });

  const n = 5000; // ~5 MiB: several batches of the writer
  let seen = 0;
  writeDataExport(
    file,
    rows(n, (i) => {
      if (i !== n - 1) return;
      // the last row is not made yet: what came before is on disk in the temp file, not in one string
      const [tmp] = temps(dir);
      assert.ok(tmp, "a temp file beside the export");
      assert.ok(statSync(join(dir, tmp)).size > (n - 1000) * 1000, `the temp file holds the rows so far (${statSync(join(dir, tmp)).size} bytes)`);
      assert.deepEqual(readFileSync(file), old, "the export is replaced only once the new one is whole");
      assert.deepEqual(sidecar(file), { format: "alignc-data-export/1", sha256: sha(old) }, "the sidecar still owns the old content alone");
      seen++;
    }),
    [],
    false, // the earlier export is alignc's: no --force needed
  );
  assert.equal(seen, 1);
  const text = readFileSync(file, "utf8");
  assert.equal(text, [...rows(n)].join(""), "every row, in order, byte for byte");
  assert.deepEqual(sidecar(file), { format: "alignc-data-export/1", sha256: sha(text) });
  assert.deepEqual(temps(dir), []);
  writeDataExport(file, "", [], false); // still alignc's: replaced without --force
  assert.equal(readFileSync(file, "utf8"), "");
});

test("rows that fail half way leave the old export, its sidecar and no temp file", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-export-stream-"));
  const file = join(dir, "out.jsonl");
  writeDataExport(file, "old\n", [], false);
  const side = readFileSync(sidecarOf(file), "utf8");
  const boom = rows(3000, (i) => {
    if (i === 2500) throw new Error("a row failed");
  });
  assert.throws(() => writeDataExport(file, boom, [], false), /a row failed/);
  assert.equal(readFileSync(file, "utf8"), "old\n");
  assert.equal(readFileSync(sidecarOf(file), "utf8"), side);
  assert.deepEqual(temps(dir), []);
});

test("a user's file is still refused, and nothing is written", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-export-stream-"));
  const file = join(dir, "mine.jsonl");
  writeFileSync(file, "mine\n");
  let made = 0;
  assert.throws(() => writeDataExport(file, rows(5, () => made++), [], false), DataExportError);
  assert.equal(made, 0, "no row made before the refusal");
  assert.equal(readFileSync(file, "utf8"), "mine\n");
  assert.ok(!existsSync(sidecarOf(file)));
  assert.deepEqual(temps(dir), []);
});
