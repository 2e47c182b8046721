// Parquet files as Hugging Face's hub publishes them, written by pyarrow (test/data/fixtures/parquet/make.py):
// UltraFeedback-binarized's columns (snappy), TRL's conversational prompt-only rows (zstd), Dolly's columns
// (gzip, two row groups, a null, an int64 id past 2^53). Each reads as its JSON Lines form does; a row is
// located by its record number; a file that is not Parquet, or cut short, is a located error; and for any
// damage to a file's bytes the reader gives rows or a located error, never a crash (decoded in-process,
// hyparquet's unobserved rejections of a damaged file's column chunks ended the process: seed 4301 found them).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { readRows } from "../../src/data/readers.js";
import { readParquet } from "../../src/data/parquet.js";
import { checkRecipeFile } from "../../src/check/index.js";
import { variantDataChecks } from "../../src/data/check-variants.js";
import { countRows } from "../../src/data/count-rows.js";
import { readRankings } from "../../src/data/rankings.js";
import { readDemonstrations } from "../../src/data/demos.js";
import { DataError } from "../../src/data/diag.js";
import { repoRoot } from "../repo-root.js";

const fixture = (name: string) => join(repoRoot(), "test", "data", "fixtures", "parquet", name);

const located = async (f: () => Promise<unknown>): Promise<string> => {
  try {
    await f();
  } catch (e) {
    if (e instanceof DataError) return e.diagnostics.map((d) => `${d.code} ${d.span?.line ?? "-"}: ${d.message}${d.hint ? ` | ${d.hint}` : ""}`).join("\n");
    throw e;
  }
  return "";
};

test("UltraFeedback-binarized's Parquet reads as its pairs: the shared user turn the prompt, only the answers responses", async () => {
  const rs = await readRows(fixture("ultrafeedback.parquet"), "parquet");
  assert.equal(rs.rows.length, 2);
  assert.deepEqual(rs.rows[0]!.data.score_chosen, 8);
  const groups = readRankings({ name: "uf", file: rs.file, rows: rs.rows, role: "pairs", responses: "responses", ranking: "ranking", chosen: "chosen", rejected: "rejected" });
  assert.deepEqual(
    groups.map((g) => [g.prompt, g.responses]),
    [
      ["What color is the sky?", ["It is blue.", "It is green."]],
      ["Add 2 and 3.", ["5", "6"]],
    ],
  );
});

test("TRL's conversational prompt-only Parquet (zstd) reads as prompts", async () => {
  const rs = await readRows(fixture("prompt-only.parquet"), "parquet");
  const ps = readDemonstrations({ name: "p", file: rs.file, rows: rs.rows, promptOnly: true });
  assert.deepEqual(ps.map((p) => [p.prompt, p.response]), [["What color is the sky?", ""], ["Add 2 and 3.", ""]]);
});

test("Dolly's Parquet (gzip, two row groups): nulls, a 64-bit id kept exact as text, `limit` and the footer's count", async () => {
  const file = fixture("dolly.parquet");
  const rs = await readRows(file, "parquet");
  assert.deepEqual(rs.rows.map((r) => r.data.id), [1, 2, "9007199254740993"]);
  assert.equal(rs.rows[0]!.data.context, null);
  const demos = readDemonstrations({ name: "d", file, rows: rs.rows });
  assert.deepEqual(demos.map((d) => [d.prompt, d.response, d.meta.category]), [
    ["Name a primary color.", "Red.", "open_qa"],
    ["What is 2 + 2?\n\nArithmetic.", "4", "closed_qa"],
    ["Say hi.", "Hi!", "open_qa"],
  ]);
  assert.equal((await readRows(file, "parquet", { limit: 2 })).rows.length, 2, "the first 2 rows (the decoder stops after the row group that holds them)");
  assert.equal(await countRows(file, "parquet"), 3);
});

test("values JSON Lines would write: bytes as numbers, a date as its day, timestamps to their own digit, NaN as null; a text column that is not UTF-8 is the file's error", async () => {
  const rs = await readRows(fixture("typed.parquet"), "parquet");
  assert.deepEqual(rs.rows.map((r) => r.data), [
    { prompt: "a", bin: [0, 1], day: "2024-02-29", us: "2024-01-02T03:04:05.123456Z", ns: "2024-01-02T03:04:05.123456789Z", x: null },
    { prompt: "b", bin: [], day: "1970-01-01", us: "1969-12-31T23:59:59.999999Z", ns: "1970-01-01T00:00:00.000000000Z", x: 1.5 },
  ]);
  // hyparquet decodes text leniently (U+FFFD): the reader is strict, as it is for JSON Lines
  assert.match(await located(() => readRows(fixture("not-utf8.parquet"), "parquet")), /^AL3002 -: cannot read this Parquet file \(a text column holds bytes that are not UTF-8 \(43 61 66 e9/);
  // a footer whose count disagrees with its row groups': the plan's count and the read both refuse it
  for (const f of [() => countRows(fixture("footer-lies.parquet"), "parquet"), () => readRows(fixture("footer-lies.parquet"), "parquet")])
    assert.match(await located(f), /AL3002 -: .*the Parquet footer says 0 rows where its row groups hold 2: a damaged file/);
});

test("a Parquet row is located by its record number; a file that is not Parquet, or cut short, is a located error", async () => {
  const rs = await readRows(fixture("dolly.parquet"), "parquet");
  const m = await located(async () => readRankings({ name: "d", file: rs.file, rows: rs.rows, role: "pairs", responses: "responses", ranking: "ranking", chosen: "chosen", rejected: "rejected" }));
  assert.match(m.split("\n")[0]!, /^AL3003 1: row 1: missing field `chosen`/);
  // a field read as text says its row too (its location is the record number, not a line)
  assert.match(await located(async () => readDemonstrations({ name: "d", file: rs.file, rows: rs.rows.map((r) => ({ ...r, data: { ...r.data, instruction: null } })) })), /^AL3004 1: row 1: field `instruction` is null/);
  const dir = mkdtempSync(join(tmpdir(), "alignc-parquet-"));
  try {
    writeFileSync(join(dir, "rows.parquet"), '{"prompt":"a"}\n');
    writeFileSync(join(dir, "cut.parquet"), readFileSync(fixture("dolly.parquet")).subarray(0, 2000));
    // a Parquet file named with another reader says so (it said "not valid JSON" of binary)
    for (const kind of ["jsonl", "json", "csv", "text"] as const)
      assert.match(await located(() => readRows(fixture("dolly.parquet"), kind)), /^AL3002 -: a Parquet file \(it starts with the bytes PAR1\), read as \w+ \| read it with parquet\("…"\)$/, kind);
    for (const name of ["rows.parquet", "cut.parquet"]) {
      const e = await located(() => readRows(join(dir, name), "parquet"));
      assert.match(e, /^AL3002 -: cannot read this Parquet file \(.*\) \| a Parquet file ends with its footer and the bytes PAR1/, name);
      assert.match(await located(() => countRows(join(dir, name), "parquet")), /^AL3002 /, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("property: for any damage to a Parquet file's bytes, the reader gives rows of JSON values or a located error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-parquet-fuzz-"));
  const originals = ["ultrafeedback.parquet", "prompt-only.parquet", "dolly.parquet"].map((n) => readFileSync(fixture(n)));
  try {
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(originals.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), async (which, flips) => {
        const bytes = Buffer.from(originals[which]!);
        for (const [at, v] of flips) bytes[at % bytes.length] = v;
        const file = join(dir, `f${i++}.parquet`);
        writeFileSync(file, bytes);
        try {
          const rs = await readRows(file, "parquet");
          // whatever it decoded is JSON (NaN is null): it round-trips
          for (const r of rs.rows) assert.deepEqual(JSON.parse(JSON.stringify(r.data)), r.data);
        } catch (e) {
          assert.ok(e instanceof DataError, `not a located error: ${(e as Error).stack}`);
        }
      }),
      { numRuns: 60, seed: 4301 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("parquet(…) is a reader call wherever one is (a pretraining corpus, a task's rows, lm_loss): it was AL2018, unknown function", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-parquet-call-"));
  try {
    const recipe = join(dir, "r.align");
    writeFileSync(
      recipe,
      `recipe r { seed = 1 }
tokenizer t = byte_level {}
model m = gpt { tokenizer = t  layers = 1  d_model = 16  heads = 2  context = 64 }
stage pre = pretrain { init = m  data = parquet(${JSON.stringify(fixture("dolly.parquet"))})  steps = 2 }
`,
    );
    const checked = await checkRecipeFile(recipe);
    assert.deepEqual(checked.diagnostics, []);
    // read as the corpus it names: Dolly's rows have no `text` column, said at the file
    const found = (await variantDataChecks(checked.recipe!)).map((d) => `${d.code} ${d.file.endsWith("dolly.parquet")}: ${d.message}`);
    assert.deepEqual(found, ["AL3003 true: row 1: missing field `text`"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a Parquet file whose rows hold more text than alignc holds, or that its decoder dies on, is a located error (a 21 MB file of repeated text was exit 70)", async () => {
  const file = fixture("dolly.parquet");
  const m = await located(() => readParquet(file, { limits: { heldChars: 60 } }));
  assert.match(m, /^AL3002 -: the rows up to row 2 hold 67 characters of text, more than alignc holds in memory \(60 characters.*\| read the first rows only \(`limit = 1` on the source\)/);
  // a worker out of its heap (a row group decoded past it): the file's located error, not alignc's crash
  assert.match(await located(() => readParquet(file, { limits: { workerHeap: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 } } })), /^AL3002 -: the Parquet decoder could not read the file: .*memory/);
  assert.equal((await readParquet(file, { limits: { heldChars: 1000 } })).length, 3, "held within the limit: read");
});
