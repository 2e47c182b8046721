// Streamed JSONL at sizes no test writes, through the limits lowered for the test: a line past the
// cap is a located bad row (readline threw V8's RangeError from a stream handler, a stack trace with no
// file or line, exit 1), and invalid UTF-8 in a file too large to check whole is the same located
// AL3002 as in a small one (it was decoded to U+FFFD without a word). Lines split as readline split them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createInterface } from "node:readline";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { JSONL_LIMITS, readJsonl } from "../../src/data/readers.js";
import { LongLine, splitLines } from "../../src/data/lines.js";
import { BadRows } from "../../src/data/bad-rows.js";
import { DataError } from "../../src/data/diag.js";
import { located } from "./located.js";

const dir = mkdtempSync(join(tmpdir(), "alignc-jsonl-stream-"));
const file = (name: string, bytes: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};
const row = (text: string) => JSON.stringify({ text });
/** a stream's chunk: a file stream reads 64 KiB at a time */
const CHUNK = 64 << 10;
/** every file is streamed: none is small enough to be checked whole first */
const streamed = { checkWholeBytes: -1 };

async function collect<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of it) out.push(...batch);
  return out;
}

async function readlineLines(chunks: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const l of createInterface({ input: Readable.from(chunks), crlfDelay: Infinity })) out.push(l);
  return out;
}

test("lines split as readline split them (\\n, \\r\\n, a lone \\r, a \\r\\n cut between chunks, a last line without a break)", async () => {
  const text = fc.array(fc.constantFrom("a", "é", "😀", " ", "\n", "\r", "\r\n"), { maxLength: 40 }).map((a) => a.join(""));
  await fc.assert(
    fc.asyncProperty(text, fc.array(fc.nat(60), { maxLength: 6 }), async (t, cuts) => {
      const at = [...new Set(cuts.map((c) => Math.min(c, t.length)))].sort((a, b) => a - b);
      const chunks = [0, ...at].map((c, i) => t.slice(c, at[i] ?? t.length));
      assert.deepEqual(await collect(splitLines(Readable.from(chunks), 1000)), await readlineLines(chunks));
    }),
    { seed: 7, numRuns: 400 },
  );
});

test("a line over the cap is counted, not kept, however many chunks it spans", async () => {
  const got = await collect(splitLines(Readable.from(["ab\nxxxx", "x".repeat(50), "xx\r", "\ncd"]), 10));
  assert.deepEqual(got, ["ab", new LongLine(56), "cd"]);
  assert.deepEqual(await collect(splitLines(Readable.from(["0123456789\n"]), 10)), ["0123456789"], "the cap itself is allowed");
});

test("a JSONL line over the cap is AL3002 at file:line with its length; the rows after it keep their lines (plain and .gz)", async () => {
  const cap = 100 << 10; // spans two chunks of the stream, and one line
  const text = [row("one"), row("x".repeat(cap + 10)), row("three"), "not json", ""].join("\n");
  for (const [name, bytes] of [["long.jsonl", text], ["long.jsonl.gz", gzipSync(text)]] as const) {
    const f = file(name, bytes);
    await assert.rejects(readJsonl(f, { limits: { ...streamed, lineChars: cap } }), (e: DataError) => {
      const [long, broken] = e.diagnostics;
      assert.equal(e.diagnostics.length, 2, e.message);
      assert.equal(located(long!), `${f}:2: line too long: ${cap + 21} characters, more than the 102400 one JSONL row may hold`);
      assert.equal(long!.code, "AL3002");
      assert.match(located(broken!), /:4: not valid JSON .*: not json$/);
      return true;
    });
  }
  const f = file("long-skip.jsonl", text.replace("not json", row("four")));
  const bad = new BadRows("demos", f, "skip");
  const rows = await readJsonl(f, { bad, limits: { lineChars: cap } });
  assert.deepEqual(rows.map((r) => [r.line, r.data.text]), [[1, "one"], [3, "three"], [4, "four"]]);
  assert.deepEqual(bad.finish(), { source: "demos", file: f, count: 1, reasons: [`line 2: line too long: ${cap + 21} characters, more than the 102400 one JSONL row may hold`] });
});

test("the cap is 64 Mi characters, and the message names it", async () => {
  assert.equal(JSONL_LIMITS.lineChars, 64 << 20);
  const f = file("cap.jsonl", `${row("x".repeat(70))}\n`);
  await assert.rejects(readJsonl(f, { limits: { lineChars: 64 } }), (e: DataError) => /cap\.jsonl:1: line too long: 81 characters, more than the 64 one/.test(located(e.diagnostics[0]!)));
  const mi = file("cap-mi.jsonl", `${row("x".repeat(1 << 20))}\n`);
  await assert.rejects(readJsonl(mi, { limits: { lineChars: 1 << 20 } }), (e: DataError) => /:1: line too long: 1048587 characters, more than the 1 Mi one JSONL row may hold$/.test(located(e.diagnostics[0]!)));
});

/** The error of `bytes` checked whole (as a file under 256 MiB is) and streamed (as a larger one is). */
async function bothWays(name: string, bytes: Buffer): Promise<[DataError, DataError]> {
  const errorOf = async (limits: { checkWholeBytes?: number }): Promise<DataError> => {
    try {
      await readJsonl(file(name, name.endsWith(".gz") ? gzipSync(bytes) : bytes), { limits });
    } catch (e) {
      assert.ok(e instanceof DataError, String(e));
      return e;
    }
    assert.fail(`${name}: no error (limits ${JSON.stringify(limits)})`);
  };
  return [await errorOf({}), await errorOf(streamed)];
}

test("invalid UTF-8 in a streamed file is the located AL3002 a file checked whole gives: same line, column and byte offset", async () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => row(`row ${i} é 😀 ${"y".repeat(i % 50)}`)).join("\n") + "\n";
  const head = Buffer.from(lines(3000)); // past two chunks of the stream
  const cases: [string, Buffer][] = [
    ["latin1", Buffer.concat([head, Buffer.from('{"text": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n')])],
    // a character cut by the chunk's end, then a byte that cannot continue it
    ["cut", Buffer.concat([Buffer.from("a".repeat(CHUNK - 2) + "\n"), Buffer.from([0xf0, 0x9f]), Buffer.from("x\n")])],
    // a lone continuation byte that opens the second chunk
    ["lone", Buffer.concat([Buffer.from("a".repeat(CHUNK - 1) + "\n"), Buffer.from([0x80]), Buffer.from("\n")])],
    ["surrogate", Buffer.concat([head, Buffer.from([0xed, 0xa0, 0x80, 0x0a])])],
    ["ends inside a character", Buffer.concat([head, Buffer.from('{"text": "'), Buffer.from([0xe2, 0x82])])],
  ];
  for (const [what, bytes] of cases) {
    for (const name of [`${what}.jsonl`, `${what}.jsonl.gz`]) {
      const [whole, streamedErr] = await bothWays(name, bytes);
      assert.equal(streamedErr.diagnostics.length, 1, `${name}: ${streamedErr.message}`);
      const d = streamedErr.diagnostics[0]!;
      assert.equal(d.code, "AL3002");
      assert.match(d.message, name.endsWith(".gz") ? /^not UTF-8: byte 0x[0-9a-f]{2} at byte offset \d+ of the decompressed text$/ : /^not UTF-8: byte 0x[0-9a-f]{2} at byte offset \d+$/, name);
      assert.ok(d.span && d.span.line > 1 && d.span.col >= 1, `${name}: located`);
      assert.deepEqual(streamedErr.diagnostics, whole.diagnostics, `${name}: streamed as checked whole`);
    }
  }
});

test("valid UTF-8 streamed in chunks reads as it is, a character cut between chunks included", async () => {
  for (let pad = 0; pad < 4; pad++) {
    // the 4-byte 😀 falls across the first chunk's end at each of its offsets
    const text = `${row("a".repeat(CHUNK - 12 + pad))}\n${row("😀é\uFFFD")}\n`.replace('a"}', 'a😀"}');
    const rows = await readJsonl(file(`ok-${pad}.jsonl`, text), { limits: streamed });
    assert.deepEqual(rows.map((r) => r.data.text), text.trim().split("\n").map((l) => (JSON.parse(l) as { text: string }).text));
    assert.ok(!String(rows[0]!.data.text).includes("\uFFFD"));
  }
});

test("a .gz that decompresses past the whole-file check's size is streamed and checked as it streams, not refused", async () => {
  const rows = Array.from({ length: 200 }, (_, i) => row(`row ${i} ${"x".repeat(40)}`)).join("\n") + "\n";
  const limits = { checkWholeBytes: 4096 }; // the compressed file is under it, its text far over
  const gz = gzipSync(rows);
  assert.ok(gz.length <= limits.checkWholeBytes && rows.length > limits.checkWholeBytes);
  assert.equal((await readJsonl(file("big.jsonl.gz", gz), { limits })).length, 200);
  // and a bad byte in it is still the located AL3002
  const bad = Buffer.concat([Buffer.from(rows), Buffer.from('{"text":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]);
  await assert.rejects(readJsonl(file("bad-big.jsonl.gz", gzipSync(bad)), { limits }), (e: unknown) => {
    const d = e instanceof DataError ? e.diagnostics[0] : undefined;
    return d?.code === "AL3002" && d.span?.line === 201 && /^not UTF-8: byte 0xe9/.test(d.message);
  });
});

// A file of more rows than memory holds (a gzip file decompresses to many times its size) ran the
// process out of memory after minutes, exit 134 and nothing said: now a located error with the way out.
test("rows past the text a file may hold are a located error naming the line, the rows read and the way out; limit stays under it", async () => {
  const rows = Array.from({ length: 100 }, (_, i) => row(`row ${i} ${"x".repeat(40)}`)).join("\n") + "\n";
  const gz = file("bomb.jsonl.gz", gzipSync(rows));
  const heldChars = rows.split("\n").slice(0, 20).join("").length; // twenty rows' text
  await assert.rejects(readJsonl(gz, { limits: { heldChars } }), (e: unknown) => {
    const d = e instanceof DataError ? e.diagnostics[0] : undefined;
    return d?.code === "AL3002" && d.span?.line === 21 && /more than alignc holds in memory .*20 rows read/.test(d.message) && /limit = 20/.test(d.hint ?? "");
  });
  assert.equal((await readJsonl(gz, { limit: 20, limits: { heldChars } })).length, 20, "the hint's limit reads");
  assert.ok(JSONL_LIMITS.heldChars > 64 << 20, "the default is a share of Node's heap, not a test's");
});
