import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fieldString, firstInvalidUtf8, readRows } from "../../src/data/readers.js";
import { countRows } from "../../src/data/count-rows.js";
import { DataError } from "../../src/data/diag.js";
import { located } from "./located.js";
import { createHash } from "node:crypto";
import { lastReadDigest } from "../../src/lang/read-digests.js";
import { readTemplateText } from "../../src/data/template-text.js";

const dir = mkdtempSync(join(tmpdir(), "alignc-readers-"));
const file = (name: string, text: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

async function expectDataError(p: Promise<unknown> | (() => unknown), code: string, pattern: RegExp): Promise<DataError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    const d = err.diagnostics.find((x) => x.code === code);
    assert.ok(d, `expected ${code} among ${err.diagnostics.map((x) => x.code).join(", ")}`);
    assert.match(located(d), pattern);
    return err;
  }
  assert.fail("expected an error");
}

test("jsonl: rows with 1-based lines and offsets; blank lines skipped", async () => {
  const p = file("a.jsonl", '{"x": 1}\n\n{"x": 2}\n');
  const rs = await readRows(p, "jsonl");
  assert.deepEqual(
    rs.rows.map((r) => [r.data.x, r.line, r.start]),
    [
      [1, 1, 0],
      [2, 3, 10],
    ],
  );
});

test("jsonl.gz is streamed through gunzip", async () => {
  const p = file("a.jsonl.gz", gzipSync('{"t": "a"}\n{"t": "b"}\n'));
  assert.deepEqual((await readRows(p, "jsonl")).rows.map((r) => r.data.t), ["a", "b"]);
  assert.equal(await countRows(p, "jsonl"), 2);
});

test("gzip is recognised by its bytes, not its name: a gzip file named .jsonl/.csv/.txt loads, and so does a .gz that holds plain text (a download already decompressed)", async () => {
  const rows = '{"t": "a"}\n{"t": "b"}\n';
  for (const [name, bytes] of [["z.jsonl", gzipSync(rows)], ["plain.jsonl.gz", rows]] as const) {
    const p = file(name, bytes);
    assert.deepEqual((await readRows(p, "jsonl")).rows.map((r) => r.data.t), ["a", "b"], name);
    assert.equal(await countRows(p, "jsonl"), 2, name);
  }
  for (const kind of ["csv", "text"] as const) {
    const text = kind === "csv" ? "t\na\nb\n" : "a\nb\n";
    const p = file(`z.${kind === "csv" ? "csv" : "txt"}`, gzipSync(text));
    assert.deepEqual((await readRows(p, kind)).rows.map((r) => r.data[kind === "csv" ? "t" : "text"]), ["a", "b"], kind);
  }
  // a UTF-16 file may start with 1f 8b (U+8B1F little-endian): it is never taken for gzip
  const wide = file("wide.txt", Buffer.from("\u8b1f x\nb\n", "utf16le"));
  assert.deepEqual((await readRows(wide, "text", { encoding: "utf-16le" })).rows.map((r) => r.data.text), ["\u8b1f x", "b"]);
  // a byte that is not UTF-8: its offset is the decompressed text's, and the message says so
  const bad = file("bad.jsonl", gzipSync(Buffer.concat([Buffer.from('{"t": "a"}\n{"t": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')])));
  await assert.rejects(readRows(bad, "jsonl"), (e: DataError) => /byte 0xc3 at byte offset 18 of the decompressed text/.test(e.message) && e.diagnostics[0]!.span?.line === 2);
  const badText = file("bad.txt", gzipSync(Buffer.from([0x61, 0x0a, 0xff])));
  await assert.rejects(readRows(badText, "text"), (e: DataError) => /byte 0xff at byte offset 2 of the decompressed text/.test(e.message));
  await assert.rejects(readRows(file("plain.txt", Buffer.from([0x61, 0x0a, 0xff])), "text"), (e: DataError) => /byte 0xff at byte offset 2/.test(e.message) && !/decompressed/.test(e.message));
});

test("jsonl: a broken line is AL3002 naming file:line, every broken line reported", async () => {
  const p = file("broken.jsonl", '{"x": 1}\n{"x": \n{"y": 2}\nnot json\n');
  const err = await expectDataError(readRows(p, "jsonl"), "AL3002", /broken\.jsonl:2: not valid JSON/);
  assert.equal(err.diagnostics.length, 2);
  assert.equal(err.diagnostics[1]!.span?.line, 4);
  assert.equal(err.diagnostics[0]!.span?.start, 9);
});

test("jsonl: a broken line's column is where JSON.parse stopped, when it says (it was always column 1)", async () => {
  const p = file("col.jsonl", '{"x": 1}\n{"x": 1,, "y": 2}\n');
  const err = await expectDataError(readRows(p, "jsonl"), "AL3002", /col\.jsonl:2: not valid JSON/);
  assert.deepEqual([err.diagnostics[0]!.span?.line, err.diagnostics[0]!.span?.col, err.diagnostics[0]!.span?.start], [2, 9, 17]);
});

test("jsonl: a row that is not an object is a wrong type", async () => {
  await expectDataError(readRows(file("arr.jsonl", "[1,2]\n"), "jsonl"), "AL3004", /arr\.jsonl:1: a JSONL row must be an object/);
});

test("missing field and wrong type name file:line and the field", async () => {
  const p = file("f.jsonl", '{"a": "x"}\n{"a": {"b": 1}}\n');
  const rs = await readRows(p, "jsonl");
  await expectDataError(() => fieldString(rs.rows[0]!, "prompt", p), "AL3003", /f\.jsonl:1: missing field `prompt`/);
  await expectDataError(() => fieldString(rs.rows[1]!, "a", p), "AL3004", /f\.jsonl:2: field `a` must be a string, got an object/);
});

test("json arrays: each element's line is found", async () => {
  const p = file("a.json", '[\n  {"x": "{[,"},\n  {"x": 2}\n]\n');
  const rs = await readRows(p, "json");
  assert.deepEqual(
    rs.rows.map((r) => r.line),
    [2, 3],
  );
  await expectDataError(readRows(file("b.json", '[\n {"x": 1},\n {"x": }\n]'), "json"), "AL3002", /b\.json:3: not valid JSON/);
  await expectDataError(readRows(file("c.json", '[\n {"x": 1},\n 7\n]'), "json"), "AL3004", /c\.json:3: element 1 must be an object/);
});

test("csv with quotes and embedded newlines (csv-parse), tsv", async () => {
  const p = file("a.csv", 'prompt,response\n"a, b","line1\nline2"\nc,d\n');
  const rs = await readRows(p, "csv");
  assert.deepEqual(rs.rows[0]!.data, { prompt: "a, b", response: "line1\nline2" });
  assert.equal(rs.rows[1]!.line, 4);
  const t = await readRows(file("a.tsv", 'a\tb\n"x\ty\n'), "tsv");
  assert.deepEqual(t.rows[0]!.data, { a: '"x', b: "y" });
  await expectDataError(readRows(file("bad.csv", 'a,b\n1,2,3\n'), "csv"), "AL3002", /bad\.csv:2:/);
});

test("text: one row per non-blank line; countRows agrees", async () => {
  const p = file("c.txt", "one\n\ntwo\nthree");
  const rs = await readRows(p, "text");
  assert.deepEqual(rs.rows.map((r) => [r.data.text, r.line]), [
    ["one", 1],
    ["two", 3],
    ["three", 4],
  ]);
  assert.equal(await countRows(p, "text"), 3);
});

test("text: lines end at \\n, \\r\\n or a lone \\r (old Mac files were one line), as the JSONL reader splits them; countRows agrees, across chunk ends too", async () => {
  const p = file("cr.txt", "one\rtwo\r\nthree\n\r\nfour\r");
  const rs = await readRows(p, "text");
  assert.deepEqual(rs.rows.map((r) => [r.data.text, r.line]), [
    ["one", 1],
    ["two", 2],
    ["three", 3],
    ["four", 5],
  ]);
  assert.equal(await countRows(p, "text"), 4);
  const j = file("cr.jsonl", '{"a": 1}\r{"a": 2}\r\n{"a": 3}\r');
  assert.equal((await readRows(j, "jsonl")).rows.length, 3);
  assert.equal(await countRows(j, "jsonl"), 3);
  // past the one-read size, counted in streamed chunks: a \r\n may fall across two of them
  const big = file("big.txt", "x\r\n".repeat(400_000) + "y\r".repeat(100_000));
  assert.equal(await countRows(big, "text"), 500_000);
  assert.equal((await readRows(big, "text")).rows.length, 500_000);
});

test("a whole read records the sha256 of the bytes read, for the run's check against its plan; a JSONL stream read to its end too, one cut short by limit not (hunt37c)", async () => {
  const t = file("d.txt", "a\nb\n");
  await readRows(t, "text");
  assert.equal(lastReadDigest(t), createHash("sha256").update("a\nb\n").digest("hex"));
  const j = file("d.jsonl", '{"a": 1}\n{"a": 2}\n');
  await readRows(j, "jsonl", { limit: 1 });
  assert.equal(lastReadDigest(j), undefined, "a partial read is no digest of the file");
  await readRows(j, "jsonl");
  assert.equal(lastReadDigest(j), createHash("sha256").update('{"a": 1}\n{"a": 2}\n').digest("hex"));
  // a gzip file: the compressed bytes, which are what the plan hashes
  const packed = gzipSync(Buffer.from('{"a": 1}\n{"a": 2}\n'));
  const g = file("d.jsonl.gz", packed);
  await readRows(g, "jsonl", { limit: 1 });
  // gunzip reads ahead of the rows: a small file may be read whole before the cut, and then its digest is the file's
  const whole = createHash("sha256").update(packed).digest("hex");
  assert.ok([undefined, whole].includes(lastReadDigest(g)), "a partial read records nothing but what was read whole");
  assert.equal((await readRows(g, "jsonl")).rows.length, 2);
  assert.equal(lastReadDigest(g), whole);
  // a template file: its bytes as read, a BOM included (the text drops it)
  const tpl = file("t.hbs", "\uFEFFSay {{x}} — é\n");
  assert.equal(readTemplateText(tpl, "template"), "Say {{x}} — é\n");
  assert.equal(lastReadDigest(tpl), createHash("sha256").update(readFileSync(tpl)).digest("hex"));
});

test("a missing file is AL3001; limit stops early", async () => {
  await expectDataError(readRows(join(dir, "nope.jsonl"), "jsonl"), "AL3001", /not found/);
  const p = file("many.jsonl", Array.from({ length: 50 }, (_, i) => JSON.stringify({ i })).join("\n"));
  assert.equal((await readRows(p, "jsonl", { limit: 7 })).rows.length, 7);
});

test("non-UTF-8 bytes are an error at file:line with the byte offset, never silent U+FFFD (JSONL, CSV, JSON)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-utf8-"));
  const jl = join(dir, "latin1.jsonl");
  writeFileSync(jl, Buffer.concat([Buffer.from('{"text": "ok"}\n{"text": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]));
  await assert.rejects(readRows(jl, "jsonl"), (e: DataError) => e.diagnostics[0]!.code === "AL3002" && /latin1\.jsonl:2: not UTF-8: byte 0xe9 at byte offset 28/.test(located(e.diagnostics[0]!)) && e.diagnostics[0]!.span?.line === 2);
  const csv = join(dir, "latin1.csv");
  writeFileSync(csv, Buffer.concat([Buffer.from("a,b\n1,"), Buffer.from([0xff]), Buffer.from("\n")]));
  await assert.rejects(readRows(csv, "csv"), (e: DataError) => /latin1\.csv:2: not UTF-8: byte 0xff/.test(located(e.diagnostics[0]!)));
  // valid multi-byte text (and a literal U+FFFD) is read as it is
  const ok = join(dir, "ok.jsonl");
  writeFileSync(ok, '{"text": "café 😀 \uFFFD"}\n');
  assert.equal((await readRows(ok, "jsonl")).rows[0]!.data.text, "café 😀 \uFFFD");
  assert.equal(firstInvalidUtf8(Buffer.from([0xf0, 0x9f, 0x98])), 0); // cut off
  assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80])), 1); // overlong
  assert.equal(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80])), 0); // surrogate
});

test("CSV: a quote left open is reported at the line where it opened, not at the end of the file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-csvq-"));
  const f = join(dir, "q.csv");
  writeFileSync(f, 'a,b\n1,2\n3,"unclosed\n5,6\n7,8\n');
  await assert.rejects(readRows(f, "csv"), (e: DataError) => e.diagnostics[0]!.code === "AL3002" && e.diagnostics[0]!.span?.line === 3 && /q\.csv:3:/.test(located(e.diagnostics[0]!)));
});

test("csv: a header that names a column twice is AL3002 at line 1 (the first column's values were dropped silently)", async () => {
  await expectDataError(readRows(file("dup.csv", "text,text,label\na,b,c\n"), "csv"), "AL3002", /dup\.csv:1:.*column `text` twice/);
  await expectDataError(readRows(file("dup.tsv", "a\tb\ta\n1\t2\t3\n"), "tsv"), "AL3002", /dup\.tsv:1:.*column `a` twice/);
});
