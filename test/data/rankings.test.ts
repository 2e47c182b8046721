import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { checkRankList, expandRankings, MAX_RESPONSES, pairsFromRanks, parseRankingString, ranksFromScores, readRankings, splitTranscripts } from "../../src/data/rankings.js";
import { KINDS } from "../../src/check/kinds.js";
import { checkRecipeText } from "../../src/check/index.js";
import { SOURCE_FIELDS } from "./source-fields.js";
import { readJsonl, type Row } from "../../src/data/readers.js";
import { DataError } from "../../src/data/diag.js";
import { hasShared, shared } from "./shared-data.js";
import { located } from "./located.js";

const rowsOf = (data: Record<string, unknown>[]): Row[] => data.map((d, i) => ({ data: d, index: i, line: i + 1, start: 0, end: 0 }));
const letters = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(65 + i));

test("ranking forms: rank list, string with ties, scores", () => {
  assert.deepEqual(parseRankingString("D > B > A = C", 4), [2, 1, 2, 0]);
  assert.deepEqual(checkRankList([2, 1, 3], 3), [1, 0, 2]); // 1-based allowed
  assert.deepEqual(ranksFromScores([0.5, 2, 0.5, -1]), [1, 0, 1, 2]);
  assert.deepEqual(pairsFromRanks([2, 1, 2, 0]), [
    [1, 0],
    [3, 0],
    [1, 2],
    [3, 1],
    [3, 2],
  ]);
  assert.throws(() => parseRankingString("A > B > A", 3), /`A` is ranked twice/);
  assert.throws(() => parseRankingString("A > B", 3), /response C not ranked/);
  assert.throws(() => parseRankingString("A > E", 3), /does not exist/);
  // past Z, letters run out (a K of 30 said "responses [, \\, ], ^ not ranked")
  assert.throws(() => parseRankingString(letters(26).join(" > "), 30), /a ranking string names at most 26 responses \(A–Z\), and this row has 30: write the ranking as a rank list/);
  assert.throws(() => checkRankList([0, 0, 1], 3), /appears twice/);
  assert.throws(() => checkRankList([0, 2, 3], 3), /rank 1 is missing/);
});

// a ranking as levels of tied responses: [[2], [0, 3], [1]]
const levelsArb = fc.integer({ min: 2, max: 9 }).chain((k) =>
  fc.tuple(fc.shuffledSubarray(Array.from({ length: k }, (_, i) => i), { minLength: k, maxLength: k }), fc.array(fc.boolean(), { minLength: k, maxLength: k })).map(([order, tieWithPrev]) => {
    const levels: number[][] = [];
    order.forEach((r, i) => (i > 0 && tieWithPrev[i] ? levels[levels.length - 1]!.push(r) : levels.push([r])));
    return { k, levels };
  }),
);

test("property: for any ranking with ties, C(K,2) − ties pairs, each winner ranked above its loser", () => {
  fc.assert(
    fc.property(levelsArb, ({ k, levels }) => {
      const s = levels.map((l) => l.map((i) => letters(k)[i]).join(" = ")).join(" > ");
      const ranks = parseRankingString(s, k);
      const pairs = pairsFromRanks(ranks);
      const ties = levels.reduce((a, l) => a + (l.length * (l.length - 1)) / 2, 0);
      assert.equal(pairs.length, (k * (k - 1)) / 2 - ties);
      for (const [w, l] of pairs) assert.ok(ranks[w]! < ranks[l]!);
      // scores (higher better) express the same ranking
      const scores = ranks.map((r) => -r * 1.5);
      assert.deepEqual(pairsFromRanks(ranksFromScores(scores)), pairs);
      assert.equal(new Set(pairs.map((p) => p.join())).size, pairs.length);
    }),
    { numRuns: 200 },
  );
});

test("rows: K outside the declared range, duplicate and missing ranks → located errors, all reported", () => {
  const rows = rowsOf([
    { prompt: "p", responses: ["a", "b", "c", "d"], ranking: "A > B > C > D" },
    { prompt: "p", responses: ["a", "b", "c"], ranking: "A > B > C" },
    { prompt: "p", responses: ["a", "b", "c", "d"], ranking: [0, 0, 1, 2] },
    { prompt: "p", responses: ["a", "b", "c", "d"], ranking: "A > B = C" },
    { prompt: "p", responses: ["a", "b", "c", "d"], scores: [1, 2, 3, 3] },
  ]);
  try {
    readRankings({ ...SOURCE_FIELDS, name: "prefs", file: "r.jsonl", rows, k: [4, 9] });
    assert.fail("expected errors");
  } catch (e) {
    const ds = (e as DataError).diagnostics;
    assert.deepEqual(
      ds.map((d) => [d.code, d.span?.line]),
      [
        ["AL3020", 2],
        ["AL3021", 3],
        ["AL3021", 4],
      ],
    );
    assert.match(located(ds[0]!), /r\.jsonl:2: 3 responses; the source declares k = 4\.\.9/);
    assert.match(ds[2]!.message, /response D not ranked/);
  }
});

test("OASST rows: every message must be an object with a string text and a prompter or assistant role, located, all reported (a null was exit 70; a string, an object text or no role made up a prompt)", () => {
  const row = (conversation: unknown) => ({ message_tree_id: "t", conversation, responses_ranked: ["a", "b"], ranks: [0, 1] });
  const rows = rowsOf([
    row([{ role: "prompter", text: "q" }, { role: "assistant", text: "a" }, { role: "user", text: "more?" }]),
    row([null]),
    row(["hello"]),
    row([{ role: "prompter", text: "q" }, { role: "assistant" }]),
    row([{ role: "prompter", text: { a: 1 } }]),
    row([{ role: "prompter", text: "q" }, { role: "system", text: "s" }]),
    row([{ role: "prompter", text: "q" }, { text: "t" }]),
  ]);
  try {
    readRankings({ ...SOURCE_FIELDS, name: "oa", file: "o.jsonl", rows, shape: "oasst" });
    assert.fail("expected errors");
  } catch (e) {
    const ds = (e as DataError).diagnostics;
    assert.deepEqual(ds.map((d) => [d.code, d.span?.line]), [2, 3, 4, 5, 6, 7].map((l) => ["AL3004", l]));
    assert.match(ds[0]!.message, /`conversation\[0\]` must be an object \{role, text\}, got null/);
    assert.match(ds[2]!.message, /`conversation\[1\]\.text` must be a string, got nothing/);
    assert.match(ds[4]!.message, /`conversation\[1\]\.role` must be "prompter" \(or "user", "human"\) or "assistant", got "system"/);
  }
  const [g] = readRankings({ ...SOURCE_FIELDS, name: "oa", file: "o.jsonl", rows: rows.slice(0, 1), shape: "oasst" });
  // an hh transcript that is a number is said as one (it was "share no prefix ending at an Assistant: turn")
  assert.throws(() => readRankings({ ...SOURCE_FIELDS, name: "hh", file: "h.jsonl", rows: rowsOf([{ chosen: 5, rejected: "\n\nHuman: q\n\nAssistant: a" }]), shape: "hh" }), (e: DataError) => /`chosen` must be a transcript \(a string\), got a number/.test(e.diagnostics[0]!.message));
  assert.equal(g!.prompt, "q\n\nAssistant: a\n\nUser: more?");
});

test("two copies of one text ranked apart are a tie, not a comparison; a row with no other pair is left out, counted (hunt37)", () => {
  const sameSkipped = { count: 0 };
  const [g] = readRankings({ ...SOURCE_FIELDS, name: "r", file: "r.jsonl", rows: rowsOf([{ prompt: "p", responses: ["a", "b", "a"], ranking: "A > B > C" }]), sameSkipped });
  assert.deepEqual(g!.pairs, [[0, 1], [1, 2]], "A > C compared two copies of `a`");
  const out = readRankings({ ...SOURCE_FIELDS, name: "r", file: "r.jsonl", rows: rowsOf([{ prompt: "q", responses: ["x", "x"], ranking: "A > B" }, { prompt: "p", responses: ["y", "z"], ranking: "A > B" }]), sameSkipped });
  assert.deepEqual([out.map((x) => x.prompt), sameSkipped.count], [["p"], 1]);
});

// OASST's K-way groups read `as pairs` were taken as rankings without a word (audit 32)
test("a source declared `as pairs` refuses a row ranking more than two responses, located, naming `as rankings`", () => {
  const rows = rowsOf([
    { prompt: "p", responses: ["a", "b"], ranking: "A > B" },
    { prompt: "q", responses: ["a", "b", "c"], ranking: "A > B > C" },
  ]);
  assert.throws(
    () => readRankings({ ...SOURCE_FIELDS, name: "prefs", file: "r.jsonl", rows, role: "pairs" }),
    (e: DataError) => e.diagnostics.length === 1 && e.diagnostics[0]!.code === "AL3020" && /r\.jsonl:2: 3 responses in a source declared `as pairs`.*`as rankings`/.test(located(e.diagnostics[0]!)),
  );
  assert.equal(readRankings({ ...SOURCE_FIELDS, name: "prefs", file: "r.jsonl", rows }).length, 2, "as rankings, both rows");
});

test("a row of more than 64 responses is AL3020 at its line, with or without `k` (20,000 responses, 200 million pairs, ran out of memory)", () => {
  const many = (k: number) => ({ prompt: "p", responses: Array.from({ length: k }, (_, i) => `r${i}`), scores: Array.from({ length: k }, (_, i) => i) });
  for (const k of [undefined, [2, 100000] as [number, number]]) {
    try {
      readRankings({ ...SOURCE_FIELDS, name: "prefs", file: "r.jsonl", rows: rowsOf([many(64), many(20000)]), ...(k ? { k } : {}) });
      assert.fail("expected an error");
    } catch (e) {
      const ds = (e as DataError).diagnostics;
      assert.deepEqual(ds.map((d) => [d.code, d.span?.line]), [["AL3020", 2]]);
      assert.match(located(ds[0]!), /r\.jsonl:2: 20000 responses: more than the 64 one prompt may rank/);
    }
  }
});

test("a source's `k` past 64 is AL2008 at the check, the same bound the data layer holds rows to", async () => {
  const k = KINDS.source!.jsonl!.props.k as { properties: { $range: { items: { maximum: number } } } };
  assert.equal(k.properties.$range.items.maximum, MAX_RESPONSES);
  const r = await checkRecipeText(`recipe r { seed = 1 }\nsource prefs = jsonl("p.jsonl") as rankings { k = 4..100 }\n`, "r.align");
  assert.ok(r.diagnostics.some((d) => d.code === "AL2008" && d.message === "`k` must be <= 64, got 100" && d.span?.line === 2), JSON.stringify(r.diagnostics));
});

test("pairs rows (chosen/rejected with a prompt) become K = 2 groups; expandRankings gives TRL rows", () => {
  const g = readRankings({ ...SOURCE_FIELDS, name: "p", file: "x", rows: rowsOf([{ prompt: "q", chosen: "good", rejected: "bad" }]), role: "pairs" });
  assert.deepEqual(g[0]!.pairs, [[0, 1]]);
  assert.deepEqual(expandRankings(g), [{ id: "p:0:0", prompt: "q", chosen: "good", rejected: "bad" }]);
  const k4 = readRankings({ ...SOURCE_FIELDS, name: "r", file: "x", rows: rowsOf([{ prompt: "q", responses: ["a", "b", "c", "d"], ranking: "A > B = C > D" }]) });
  assert.equal(expandRankings(k4).length, 5);
  assert.equal(expandRankings(k4, "adjacent").length, 4); // A>B, A>C, B>D, C>D
});

test("OASST K-way ranked groups (shared data): ranks used, K from 2 to 9", async (t) => {
  if (!hasShared) return t.skip("../shared/data is absent");
  const file = shared("preference/oasst_en_kway_ranked_dev.jsonl");
  const rows = await readJsonl(file);
  const groups = readRankings({ ...SOURCE_FIELDS, name: "oasst", file, rows });
  assert.equal(groups.length, 143);
  for (const g of groups) {
    const k = g.responses.length;
    assert.equal(g.pairs.length, (k * (k - 1)) / 2);
    assert.ok(g.pairs.every(([w, l]) => w < l)); // responses_ranked is best first
    assert.ok(g.prompt.length > 0);
  }
  assert.throws(() => readRankings({ ...SOURCE_FIELDS, name: "oasst", file, rows, k: [4, 9] }), (e: DataError) => e.diagnostics.every((d) => d.code === "AL3020"));
  const multi = groups.find((g) => g.prompt.includes("\n\nAssistant: "));
  assert.ok(multi, "multi-turn conversations keep their history in the prompt");
});

test("hh-rlhf transcripts (shared data, gzip): shared prefix → prompt, last assistant turns → responses", async (t) => {
  if (!hasShared) return t.skip("../shared/data is absent");
  const file = shared("preference/hh_rlhf_harmless_base_test_1000.jsonl.gz");
  const rows = await readJsonl(file);
  assert.equal(rows.length, 1000);
  // the file loads as published: three rows prefer an empty answer (the assistant said nothing) to a
  // harmful one, a comparison like any other (they were refused as "empty; it would train on nothing",
  // and on_error = "skip" dropped them: audit 32)
  const groups = readRankings({ ...SOURCE_FIELDS, name: "hh", file, rows, role: "pairs" });
  assert.equal(groups.length, 1000);
  assert.deepEqual(groups.filter((g) => g.responses[0] === "").map((g) => g.meta.line), [87, 517, 926]);
  assert.ok(groups.every((g) => g.responses[1] !== ""), "the rejected ones all say something");
  for (const g of groups) {
    const chosen = rows[g.meta.row!]!.data.chosen as string;
    assert.ok(chosen.startsWith(`\n\n${g.prompt}`) || chosen.trim().startsWith(g.prompt));
    assert.ok(chosen.endsWith(g.responses[0]!));
    assert.ok(!g.prompt.endsWith("Assistant:"));
    assert.deepEqual(g.pairs, [[0, 1]]);
  }
  assert.equal(splitTranscripts("\n\nHuman: a\n\nAssistant: b", "\n\nHuman: x\n\nAssistant: c"), null);
  // responses that contain further turns (published rows do): split at the last Assistant turn of the shared prefix
  assert.deepEqual(splitTranscripts("\n\nHuman: hi\n\nAssistant: Hello\n\nHuman: more?\n\nAssistant: yes", "\n\nHuman: hi\n\nAssistant: Go away"), {
    prompt: "Human: hi",
    chosen: "Hello\n\nHuman: more?\n\nAssistant: yes",
    rejected: "Go away",
  });
});

test("bundled rankings follow the documented rule: concise > preamble > wrong > cross-task > garbage", async () => {
  const { ROOT } = await import("./recipe-fixture.js");
  const file = `${ROOT}/recipes/data/rankings.jsonl`;
  const rows = await readJsonl(file);
  const groups = readRankings({ ...SOURCE_FIELDS, name: "prefs", file, rows, k: [4, 9] });
  assert.ok(groups.length >= 1500);
  const ks = new Set(groups.map((g) => g.responses.length));
  assert.deepEqual([...ks].sort(), [4, 5, 6, 7, 8, 9]);
  for (const [i, g] of groups.entries()) {
    const answer = rows[i]!.data.answer as string;
    const best = g.ranks!.indexOf(0);
    assert.equal(g.responses[best], answer);
    const pre = g.responses.indexOf(`Sure! Here is ${answer}`);
    assert.equal(g.ranks![pre], 1);
    assert.ok(g.ranks!.every((r, j) => j === best || j === pre || r >= 2));
    assert.equal(g.reference, answer);
  }
  assert.ok(readFileSync(file, "utf8").includes(" = "), "ties occur");
});

test("a prompt template maps ranking rows; an unknown field in it is AL3010", () => {
  const rows = rowsOf([{ q: "2+2", ctx: "math", responses: ["4", "5", "x", "y"], ranking: [1, 2, 3, 4] }]);
  const g = readRankings({ ...SOURCE_FIELDS, name: "r", file: "r.jsonl", rows, promptTemplate: "{{ctx}}: {{q}}" });
  assert.equal(g[0]!.prompt, "math: 2+2");
  assert.equal(g[0]!.pairs.length, 6);
  assert.throws(() => readRankings({ ...SOURCE_FIELDS, name: "r", file: "r.jsonl", rows, promptTemplate: "{{qq}}" }), (e: DataError) => e.diagnostics[0]!.code === "AL3010");
});
