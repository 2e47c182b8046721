// `alignc label --stats`: counts, times, flags, and pairwise agreement computed by hand on a small file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labelStats, statsText } from "../../src/label/stats.js";
import { Assigner } from "../../src/label/assignment.js";
import { rankingString } from "../../src/label/record.js";

const line = (labeler: string, set: string, ranking: string, extra: Record<string, unknown> = {}) => ({
  prompt: `p-${set}`,
  responses: ["4", "Sure! Here is 4", "5", "qxzj"],
  ranking,
  ratings: [7, 5, 3, 1],
  flags: [[], [], ["hallucination"], ["fails_instruction", "hallucination"]],
  labeler,
  time: "2026-01-01T00:00:00.000Z",
  seconds: labeler === "ann" ? 10 : 20,
  set,
  model: null,
  submission: `${labeler}-${set}-submission`,
  answer: "4",
  ...extra,
});

test("stats: per labeler, flags, inter-labeler agreement on shared sets, agreement with the demo's rule", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-stats-"));
  try {
    const file = join(dir, "labels.jsonl");
    const rows = [
      line("ann", "s1", "A > B > C > D"), // the rule's order exactly
      line("ben", "s1", "B > A > C = D"), // s1 shared: pairs AB disagree, AC AD BC BD agree, CD tied by ben → 4/5
      line("ann", "s2", "D > C > B > A"), // the reverse of the rule
      line("ben", "s3", "A > B > C > D"),
    ];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    writeFileSync(join(dir, "labels.skips.jsonl"), JSON.stringify({ skip: true, set: "s4", labeler: "ben", reason: "unclear", time: "x", seconds: 2, submission: "skip-submission-1" }) + "\n");
    const s = labelStats(file);
    assert.equal(s.labels, 4);
    assert.equal(s.prompts, 3);
    assert.equal(s.skips, 1);
    assert.deepEqual(
      s.labelers.map((l) => [l.labeler, l.labels, l.skips, l.median_seconds]),
      [
        ["ann", 2, 0, 10],
        ["ben", 2, 1, 20],
      ],
    );
    assert.deepEqual(s.flags.map((f) => [f.flag, f.count]), [["hallucination", 8], ["fails_instruction", 4]]);
    assert.equal(s.flags[0]!.share, 8 / 16);
    const a = s.agreement.all;
    assert.deepEqual([a.agree, a.disagree, a.tied, a.prompts], [4, 1, 1, 1]);
    assert.equal(a.rate, 0.8);
    assert.ok(a.ci_low! < 0.8 && a.ci_high! > 0.8);
    assert.deepEqual(s.agreement.pairs.map((p) => [p.a, p.b, p.agree]), [["ann", "ben", 4]]);
    // the rule: classes 0 (4), 1 (Sure! Here is 4), 2 (5), 4 (garbage): a strict order, all 6 pairs count
    assert.ok(s.rule);
    const byName = Object.fromEntries(s.rule.labelers.map((l) => [l.labeler, l]));
    assert.deepEqual([byName.ann!.agree, byName.ann!.disagree], [6, 6]); // s1 all agree, s2 all disagree
    assert.deepEqual([byName.ben!.agree, byName.ben!.disagree, byName.ben!.tied], [10, 1, 1]); // s1: AB disagrees, CD tied; s3: all 6 agree
    const text = statsText(s);
    assert.match(text, /ann – ben\s+0\.800/);
    assert.match(text, /rule labeler/);
    assert.match(text, /chance 0\.5/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("stats: a line alignc label did not write is named by file:line", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-stats-"));
  try {
    const file = join(dir, "x.jsonl");
    writeFileSync(file, JSON.stringify(line("ann", "s1", "A > B > C > D")) + "\n" + JSON.stringify({ prompt: "p", responses: ["a", "b"], ranking: "A > B" }) + "\n");
    assert.throws(() => labelStats(file), /x\.jsonl:2: no `labeler`/);
    // flags that are not one list of names per response: named, not a TypeError (exit 70)
    for (const flags of [[1, []], [[null], []], "x"]) {
      writeFileSync(file, JSON.stringify({ ...line("ann", "s1", "A > B > C > D"), flags }) + "\n");
      assert.throws(() => labelStats(file), /x\.jsonl:1: `flags` is not one list of flag ids per response/);
    }
    // what the server refuses, --stats refuses too, where a figure reads it (a rating "7" was averaged as text)
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ratings: ["7", 5, 3, 1] }, /`ratings` is not 4 whole numbers from 1 to 7/],
      [{ ratings: [9, 5, 3, 1] }, /`ratings` is not 4 whole numbers from 1 to 7/],
      [{ ratings: [7, 5] }, /`ratings` is not 4 whole numbers/],
      [{ seconds: -1 }, /`seconds` is not a finite number ≥ 0/],
      [{ seconds: "10" }, /`seconds` is not a finite number ≥ 0/],
      [{ responses: ["4", 4, "5", "6"] }, /`responses` are not all strings/],
      [{ prompt: 3 }, /`prompt` is not a string/],
      [{ responses: ["4"], ranking: "A", ratings: [7], flags: [[]] }, /fewer than 2 `responses`/],
      // a flag id the page has none of was counted (huntD39 L3)
      [{ flags: [["made_up_flag"], [], [], []] }, /`flags` is not one list of flag ids per response \(fails_instruction, /],
      [{ flags: [["__proto__"], [], [], []] }, /`flags` is not one list of flag ids/],
    ];
    for (const [extra, why] of cases) {
      writeFileSync(file, JSON.stringify({ ...line("ann", "s1", "A > B > C > D"), ...extra }) + "\n");
      assert.throws(() => labelStats(file), (e: Error) => /x\.jsonl:1: /.test(e.message) && why.test(e.message), JSON.stringify(extra));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A helper's audit: stats called a whole last line without its newline torn and did not count it, where
// the restarted server and `alignc data` read it: the three count the same lines now.
test("stats: a whole last line without its line break is counted, as the server reads it; a torn one is not", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-stats-"));
  try {
    const file = join(dir, "labels.jsonl");
    const two = [line("ann", "s1", "A > B > C > D"), line("bob", "s2", "A > B > C > D")].map((l) => JSON.stringify(l)).join("\n");
    writeFileSync(file, two);
    assert.deepEqual([labelStats(file).labels, labelStats(file).torn_last_line], [2, false]);
    writeFileSync(file, `${two}\n{"prompt":"half a li`);
    assert.deepEqual([labelStats(file).labels, labelStats(file).torn_last_line], [2, true]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("rankingString: dense levels → the rankings reader's letters", () => {
  assert.equal(rankingString([1, 0, 1, 2]), "B > A = C > D");
  assert.equal(rankingString([0, 1]), "A > B");
});

test("assignment: deterministic from the seed; overlap share exact; a lease expires", () => {
  const ids = Array.from({ length: 20 }, (_, i) => `set${i}`);
  const a = new Assigner(ids, 0.25, 7);
  const b = new Assigner(ids, 0.25, 7);
  assert.equal(a.shared.size, 5);
  assert.deepEqual([...a.shared].sort(), [...b.shared].sort());
  assert.notDeepEqual([...new Assigner(ids, 0.25, 8).shared].sort(), [...a.shared].sort());
  const first = a.next("x", 0)!;
  assert.equal(b.next("x", 0), first, "the same seed hands out the same first set");
  // y does not get x's set while x holds it, unless it is shared
  const y = a.next("y", 1)!;
  assert.ok(y !== first || a.shared.has(first));
  // after the lease runs out, x's set is free for z (when it was not shared, z would otherwise never see it first)
  const c = new Assigner(["only"], 0, 1);
  assert.equal(c.next("x", 0), "only");
  assert.equal(c.next("z", 10), null);
  assert.equal(c.next("z", 31 * 60 * 1000), "only");
});

test("stats: a skips file's lines are held to the server's skip lines (a `null` there was exit 70); a byte-order mark is accepted; a file with more pairs of labels to compare than fit is refused, not run out of memory", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-stats-"));
  try {
    const file = join(dir, "l.jsonl");
    writeFileSync(file, "\uFEFF" + JSON.stringify(line("ann", "s1", "A > B > C > D")) + "\n");
    assert.equal(labelStats(file).labels, 1, "a BOM before the first line");
    for (const bad of ["null", "5", '{"labeler":{"a":1}}', "[]"]) {
      writeFileSync(join(dir, "l.skips.jsonl"), `{"skip":true,"labeler":"bob","set":"s2","reason":"x"}\n${bad}\n`);
      assert.throws(() => labelStats(file), (e: Error) => e.message.startsWith(`${join(dir, "l.skips.jsonl")}:2: not a skip line alignc label wrote`), bad);
    }
    writeFileSync(join(dir, "l.skips.jsonl"), `{"skip":true,"labeler":"bob","set":"s2","reason":"x"}\n`);
    assert.deepEqual(labelStats(file).labelers.map((l) => [l.labeler, l.skips]), [["ann", 0], ["bob", 1]]);
    rmSync(join(dir, "l.skips.jsonl"));
    writeFileSync(file, Array.from({ length: 1001 }, (_, i) => JSON.stringify(line(`u${i}`, "s1", "A > B > C > D"))).join("\n") + "\n");
    assert.equal(labelStats(file).labels, 1001, "500,500 pairs: compared");
    // three prompts of 1,001 new labelers each: 1,501,500 pairs, refused (many prompts of 1,000 ran out of memory)
    writeFileSync(file, [1, 2, 3].flatMap((s) => Array.from({ length: 1001 }, (_, i) => JSON.stringify(line(`u${s}-${i}`, `s${s}`, "A > B > C > D")))).join("\n") + "\n");
    assert.throws(() => labelStats(file), /1,501,500 pairs of labels of one prompt to compare, more than the 1,000,000 --stats compares \(the most: 1001 labels of set "s1"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
