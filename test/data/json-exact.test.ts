// JSON numbers a double cannot hold are read as their text, digit for digit; every other number as JSON.parse reads it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { holdsExactly, parseJsonExact } from "../../src/data/json-exact.js";
import { readJsonArray, readJsonl } from "../../src/data/readers.js";

test("an id past 2^53, an overflow and an underflow are read as the text the file has; strings and exact numbers as JSON.parse reads them", () => {
  const text = '{"id": 12345678901234567890, "odd": 9007199254740993, "big": 1e999, "tiny": -1e-400, "s": "12345678901234567890 1e999", "n": [2.5, 9007199254740992, 0.30000000000000004, 0.10000000000000001, 0e-400, -0]}';
  // JSON.parse alone: 12345678901234567000, 9007199254740992, Infinity, -0
  assert.deepEqual(parseJsonExact(text), {
    id: "12345678901234567890",
    odd: "9007199254740993",
    big: "1e999",
    tiny: "-1e-400",
    s: "12345678901234567890 1e999",
    n: [2.5, 9007199254740992, 0.30000000000000004, 0.1, 0, -0],
  });
  assert.throws(() => parseJsonExact('{"a": 12345678901234567890,}'), SyntaxError, "invalid JSON fails as JSON.parse fails");
});

test("for any JSON value JSON.stringify writes, parseJsonExact reads what JSON.parse reads", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const text = JSON.stringify(v);
      assert.deepEqual(parseJsonExact(text), JSON.parse(text));
    }),
    { numRuns: 500, seed: 2026 },
  );
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => holdsExactly(JSON.stringify(x))), { numRuns: 2000, seed: 12 });
});

test("readJsonl and readJsonArray keep a long id's digits, at the row's own line", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-json-exact-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "a.jsonl"), '{"id": 1, "text": "a"}\n{"id": 1234567890123456789012, "text": "b"}\n');
  const rows = await readJsonl(join(dir, "a.jsonl"));
  assert.deepEqual(rows.map((r) => [r.line, r.data.id]), [[1, 1], [2, "1234567890123456789012"]]);
  writeFileSync(join(dir, "a.json"), '[{"id": 1},\n {"id": 98765432109876543210}]');
  assert.deepEqual(readJsonArray(join(dir, "a.json")).map((r) => [r.line, r.data.id]), [[1, 1], [2, "98765432109876543210"]]);
});
